"""Charts in a real browser: a swipe over a chart on a touch phone scrolls
the page (no zoom), plotly.js loads only when a chart nears the viewport
and draws it then, the page answers a filter before any chart is drawn,
axis titles clear their tick labels at 360 px, "Show data table" shows the
chart's table (served once, in <noscript>), and with JavaScript off the data
table stands in for the chart."""

import re

from tests.browser.conftest import DEMO_PASSWORD, LAPTOP

MANAGER = "manager_south"
NARROW = {"width": 360, "height": 740}


def _touch_page(browser, live_server, viewport=NARROW, **options):
    from tests.browser.conftest import WatchedPage

    context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=True,
                                  is_mobile=True, device_scale_factor=1, **options)
    return context, WatchedPage(context.new_page(), live_server)


def _swipe_up(session, x, y, distance=250, steps=10):
    """A finger drawn upwards over (x, y): real touch events through the
    browser's input pipeline, so plotly's touch handlers see them."""
    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, steps + 1):
        session.send("Input.dispatchTouchEvent", {
            "type": "touchMove", "touchPoints": [{"x": x, "y": y - distance * step / steps}]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _plotly_requests(watched):
    requests = []
    watched.page.on("request", lambda request: requests.append(request.url)
                    if "plotly" in request.url else None)
    return requests


def test_a_swipe_over_a_chart_scrolls_the_page_and_never_zooms(browser, live_server):
    context, watched = _touch_page(browser, live_server)
    try:
        watched.login(MANAGER)
        watched.goto("/sales/")
        page = watched.page
        box = page.locator("#chart-gmv")
        box.scroll_into_view_if_needed()
        page.wait_for_selector("#chart-gmv[data-chart-drawn] svg.main-svg")
        before_ticks = page.locator("#chart-gmv .xtick text").all_text_contents()
        scrolled = page.evaluate("window.scrollY")
        bounds = box.bounding_box()
        _swipe_up(context.new_cdp_session(page), bounds["x"] + bounds["width"] / 2,
                  bounds["y"] + bounds["height"] * 0.7)
        page.wait_for_timeout(300)
        assert page.evaluate("window.scrollY") > scrolled + 150  # the page moved
        assert page.locator("#chart-gmv .xtick text").all_text_contents() == before_ticks
        assert page.locator(".notifier-note").count() == 0  # no "double-click to zoom back out"
        watched.assert_clean()
    finally:
        context.close()


def test_plotly_loads_only_when_a_chart_nears_the_viewport(browser, live_server):
    context, watched = _touch_page(browser, live_server)
    try:
        requests = _plotly_requests(watched)
        watched.login(MANAGER)
        assert watched.page.url.endswith("/regions")
        requests.clear()  # /regions has its chart in view
        watched.goto("/sales/")
        page = watched.page
        assert requests == []  # the charts are below the fold on a phone
        assert page.locator("svg.main-svg").count() == 0
        page.locator("#chart-rates").scroll_into_view_if_needed()
        page.wait_for_selector("#chart-rates[data-chart-drawn] svg.main-svg")
        assert any("vendor/plotly.min.js" in url for url in requests)
        assert any("plotly-locale-zh-cn" in url for url in requests)
        # dates in Chinese from the locale and the translated formats
        assert any("月" in text for text in page.locator("#chart-rates .xtick text").all_text_contents())
        # the page's font, Chinese fonts first on a Chinese page (app.css)
        page_font = page.evaluate("getComputedStyle(document.getElementById('chart-rates')).fontFamily")
        assert page_font.startswith('"PingFang SC", "Noto Sans CJK SC"')
        chart_font = page.locator("#chart-rates .xtick text").first.evaluate("e => e.style.fontFamily")
        assert chart_font.replace("'", '"') == page_font
        # English pages start with the system font, and so do their charts
        watched.switch_language("en")
        try:
            page.locator("#chart-rates").scroll_into_view_if_needed()
            page.wait_for_selector("#chart-rates[data-chart-drawn] svg.main-svg")
            page_font = page.evaluate("getComputedStyle(document.getElementById('chart-rates')).fontFamily")
            assert page_font.startswith("system-ui")
            chart_font = page.locator("#chart-rates .xtick text").first.evaluate(
                "e => e.style.fontFamily")
            assert chart_font.replace("'", '"') == page_font
        finally:
            watched.switch_language("zh_CN")
        watched.assert_clean()
    finally:
        context.close()


def test_pages_without_charts_load_no_chart_script(browser, live_server):
    context, watched = _touch_page(browser, live_server)
    try:
        requests = _plotly_requests(watched)
        watched.login("rep_guangzhou")
        assert watched.page.url.endswith("/my-day")
        watched.page.mouse.wheel(0, 5000)
        watched.page.wait_for_timeout(300)
        assert requests == []
    finally:
        context.close()


def test_a_filter_answers_before_any_chart_is_drawn(open_page):
    watched = open_page(LAPTOP)
    watched.login(MANAGER)
    page = watched.page
    held = []
    page.route(re.compile(r".*/vendor/plotly\.min\.js.*"), lambda route: held.append(route))
    watched.page.goto(watched.base_url + "/sales/", wait_until="domcontentloaded")
    page.wait_for_selector("#f-period")
    page.wait_for_timeout(200)
    assert held, "plotly.js was not even asked for: the first chart is in view"
    page.select_option("#f-period", "last_30")
    page.wait_for_url(re.compile(r"period=last_30"))
    page.wait_for_selector("#f-period >> option[value=last_30][selected]", state="attached")
    assert page.locator("svg.main-svg").count() == 0  # nothing drawn yet, yet the page answered
    for route in held:
        route.continue_()
    page.unroute(re.compile(r".*/vendor/plotly\.min\.js.*"))
    page.wait_for_selector("#chart-gmv[data-chart-drawn] svg.main-svg")


def test_show_data_table_opens_the_charts_table_also_after_a_swap(open_page):
    """The table is served once (in <noscript>); the toggle shows a copy of
    it, on the page as loaded and on a dashboard htmx has swapped in."""
    watched = open_page(LAPTOP)
    watched.login(MANAGER)
    page = watched.page
    watched.goto("/sales/")
    for _ in range(2):
        figure = page.locator("figure.chart").first
        expected = figure.locator("noscript").inner_html()
        rows = figure.locator("details table tbody tr")
        assert rows.count() == 0  # nothing parsed twice before it is asked for
        figure.locator("details summary").click()
        rows.first.wait_for()
        assert rows.first.is_visible()
        assert rows.count() == expected.count("<tr>") - 1  # the header row is in <thead>
        figure.locator("details summary").click()
        figure.locator("details summary").click()
        assert rows.count() == expected.count("<tr>") - 1  # copied once
        page.select_option("#f-period", "last_30")
        page.wait_for_url(re.compile(r"period=last_30"))
        page.wait_for_selector("#f-period >> option[value=last_30][selected]", state="attached")
    watched.assert_clean()


def test_axis_titles_clear_their_tick_labels_at_360px(browser, live_server):
    context, watched = _touch_page(browser, live_server)
    try:
        watched.login(MANAGER)
        watched.goto("/sales/")
        page = watched.page
        for chart in ("#chart-gmv", "#chart-orders"):
            page.locator(chart).scroll_into_view_if_needed()
            page.wait_for_selector(f"{chart}[data-chart-drawn] svg.main-svg")
            title = page.locator(f"{chart} .ytitle").bounding_box()
            for tick in page.locator(f"{chart} .ytick text").all():
                label = tick.bounding_box()
                assert title["x"] + title["width"] <= label["x"] + 0.5, (chart, title, label)
        assert watched.horizontal_overflow() == 0
    finally:
        context.close()


def test_without_javascript_each_chart_is_its_data_table(browser, live_server):
    context = browser.new_context(viewport=NARROW, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/login")
        page.fill("input[name=username]", MANAGER)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        page.goto(live_server + "/sales/")
        for chart in page.locator("figure.chart").all():
            assert not chart.locator(".chart-plot").is_visible()
            assert chart.locator("noscript table tbody tr").first.is_visible()
    finally:
        context.close()
