"""My day in a real browser at 390x844: the rep opens a breached complaint
from it, logs a visit in place and moves a stalled factory's stage in place
(each item leaves without a reload), logs a visit with no signal (it waits,
is sent when the signal returns, then leaves), filters by a count, and proposes terms
from a renewal item, which then leaves the list. With SAVE_SCREENSHOTS=1 it writes My day in Chinese and
English to docs/screenshots.

The test has its own server and demo database (the session's is shared by
tests that move stages and log visits), with one membership of the rep's
book moved to end in six days, so the day has a renewal to propose terms on.
"""

import datetime
import os
import sqlite3

import pytest

from metrics.period import shanghai_today
from tests.browser.conftest import (PHONE, ROOT, LiveServer, _require_chromium, app_env,
                                    gunicorn_server, run_flask)

REP = "rep_guangzhou"
SHOTS = ROOT / "docs" / "screenshots"


def _shot(page, name):
    if os.environ.get("SAVE_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _renewal_due_in_six_days(database_path):
    """Move the open term of the rep's book that ends next (after the 30-day
    window, with no proposal waiting) to end six days from today; its id."""
    today = shanghai_today()
    with sqlite3.connect(database_path) as connection:
        term_id, = connection.execute(
            'SELECT m.id FROM membership m JOIN factory f ON f.id = m.factory_id '
            'JOIN "user" u ON u.id = f.rep_id LEFT JOIN renewal_case c ON c.membership_id = m.id '
            'WHERE u.username = ? AND m.outcome IS NULL AND m."end" > ? '
            "AND COALESCE(c.status, 'open') = 'open' ORDER BY m.\"end\", m.id LIMIT 1",
            (REP, (today + datetime.timedelta(days=30)).isoformat())).fetchone()
        connection.execute('UPDATE membership SET "end" = ? WHERE id = ?',
                           ((today + datetime.timedelta(days=6)).isoformat(), term_id))
    return term_id


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """This module's own server (overrides the session's for ``open_page``)."""
    _require_chromium()
    env = app_env(tmp_path_factory.mktemp("my_day"))
    run_flask(env, "init-db")
    run_flask(env, "seed-demo", "--scale", "demo")
    database_path = env["DATABASE_URL"].removeprefix("sqlite:///")
    term_id = _renewal_due_in_six_days(database_path)
    with gunicorn_server(env) as base_url:
        server = LiveServer(base_url, database_path)
        server.term_id = term_id
        yield server


def _visits_with(live_server, notes):
    with sqlite3.connect(live_server.database_path) as connection:
        return connection.execute("SELECT COUNT(*) FROM visit WHERE notes = ?", (notes,)).fetchone()[0]


def _keys(page):
    return page.eval_on_selector_all("li.day-item", "items => items.map(i => i.dataset.key)")


def test_rep_works_through_my_day_on_a_phone(open_page, live_server):
    rep = open_page(PHONE)
    rep.login(REP)
    page = rep.page
    assert page.url.endswith("/my-day")
    keys = _keys(page)
    assert keys[0].startswith("complaint-")  # a breach is on top
    renewal = f"renewal-{live_server.term_id}"
    # ending in six days, it is above every stale next action and unvisited factory
    assert all(keys.index(renewal) < keys.index(key) for key in keys
               if key.startswith("not_visited-"))
    assert rep.horizontal_overflow() == 0
    assert rep.serious_accessibility_violations() == []
    small = page.eval_on_selector_all(
        "a.day-count, .day-action",
        "els => els.filter(e => e.getBoundingClientRect().height < 44).length")
    assert small == 0
    _shot(page, "my-day-phone-zh")
    rep.assert_clean()

    # open the breached complaint on top, then come back
    first = page.locator("li.day-item").first
    assert "超时" in first.locator(".reason").inner_text()
    code = keys[0].removeprefix("complaint-")
    with page.expect_navigation(wait_until="networkidle"):
        first.locator(".day-action").click()
    assert page.url.endswith(f"/complaints/{code}")
    with page.expect_navigation(wait_until="networkidle"):
        page.go_back()
    assert page.url.endswith("/my-day")

    # log a visit in place: tap "log a visit", tap a purpose, type, tap send
    page.evaluate("window.__pageId = 'same-page'")
    item = page.locator("li.day-item:has([data-open-visit])").first
    key = item.get_attribute("data-key")
    count_kind = key.split("-")[0]
    before = int(page.get_attribute(f"[data-kpi=my_day_{count_kind}]", "data-value"))
    item.locator("[data-open-visit]").click()
    form = item.locator("form#visit-form")
    form.wait_for()
    form.locator("label.choice:has(input[value=routine])").click()
    form.locator("textarea[name=notes]").fill("门口聊了十分钟，约下周看样品")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#item-{key}", state="detached")
    assert int(page.get_attribute(f"[data-kpi=my_day_{count_kind}]", "data-value")) == before - 1
    assert page.evaluate("window.__pageId") == "same-page"  # swapped, never reloaded
    assert rep.horizontal_overflow() == 0
    rep.assert_clean()

    # no signal at the next gate: the visit waits on the phone, is sent when
    # the signal returns, and only then does its item leave the list
    item = page.locator("li.day-item:has([data-open-visit])").first
    key = item.get_attribute("data-key")
    item.locator("[data-open-visit]").click()
    form = item.locator("form#visit-form")
    form.wait_for()
    page.context.set_offline(True)
    form.locator("label.choice:has(input[value=routine])").click()
    notes = "门口没信号，先记在手机上"
    form.locator("textarea[name=notes]").fill(notes)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#visit-form [data-offline-state=waiting]")
    assert page.locator(f"#item-{key}").count() == 1
    assert _visits_with(live_server, notes) == 0
    page.context.set_offline(False)
    page.wait_for_selector(f"#item-{key}", state="detached")
    assert _visits_with(live_server, notes) == 1
    assert page.evaluate("window.__pageId") == "same-page"
    rep.assert_clean()

    # move a stalled factory on in place: "move the stage", then its one big button
    stalled = page.locator("li.day-item.kind-stalled").first
    key = stalled.get_attribute("data-key")
    stalled.locator(".day-action").click()
    stalled.locator("#next-stage-button").click()
    page.wait_for_selector(f"#item-{key}", state="detached")
    assert page.evaluate("window.__pageId") == "same-page"
    rep.assert_clean()

    # a count filters the list (htmx), and the URL says so
    page.click("a.day-count[href='/my-day?show=renewal']")
    page.wait_for_url("**/my-day?show=renewal")
    page.wait_for_selector("a.day-count[aria-current=true][href='/my-day?show=renewal']")
    assert set(_keys(page)) and all(k.startswith("renewal-") for k in _keys(page))

    # propose terms from the renewal item; back on My day it has left
    with page.expect_navigation(wait_until="networkidle"):
        page.locator(f"#item-{renewal} .day-action").click()
    assert page.url.endswith(f"/renewals/{live_server.term_id}")
    page.fill("#fee_cny", "98000")
    page.fill("#note", "九折续约，送一次直播培训")
    page.click("form[hx-post$='/proposal'] button[type=submit]")
    page.wait_for_selector("form[hx-post$='/proposal']", state="detached")
    rep.goto("/my-day")
    assert renewal not in _keys(page)
    rep.assert_clean()


def test_my_day_in_english(open_page):
    rep = open_page(PHONE)
    rep.login(REP)
    page = rep.page
    rep.switch_language("en")
    assert page.locator("html[lang=en]").count() == 1
    assert "overdue" in page.locator("li.day-item .reason").first.inner_text()
    assert rep.horizontal_overflow() == 0
    _shot(page, "my-day-phone-en")
    rep.switch_language("zh_CN")
    rep.assert_clean()
