"""Renewals in a real browser (issue 13's done-when): a rep proposes terms on
a phone (390x844), a manager approves them on a laptop in the review queue
(the row leaves without a reload; a reject without a note shows its error in
place), the rep records the renewal, and the renewal KPIs change as SPEC
section 4 says, in the API and in the tiles. Then the manager's home. With
SAVE_SCREENSHOTS=1 it writes docs/screenshots (queue and home, zh and en)."""

import datetime
import os
import sqlite3
from decimal import Decimal

from tests.browser.conftest import LAPTOP, PHONE, ROOT

REP = "rep_guangzhou"
MANAGER = "manager_south"
SHOTS = ROOT / "docs" / "screenshots"
FEE = "96120"


def _shot(page, name):
    if os.environ.get("SAVE_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _open_term_to_propose(live_server):
    """(id, end, fee in yuan) of the rep's open term ending soonest within 90
    days whose case takes a proposal (none yet, open or rejected)."""
    with sqlite3.connect(live_server.database_path) as connection:
        row = connection.execute(
            'SELECT m.id, m."end", m.fee_fen FROM membership m '
            'JOIN factory f ON f.id = m.factory_id JOIN "user" u ON u.id = f.rep_id '
            'LEFT JOIN renewal_case c ON c.membership_id = m.id '
            "WHERE u.username = ? AND m.outcome IS NULL AND m.\"end\" > date('now', '+8 hours') "
            "AND m.\"end\" <= date('now', '+8 hours', '+90 days') "
            "AND (c.status IS NULL OR c.status IN ('open', 'rejected')) "
            'ORDER BY m."end" LIMIT 1', (REP,)).fetchone()
    assert row, "the demo data has no term for the rep to propose on"
    return row[0], datetime.date.fromisoformat(row[1]), Decimal(row[2]) / 100


def _kpis(watched, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = watched.page.request.get(f"{watched.base_url}/api/v1/kpis/renewals?{query}")
    assert response.ok
    return response.json()["kpis"]


def _wait_for_charts(page):
    """Scroll through the page, a screen at a time, so every lazy chart
    nears the viewport and is drawn (a long phone page has charts a single
    jump to the end would pass by)."""
    page.evaluate("""async () => {
        for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
            window.scrollTo(0, y);
            await new Promise(resolve => setTimeout(resolve, 100));
        }
    }""")
    page.wait_for_function("""() => [...document.querySelectorAll('.chart-plot')]
        .every(box => box.hasAttribute('data-chart-drawn'))""", timeout=15000)
    page.evaluate("window.scrollTo(0, 0)")


def test_rep_proposes_manager_approves_in_the_queue_rep_renews_kpis_change(
        open_page, live_server):
    term_id, end, term_fee = _open_term_to_propose(live_server)
    rep = open_page(PHONE)
    rep.login(REP)
    page = rep.page
    today = datetime.date.fromisoformat(page.evaluate(
        "new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)"))
    window = {"from": today.isoformat(), "to": end.isoformat()}
    due_before, ending_before = _kpis(rep), _kpis(rep, **window)

    # The rep, on the phone: from the due list to the case, propose terms.
    rep.goto("/renewals/?due=90")
    link = page.locator(f"#due a[href='/renewals/{term_id}']")
    if link.count():
        with page.expect_navigation(wait_until="networkidle"):
            link.first.click()
    else:  # on a later page of the due list
        rep.goto(f"/renewals/{term_id}")
    page.fill("#fee_cny", FEE)
    page.fill("#note", "老客户，九折续签")
    page.click("#case form[action$='/proposal'] button[type=submit]")
    page.wait_for_selector("[data-case-status=proposed]")
    assert rep.horizontal_overflow() == 0
    rep.assert_clean()

    # The manager, on a laptop: the queue, oldest first, decided inline.
    manager = open_page(LAPTOP)
    manager.login(MANAGER)
    manager.goto("/renewals/queue")
    mp = manager.page
    mp.evaluate("window.__pageId = 'same-page'")
    row = f"#queue-row-{term_id}"
    assert mp.locator(row).count() == 1
    assert "10.0%" in mp.inner_text(f"{row} [data-discount]")  # 96,120 of 106,800
    waiting = int(mp.get_attribute("#queue-count", "data-waiting"))
    other = mp.locator(f"tr[data-term]:not({row})").first
    other_id = other.get_attribute("data-term")
    other.locator("button[value=rejected]").click()  # no note: refused in place
    mp.wait_for_selector(f"#note-{other_id}-errors .field-error")
    assert mp.get_attribute(f"#note-{other_id}", "aria-invalid") == "true"
    assert manager.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"]
    manager.console_errors.clear()  # the browser logs the 422 itself
    assert manager.serious_accessibility_violations() == []
    _shot(mp, "renewal-queue-laptop-zh")
    mp.fill(f"{row} input[name=note]", "同意九折")
    mp.click(f"{row} button[value=approved]")
    mp.wait_for_selector(row, state="detached")
    assert mp.get_attribute("#queue-count", "data-waiting") == str(waiting - 1)
    assert "已批准" in mp.inner_text("#queue-status")
    assert mp.evaluate("window.__pageId") == "same-page"  # swapped, never reloaded
    manager.assert_clean()

    # The rep records the renewal: the successor exists at once.
    rep.goto(f"/renewals/{term_id}")
    assert page.get_attribute("[data-case-status]", "data-case-status") == "approved"
    page.click("label.choice:has(input[value=renewed])")
    page.click("#case form[action$='/outcome'] button[type=submit]")
    page.wait_for_selector("[data-case-status=renewed]")
    assert page.locator("[data-successor]").count() == 1
    assert rep.horizontal_overflow() == 0
    rep.assert_clean()

    # SPEC section 4: the term is no longer due; it counts as renewed in a
    # period holding its end, with its successor's (approved) fee.
    due_after, ending_after = _kpis(rep), _kpis(rep, **window)
    assert due_after["due_90"] == due_before["due_90"] - 1
    assert Decimal(str(due_after["revenue_at_stake_90_cny"])) == (
        Decimal(str(due_before["revenue_at_stake_90_cny"])) - term_fee)
    assert ending_after["renewed"] == ending_before["renewed"] + 1
    assert Decimal(str(ending_after["renewed_revenue_cny"])) == (
        Decimal(str(ending_before["renewed_revenue_cny"])) + Decimal(FEE))
    rep.goto(f"/renewals/?period=custom&from={window['from']}&to={window['to']}")
    tiles = {name: page.get_attribute(f"[data-kpi={name}]", "data-value")
             for name in ("renewed", "renewed_revenue_cny", "due_90")}
    assert int(tiles["renewed"]) == ending_after["renewed"]
    assert Decimal(tiles["renewed_revenue_cny"]) == Decimal(str(ending_after["renewed_revenue_cny"]))
    assert int(tiles["due_90"]) == ending_after["due_90"]
    rep.assert_clean()


def test_the_managers_home_links_to_the_queue(open_page):
    manager = open_page(LAPTOP)
    manager.login(MANAGER)
    page = manager.page
    assert page.url.endswith("/regions")
    waiting = page.get_attribute("[data-need=proposals_waiting]", "data-value")
    _wait_for_charts(page)
    assert manager.serious_accessibility_violations() == []
    _shot(page, "regions-home-laptop-zh")
    with page.expect_navigation(wait_until="networkidle"):
        page.click("a:has([data-need=proposals_waiting])")
    assert page.url.endswith("/renewals/queue")
    assert page.get_attribute("#queue-count", "data-waiting") == waiting
    manager.assert_clean()


def test_english_screenshots_of_the_queue_and_the_home(open_page):
    manager = open_page(LAPTOP)
    manager.login(MANAGER)
    page = manager.page
    manager.switch_language("en")
    assert page.locator("html[lang=en]").count() == 1
    _wait_for_charts(page)
    assert "Needs you today" in page.inner_text("main")
    _shot(page, "regions-home-laptop-en")
    manager.goto("/renewals/queue")
    assert "Review queue" in page.inner_text("h1")
    _shot(page, "renewal-queue-laptop-en")
    assert manager.horizontal_overflow() == 0
    manager.assert_clean()
    # The language is remembered on the user: back to Chinese for later tests.
    manager.switch_language("zh_CN")


def test_the_dashboard_fits_a_phone_in_english(open_page):
    """English labels are the longest: at 390 px every table of the
    dashboard stays within the page or scrolls in its own box (the forecast
    table's last column was cut off)."""
    manager = open_page(PHONE, locale="en-US")
    manager.login(MANAGER)
    page = manager.page
    manager.switch_language("en")
    manager.goto("/renewals/")
    _wait_for_charts(page)
    assert "Forecast, next 90 days" in page.inner_text("main")
    _shot(page, "renewals-manager-phone-en")
    assert manager.horizontal_overflow() == 0
    manager.assert_clean()
    manager.switch_language("zh_CN")
