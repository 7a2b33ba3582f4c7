"""Visits without a signal, in a real browser at 390x844 (static/js/offline.js):
a rep goes offline, logs a visit, sees it waiting and the offline banner,
comes back online and sees it sent; after a reload exactly one visit is on
the timeline and in the database. A visit whose request failed is queued
too, and a queued visit delivered twice still makes one row."""

import datetime
import os
import sqlite3
import time
import uuid

import pytest

from tests.browser.conftest import PHONE, ROOT

REP = "rep_guangzhou"
WORDS = {"zh_CN": {"offline": "离线", "waiting": "等待发送", "sent": "已发送", "shot": "zh"},
         "en": {"offline": "offline", "waiting": "Waiting to send", "sent": "Sent", "shot": "en"}}
QUEUE = "superfactory.offline-queue.v1"


def _visits(live_server, notes):
    return len(_visit_times(live_server, notes))


def _visit_times(live_server, notes):
    """When each visit with these notes happened (naive UTC, as stored)."""
    with sqlite3.connect(live_server.database_path) as connection:
        rows = connection.execute("SELECT visited_at FROM visit WHERE notes = ?", (notes,))
        return [datetime.datetime.fromisoformat(row[0]) for row in rows]


def _shot(page, name):
    """The top of the page down to the visit form's status (SAVE_SCREENSHOTS=1);
    caret="initial": hiding the caret injects a <style>, which the CSP refuses."""
    if os.environ.get("SAVE_SCREENSHOTS"):
        bottom = page.evaluate("document.querySelector('#visit-form').getBoundingClientRect().bottom"
                               " + window.scrollY")
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / f"{name}.png"), full_page=True,
                        caret="initial", clip={"x": 0, "y": 0, "width": PHONE["width"],
                                               "height": bottom + 8})


def _open_a_factory(watched, index=0, language="zh_CN"):
    watched.login(REP)
    if language != "zh_CN":
        watched.switch_language(language)
    hrefs = watched.page.eval_on_selector_all(
        "a.factory-name", "links => [...new Set(links.map(a => a.getAttribute('href')))]")
    watched.goto(hrefs[index])
    return hrefs[index]


def _fill_visit(page, notes):
    page.click("#visit-form label.choice:has(input[value=training])")
    page.fill("#visit-form #notes", notes)


def _timeline_entries(page, notes):
    return page.locator("#timeline-entries li.entry-visit", has_text=notes).count()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_visit_logged_offline_waits_then_is_sent_once(open_page, live_server, language):
    words = WORDS[language]
    rep = open_page(PHONE)
    _open_a_factory(rep, language=language)
    page = rep.page
    notes = f"离线拜访 {uuid.uuid4().hex[:8]}"
    assert page.locator("#offline-banner").is_hidden()

    page.context.set_offline(True)
    page.wait_for_selector("#offline-banner", state="visible")
    assert words["offline"] in page.inner_text("#offline-banner")
    _fill_visit(page, notes)
    page.click("#visit-form button[type=submit]")
    waiting = page.wait_for_selector("#visit-form [data-offline-state=waiting]")
    assert words["waiting"] in waiting.inner_text()
    _shot(page, f"offline-visit-waiting-phone-{words['shot']}")
    assert page.input_value("#visit-form #notes") == ""  # ready for the next visit
    assert _visits(live_server, notes) == 0
    assert _timeline_entries(page, notes) == 0
    time.sleep(1.5)  # the signal comes back later: the visit keeps the moment it was logged
    back_online = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

    page.context.set_offline(False)
    sent = page.wait_for_selector("#visit-form [data-offline-state=sent]")
    assert words["sent"] in sent.inner_text()
    _shot(page, f"offline-visit-sent-phone-{words['shot']}")
    assert page.locator("#visit-form [data-offline-state=waiting]").count() == 0
    assert page.locator("#offline-banner").is_hidden()
    assert _timeline_entries(page, notes) == 1
    assert page.evaluate(f"localStorage.getItem('{QUEUE}')") == "[]"
    assert rep.horizontal_overflow() == 0

    page.reload(wait_until="networkidle")
    assert _timeline_entries(page, notes) == 1
    [visited_at] = _visit_times(live_server, notes)
    assert back_online - datetime.timedelta(seconds=30) < visited_at < back_online
    rep.assert_clean()


def test_a_failed_send_is_queued_and_a_second_delivery_makes_no_second_visit(open_page, live_server):
    """The signal drops during the request (htmx:sendError): the visit is
    queued and sent on the next page load. Then the same entry is delivered
    again (as when the answer to the first delivery was lost): one row."""
    rep = open_page(PHONE)
    path = _open_a_factory(rep, index=1)
    page = rep.page
    notes = f"信号中断 {uuid.uuid4().hex[:8]}"
    page.route("**/visits", lambda route: route.abort("internetdisconnected"))
    _fill_visit(page, notes)
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#visit-form [data-offline-state=waiting]")
    assert page.locator("#offline-banner").is_visible()
    kept = page.evaluate(f"localStorage.getItem('{QUEUE}')")
    assert notes.split()[1] in kept
    page.unroute("**/visits")
    # The failed request itself is logged by the browser and by htmx; nothing else.
    assert all(any(known in error for known in ("sendError", "afterRequest", "ERR_INTERNET_DISCONNECTED"))
               for error in rep.console_errors), rep.console_errors
    rep.console_errors.clear()

    page.reload(wait_until="networkidle")
    page.wait_for_selector("#visit-form [data-offline-state=sent]")
    assert _visits(live_server, notes) == 1

    page.evaluate(f"localStorage.setItem('{QUEUE}', {kept!r})")  # delivered a second time
    page.reload(wait_until="networkidle")
    page.wait_for_selector("#visit-form [data-offline-state=sent]")
    assert page.evaluate(f"localStorage.getItem('{QUEUE}')") == "[]"
    assert _visits(live_server, notes) == 1
    assert _timeline_entries(page, notes) == 1
    assert page.url.endswith(path)

    # Someone else's waiting visit (a shared phone) is neither shown nor sent.
    theirs = page.evaluate(f"""() => {{
        const entries = JSON.parse({kept!r});
        entries.forEach(entry => {{ entry.user = 'someone-else'; }});
        return JSON.stringify(entries);
    }}""")
    page.evaluate(f"localStorage.setItem('{QUEUE}', {theirs!r})")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.reload(wait_until="networkidle")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1000)
    assert posts == []
    assert page.evaluate(f"localStorage.getItem('{QUEUE}')") == theirs
    assert page.locator("#visit-form [data-offline-state]").count() == 0
    rep.assert_clean()


def test_a_visit_the_device_cannot_keep_stays_in_the_form(open_page, live_server):
    """Storage refused (full, or a private window): the rep is told, and what
    they typed stays in the form instead of vanishing."""
    rep = open_page(PHONE)
    _open_a_factory(rep, index=2)
    page = rep.page
    notes = f"存不下 {uuid.uuid4().hex[:8]}"
    page.evaluate("() => { Storage.prototype.setItem = () => {"
                  " throw new DOMException('full', 'QuotaExceededError'); }; }")
    page.context.set_offline(True)
    _fill_visit(page, notes)
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#flash .flash-error >> text=本设备无法保存")
    assert page.input_value("#visit-form #notes") == notes
    assert page.locator("#visit-form [data-offline-state]").count() == 0
    page.context.set_offline(False)
    assert _visits(live_server, notes) == 0


def test_a_filter_change_that_cannot_reach_the_server_says_so(open_page):
    """Away from the visit form, an htmx request that cannot be sent shows the
    offline banner instead of doing nothing; the next answer hides it."""
    rep = open_page(PHONE)
    rep.login(REP)
    rep.goto("/sales/")
    page = rep.page
    tiers = page.eval_on_selector_all("form.filters select[name=tier] option",
                                      "options => options.map(o => o.value).filter(v => v)")
    dropped = lambda url: "tier=" in url  # noqa: E731
    page.route(dropped, lambda route: route.abort("internetdisconnected"))
    page.select_option("form.filters select[name=tier]", tiers[0])
    page.wait_for_selector("#offline-banner", state="visible")
    page.unroute(dropped)
    with page.expect_response(lambda response: "tier=" in response.url):
        page.select_option("form.filters select[name=tier]", tiers[1])
    page.wait_for_selector("#offline-banner", state="hidden")
    assert not rep.csp_violations and not rep.foreign_requests


def test_chromium_finds_the_app_installable(open_page):
    """Chromium's own check (DevTools' Page.getInstallabilityErrors): the
    manifest, its icons and the page are enough to put it on a home screen,
    and fetching them breaks no CSP rule."""
    rep = open_page(PHONE)
    rep.login(REP)
    page = rep.page
    devtools = page.context.new_cdp_session(page)
    manifest = devtools.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
    errors = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # A Playwright context is an incognito profile, where nothing installs.
    assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []
    rep.assert_clean()
