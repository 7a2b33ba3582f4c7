"""The 吐槽板 in a real browser: an owner files a complaint from a phone, the
rep writes an internal note and a reply and resolves it, the owner rates
it; the complaint KPIs (API and tiles) move as SPEC section 4 says, and the
owner's view shows the reply and never the note. Screenshots of the board,
a thread and the owner's view, in Chinese and English, go to
docs/screenshots/."""


import datetime
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.browser.conftest import LAPTOP, PHONE

OWNER = "owner_baiyun"  # demo_data: a 广州女装 factory in rep_guangzhou's book
REP = "rep_guangzhou"
NOTE = "内部：商家续费有风险，先别告诉老板"
REPLY = "老板您好，已联系快递网点，明天起下午两点固定上门揽收。"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _today():
    return datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def _kpis(watched, day):
    """The KPI API's complaint numbers for ``day`` alone, as the signed-in user."""
    response = watched.page.request.get(
        f"{watched.base_url}/api/v1/kpis/complaints?from={day}&to={day}")
    assert response.ok
    return response.json()["kpis"]


def _tiles(watched, day):
    """The tiles of the board for ``day`` alone: {kpi: data-value}."""
    watched.goto(f"/complaints/?period=custom&from={day}&to={day}")
    tiles = watched.page.locator("[data-kpi]")
    return {tiles.nth(i).get_attribute("data-kpi"): tiles.nth(i).get_attribute("data-value")
            for i in range(tiles.count())}


def _same(tiles, kpis):
    """Tiles equal to the API (numbers compared as numbers)."""
    assert set(tiles) == set(kpis)
    for name, value in kpis.items():
        if value is None:
            assert tiles[name] == "", name
        else:
            assert float(tiles[name]) == float(value), name


def _english(watched):
    watched.switch_language("en")


def test_owner_files_rep_answers_and_resolves_owner_rates(open_page):
    day = _today()
    owner = open_page(PHONE)
    owner.login(OWNER)
    page = owner.page
    before = _kpis(owner, day)
    assert (before["opened"], before["resolved"], before["csat_avg"]) == (0, 0, None)
    _same(_tiles(owner, day), before)

    # The owner files from the phone: category in plain words, the severity
    # the category suggests, a title, a few words. Well under a minute.
    started = time.monotonic()
    owner.goto("/complaints/")
    page.click("text=我要吐槽")
    page.wait_for_url(re.compile(r"/complaints/new$"))
    page.click("label.choice:has-text('物流、包邮和揽收')")
    assert page.is_checked("input[name=severity][value=high]")  # suggested for shipping
    page.fill("input[name=title]", "买家投诉不包邮，我们扛不住")
    page.fill("textarea[name=body]", "别家都包邮，我们单价低，包邮就亏钱。")
    page.click("form.intake button[type=submit]")
    page.wait_for_url(re.compile(r"/complaints/TC\d{6}-[A-Z0-9]{5}$"))
    assert time.monotonic() - started < 60
    code = page.url.rsplit("/", 1)[1]
    assert "重要问题 4 小时内响应" in page.inner_text("#complaint")
    assert owner.horizontal_overflow() == 0
    after_filing = _kpis(owner, day)
    assert after_filing["opened"] == 1 and after_filing["resolved"] == 0
    owner.assert_clean()

    # The rep: an internal note, a reply, then resolved.
    rep = open_page(LAPTOP)
    rep.login(REP)
    rp = rep.page
    rep_before = _kpis(rep, day)  # the rep's book: our complaint, plus old breaches
    assert rep_before["opened"] == 1 and rep_before["resolved"] == 0
    rep.goto(f"/complaints/{code}")
    rp.fill("textarea[name=body]", NOTE)
    rp.check("input[name=internal]")
    rp.click("#reply-heading ~ form button[type=submit]")
    rp.wait_for_selector(f".post.is-internal:has-text('{NOTE}')")
    rp.fill("textarea[name=body]", REPLY)
    rp.click("#reply-heading ~ form button[type=submit]")
    rp.wait_for_selector(f".post-comment:has-text('{REPLY}')")
    assert rp.is_checked("input[name=internal]") is False
    rp.select_option("select[name=status]", "resolved")
    rp.fill("textarea[name=note]", "已协调快递网点，问题解决。")
    rp.click("#status-heading ~ form button[type=submit]")
    rp.wait_for_selector(".badge.status-resolved")
    resolved = _kpis(rep, day)
    assert resolved["opened"] == 1 and resolved["resolved"] == 1
    assert float(resolved["sla_attainment"]) == 1.0
    assert 0 < float(resolved["median_hours_to_first_response"]) < 1
    assert resolved["breached_open"] == rep_before["breached_open"]  # ours was not late
    assert resolved["csat_avg"] is None
    _same(_tiles(rep, day), resolved)
    rep.goto(f"/complaints/{code}")
    rp.screenshot(path=str(SHOTS / "complaint-thread-staff-zh.png"), full_page=True)
    rep.goto("/complaints/")
    rp.locator(".chart-plot").first.scroll_into_view_if_needed()  # drawn when near the viewport
    rp.locator(".chart-plot svg.main-svg").first.wait_for(state="attached")
    rp.screenshot(path=str(SHOTS / "complaints-board-zh.png"), full_page=True)
    _english(rep)
    rp.locator(".chart-plot").first.scroll_into_view_if_needed()  # drawn when near the viewport
    rp.locator(".chart-plot svg.main-svg").first.wait_for(state="attached")
    rp.screenshot(path=str(SHOTS / "complaints-board-en.png"), full_page=True)
    rep.goto(f"/complaints/{code}")
    rp.screenshot(path=str(SHOTS / "complaint-thread-staff-en.png"), full_page=True)
    rep.assert_clean()

    # The owner sees the reply, never the note, and rates it.
    owner.goto(f"/complaints/{code}")
    html = page.content()
    assert REPLY in html and NOTE not in html
    page.click("label.choice:has-text('★★★★☆')")
    page.fill("textarea[name=comment]", "处理很快，谢谢小二！")
    page.click("#rating-heading ~ form button[type=submit]")
    page.wait_for_selector("[data-rating='4']")
    assert NOTE not in page.content()
    rated = _kpis(owner, day)
    assert float(rated["csat_avg"]) == 4.0 and rated["resolved"] == 1
    _same(_tiles(owner, day), rated)
    owner.goto(f"/complaints/{code}")
    assert owner.horizontal_overflow() == 0
    page.screenshot(path=str(SHOTS / "complaint-owner-phone-zh.png"), full_page=True)
    _english(owner)
    page.screenshot(path=str(SHOTS / "complaint-owner-phone-en.png"), full_page=True)
    assert owner.serious_accessibility_violations() == []
    owner.assert_clean()


def test_the_board_on_a_phone_has_no_sideways_scroll(open_page):
    watched = open_page(PHONE)
    watched.login(REP)
    watched.goto("/complaints/")
    assert watched.page.locator("#board tbody tr").count() > 0
    assert watched.horizontal_overflow() == 0
    watched.page.screenshot(path=str(SHOTS / "complaints-board-phone-zh.png"), full_page=False)
    assert watched.serious_accessibility_violations() == []
    watched.assert_clean()
