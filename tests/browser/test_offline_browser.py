"""Visits without a signal, in a real browser at 390x844 (static/js/offline.js):
a rep goes offline, logs a visit, sees it waiting and the offline banner,
comes back online and sees it sent; after a reload exactly one visit is on
the timeline and in the database. A visit whose request failed is queued
too, and a queued visit delivered twice still makes one row."""

import sqlite3
import uuid

from tests.browser.conftest import PHONE

REP = "rep_guangzhou"
QUEUE = "superfactory.offline-queue.v1"


def _visits(live_server, notes):
    with sqlite3.connect(live_server.database_path) as connection:
        return connection.execute("SELECT count(*) FROM visit WHERE notes = ?", (notes,)).fetchone()[0]


def _open_a_factory(watched, index=0):
    watched.login(REP)
    hrefs = watched.page.eval_on_selector_all(
        "a.factory-name", "links => [...new Set(links.map(a => a.getAttribute('href')))]")
    watched.goto(hrefs[index])
    return hrefs[index]


def _fill_visit(page, notes):
    page.click("#visit-form label.choice:has(input[value=training])")
    page.fill("#visit-form #notes", notes)


def _timeline_entries(page, notes):
    return page.locator("#timeline-entries li.entry-visit", has_text=notes).count()


def test_a_visit_logged_offline_waits_then_is_sent_once(open_page, live_server):
    rep = open_page(PHONE)
    _open_a_factory(rep)
    page = rep.page
    notes = f"离线拜访 {uuid.uuid4().hex[:8]}"
    assert page.locator("#offline-banner").is_hidden()

    page.context.set_offline(True)
    page.wait_for_selector("#offline-banner", state="visible")
    assert "离线" in page.inner_text("#offline-banner")
    _fill_visit(page, notes)
    page.click("#visit-form button[type=submit]")
    waiting = page.wait_for_selector("#visit-form [data-offline-state=waiting]")
    assert "等待发送" in waiting.inner_text()
    assert page.input_value("#visit-form #notes") == ""  # ready for the next visit
    assert _visits(live_server, notes) == 0
    assert _timeline_entries(page, notes) == 0

    page.context.set_offline(False)
    sent = page.wait_for_selector("#visit-form [data-offline-state=sent]")
    assert "已发送" in sent.inner_text()
    assert page.locator("#visit-form [data-offline-state=waiting]").count() == 0
    assert page.locator("#offline-banner").is_hidden()
    assert _timeline_entries(page, notes) == 1
    assert page.evaluate(f"localStorage.getItem('{QUEUE}')") == "[]"
    assert rep.horizontal_overflow() == 0

    page.reload(wait_until="networkidle")
    assert _timeline_entries(page, notes) == 1
    assert _visits(live_server, notes) == 1
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
    rep.assert_clean()


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
