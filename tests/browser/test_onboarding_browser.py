"""The onboarding dashboard in a real browser: a filter change swaps only
the dashboard partial and pushes the URL, the back button restores the
previous view, sorting the stalled list swaps only that table, and a rep's
phone view has no sideways scroll."""

import re

from tests.browser.conftest import LAPTOP, PHONE

MANAGER = "manager_south"
REP = "rep_guangzhou"


def _tile(page, name):
    return page.get_attribute(f'[data-kpi="{name}"]', "data-value")


def test_filter_change_swaps_the_partial_and_back_restores(open_page):
    watched = open_page(LAPTOP)
    watched.login(MANAGER)
    page = watched.page
    watched.goto("/onboarding/?period=last_90")
    before = _tile(page, "leads")
    page.wait_for_selector("#chart-funnel svg.main-svg", state="attached")
    page.evaluate("window.__pageId = 'same-page'")
    page.select_option("#f-period", "this_year")
    page.wait_for_url(re.compile(r"period=this_year"))
    page.wait_for_selector(f'[data-kpi=leads]:not([data-value="{before}"])')
    page.wait_for_selector("#chart-funnel svg.main-svg", state="attached")
    assert page.evaluate("window.__pageId") == "same-page"  # swapped, not reloaded
    page.go_back()
    page.wait_for_url(re.compile(r"period=last_90"))
    page.wait_for_selector(f'[data-kpi=leads][data-value="{before}"]')
    # Sorting the stalled list swaps that table alone and keeps the period.
    first = page.inner_text("#stalled tbody tr th")
    page.click("#stalled thead a:has-text('工厂')")
    page.wait_for_url(re.compile(r"stalled_sort=factory"))
    assert "period=last_90" in page.url
    page.wait_for_selector("#stalled th[aria-sort] a:has-text('工厂')")
    assert page.evaluate("window.__pageId") == "same-page"
    assert page.inner_text("#stalled tbody tr th") != first or page.locator(
        "#stalled tbody tr").count() == 1
    watched.assert_clean()


def test_rep_on_a_phone(open_page):
    watched = open_page(PHONE)
    watched.login(REP)
    watched.goto("/onboarding/")
    # Charts are drawn when they near the viewport (issue 17): scroll to it.
    watched.page.locator("#chart-funnel").scroll_into_view_if_needed()
    watched.page.wait_for_selector("#chart-funnel svg.main-svg", state="attached")
    assert int(_tile(watched.page, "stalled")) >= 1
    assert watched.page.locator("#speed").count() == 0
    assert watched.horizontal_overflow() == 0
    assert watched.serious_accessibility_violations() == []
    watched.assert_clean()
