"""The factory page in a real browser at 390x844: a rep opens a factory from
My day, moves it to the next stage, logs a visit with a next action, and sees
both on the timeline without a reload; a manager moves a stage and the rep's
bell shows it. With SAVE_SCREENSHOTS=1 it also writes docs/screenshots."""

import os
import re

from tests.browser.conftest import LAPTOP, PHONE, ROOT

REP = "rep_guangzhou"
MANAGER = "manager_south"
OWNER = "owner_baiyun"
SHOTS = ROOT / "docs" / "screenshots"


def _shot(page, name):
    if os.environ.get("SAVE_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _unread(page):
    return int(page.get_attribute("#bell .bell-count", "data-unread"))


def _open_a_factory_from_my_day(watched):
    """Click the factory of My day's first stalled-onboarding item (stalled
    means neither live nor lost: it has a next stage to go to)."""
    page = watched.page
    link = page.locator("li.day-item.kind-stalled a.factory-name").first
    href = link.get_attribute("href")
    assert href, "no stalled factory in My day"
    with page.expect_navigation(wait_until="networkidle"):
        link.click()
    return href


def test_rep_moves_a_stage_and_logs_a_visit_then_a_managers_move_rings_the_bell(open_page):
    rep = open_page(PHONE)
    rep.login(REP)
    page = rep.page
    assert page.url.endswith("/my-day")
    path = _open_a_factory_from_my_day(rep)
    assert page.url.endswith(path)
    assert rep.horizontal_overflow() == 0
    page.evaluate("window.__pageId = 'same-page'")

    before = page.get_attribute("#current-stage", "data-stage")
    page.click("#next-stage-button")
    page.wait_for_selector(f"#current-stage:not([data-stage='{before}'])")
    moved_to = page.get_attribute("#current-stage", "data-stage")
    assert moved_to and moved_to != before
    assert page.get_attribute("#timeline-entries li.entry:first-child", "data-kind") == "stage"

    page.click("label.choice:has(input[value=training])")
    page.fill("#notes", "教他们做一件代发的上架")
    page.click("[data-quick-picks] button[data-days='7']")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", page.input_value("#next_action_on"))
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#timeline-entries li.entry-visit:first-child >> text=教他们做一件代发的上架")
    first = page.locator("#timeline-entries li.entry").first
    assert "一件代发" in first.inner_text()
    assert page.locator("#timeline-entries li.entry-stage").count() >= 1
    assert page.evaluate("window.__pageId") == "same-page"  # swapped, never reloaded
    assert rep.horizontal_overflow() == 0
    assert rep.serious_accessibility_violations() == []
    _shot(page, "factory-rep-phone-zh")
    rep.assert_clean()

    unread = _unread(page)
    manager = open_page(LAPTOP)
    manager.login(MANAGER)
    manager.goto(path)
    manager.page.click("#next-stage-button")
    manager.page.wait_for_selector(f"#current-stage:not([data-stage='{moved_to}'])")
    _shot(manager.page, "factory-manager-laptop-zh")
    manager.assert_clean()

    rep.goto("/my-day")  # the bell is fresh on every page (and polls every 60 s)
    assert _unread(page) == unread + 1
    rep.goto("/notifications/")
    assert "推进到" in page.locator("li.notification.is-unread").first.inner_text()
    rep.assert_clean()


def test_the_owner_page_on_a_phone_has_no_staff_items(open_page):
    owner = open_page(PHONE)
    owner.login(OWNER)
    page = owner.page
    with page.expect_navigation(wait_until="networkidle"):
        page.click("nav.site-nav a[href='/factories/']")
    assert re.search(r"/factories/[^/]+$", page.url)
    assert page.locator("[data-staff-only], #stage-forms, #visit-form").count() == 0
    assert owner.horizontal_overflow() == 0
    assert owner.serious_accessibility_violations() == []
    _shot(page, "factory-owner-phone-zh")
    owner.assert_clean()


def test_english_screenshots(open_page):
    """The same pages in English (the language switch in the header)."""
    for username, viewport, name in ((REP, PHONE, "factory-rep-phone-en"),
                                     (OWNER, PHONE, "factory-owner-phone-en"),
                                     (MANAGER, LAPTOP, "factory-manager-laptop-en")):
        watched = open_page(viewport)
        watched.login(username)
        page = watched.page
        watched.switch_language("en")
        if username == OWNER:
            watched.goto("/factories/")
        else:
            if username == MANAGER:
                watched.goto("/sales/?level=factories")
                href = page.get_attribute("table.ranking tbody th a", "href")
            else:
                href = page.get_attribute("a.factory-name", "href")
            watched.goto(href)
        assert page.locator("html[lang=en]").count() == 1
        _shot(page, name)
        assert watched.horizontal_overflow() == 0
        watched.assert_clean()
        # The switch is remembered on the user: back to Chinese for the tests after this one.
        watched.switch_language("zh_CN")
