"""The sales pages in a real browser: charts draw, filters swap the partial
and push the URL, the back button restores, and nothing breaks on a phone."""

import re

from tests.browser.conftest import LAPTOP, PHONE

OWNER = "owner_baiyun"  # demo_data's high-ROI owner
MANAGER = "manager_south"


def _tile(page, name):
    return page.get_attribute(f'[data-kpi="{name}"]', "data-value")


def _wait_for_charts(page, count):
    """Scroll to each of the first ``count`` charts (they are drawn when they
    near the viewport) and wait until it has drawn its SVG. (Selectors, not
    ``wait_for_function``: the page's CSP rightly forbids Playwright's eval.)"""
    for number in range(1, count + 1):
        page.locator(f".chart:nth-of-type({number}) .chart-plot").scroll_into_view_if_needed()
        page.wait_for_selector(f".chart:nth-of-type({number}) .chart-plot svg.main-svg",
                               state="attached")
    assert page.locator(".chart-plot svg.main-svg").count() >= count


def test_owner_page_on_a_phone(open_page):
    watched = open_page(PHONE)
    watched.login(OWNER)
    assert watched.page.url.endswith("/my-factory")
    _wait_for_charts(watched.page, 3)
    assert float(_tile(watched.page, "membership_roi")) > 1
    assert _tile(watched.page, "gmv_cny")
    assert watched.horizontal_overflow() == 0
    assert watched.serious_accessibility_violations() == []
    watched.assert_clean()


def test_owner_period_change_swaps_the_partial_and_back_restores(open_page):
    watched = open_page(LAPTOP)
    watched.login(OWNER)
    page = watched.page
    before = _tile(page, "gmv_cny")
    page.evaluate("window.__pageId = 'same-page'")
    page.select_option("#f-period", "last_30")
    page.wait_for_url(re.compile(r"period=last_30"))
    page.wait_for_selector(f'[data-kpi=gmv_cny]:not([data-value="{before}"])')
    _wait_for_charts(page, 3)
    assert page.evaluate("window.__pageId") == "same-page"  # swapped, not reloaded
    page.go_back()
    page.wait_for_url(re.compile(r"/my-factory$"))
    page.wait_for_selector(f'[data-kpi=gmv_cny][data-value="{before}"]')
    _wait_for_charts(page, 3)
    watched.assert_clean()


def test_manager_dashboard_filters_sort_and_drill_down(open_page):
    watched = open_page(LAPTOP)
    watched.login(MANAGER)
    page = watched.page
    watched.goto("/sales/")
    _wait_for_charts(page, 3)
    page.check("input[name=grain][value=month]", force=True)
    page.wait_for_url(re.compile(r"grain=month"))
    first_row = page.inner_text("table.ranking tbody tr th")
    page.click("table.ranking thead a:has-text('订单数')")
    page.wait_for_url(re.compile(r"sort=orders"))
    page.wait_for_selector("table.ranking th[aria-sort=descending] a:has-text('订单数')")
    assert "grain=month" in page.url
    page.click("table.ranking tbody tr th a")
    page.wait_for_load_state("networkidle")
    assert "region=" in page.url and "grain=month" in page.url
    assert page.inner_text("table.ranking tbody tr th") != first_row  # now the region's reps
    _wait_for_charts(page, 3)
    watched.assert_clean()


def test_manager_dashboard_on_a_phone(open_page):
    watched = open_page(PHONE)
    watched.login(MANAGER)
    watched.goto("/sales/")
    _wait_for_charts(watched.page, 3)
    assert watched.horizontal_overflow() == 0
    assert watched.serious_accessibility_violations() == []
    watched.assert_clean()
