"""The shared chart helpers: axes and hovers in the page's language, never
an SI "800m" on an empty axis, partial first/last buckets marked and
explained, and the figure JSON safe inside a page."""

import datetime
import json
import pathlib
import re

import pytest
from flask_babel import force_locale

import charts

D = datetime.date


@pytest.mark.parametrize("locale, values, expected", [
    ("zh_CN", [12_000_000, 30_000_000], ["¥0", "¥1,000 万", "¥2,000 万", "¥3,000 万"]),
    ("zh_CN", [180_000_000], ["¥0", "¥0.5 亿", "¥1 亿", "¥1.5 亿", "¥2 亿"]),
    ("zh_CN", [0, 800], ["¥0", "¥200", "¥400", "¥600", "¥800"]),
    ("en", [12_000_000, 30_000_000], ["¥0", "¥10M", "¥20M", "¥30M"]),
    ("en", [4_500], ["¥0", "¥2K", "¥4K", "¥6K"]),
    ("en", [None, 1_200_000], ["¥0", "¥0.5M", "¥1M", "¥1.5M"]),
])
def test_money_ticks_are_in_the_pages_language(app, locale, values, expected):
    with app.test_request_context("/"), force_locale(locale):
        axis = charts.money_axis(values)
    assert axis["ticktext"] == expected
    assert axis["range"][0] == 0 and axis["range"][1] >= max(v for v in values if v)


def test_an_empty_axis_shows_one_zero_tick_not_si_fractions(app):
    for locale in ("zh_CN", "en"):
        with app.test_request_context("/"), force_locale(locale):
            money = charts.money_axis([0, None, 0])
            count = charts.count_axis([])
        assert money == {"range": [0, 1], "tickvals": [0], "ticktext": ["¥0"]}
        assert count["ticktext"] == ["0"]


def test_count_ticks_are_whole_numbers(app):
    with app.test_request_context("/"), force_locale("en"):
        axis = charts.count_axis([3])
    assert axis["tickvals"] == [0, 1, 2, 3]
    with app.test_request_context("/"), force_locale("zh_CN"):
        assert charts.count_axis([60_000])["ticktext"][-1] == "6 万"


def test_dates_and_hovers_follow_the_language(app):
    with app.test_request_context("/"), force_locale("zh_CN"):
        assert charts.date_axis("week")["tickformat"] == "%-m月%-d日"
        assert charts.date_axis("month")["tickformat"] == "%Y年%-m月"
        assert charts.money_texts([123_456, None]) == ["¥12.35 万", "—"]
    with app.test_request_context("/"), force_locale("en"):
        assert charts.date_axis("day")["tickformat"] == "%b %-d"
        assert charts.money_texts([123_456]) == ["¥123.5K"]
        hover = charts.hover("GMV", ["¥1K"], [" (2/7 days)"])
    assert hover == {"customdata": ["¥1K (2/7 days)"], "hovertemplate": "GMV: %{customdata}<extra></extra>"}


def _week_rows(start, end):
    """Series rows of ISO weeks, clipped to start..end, like metrics.sales.series."""
    from metrics.period import Period

    return [{"start": bucket.start, "end": bucket.end} for bucket in Period(start, end).buckets("week")]


def test_a_period_starting_on_a_wednesday_and_ending_today_has_two_partial_weeks(app):
    # 2026-11-04 is a Wednesday; 2026-12-02 (today) is a Wednesday too.
    rows = _week_rows(D(2026, 11, 4), D(2026, 12, 2))
    covered = charts.coverage(rows, "week", today=D(2026, 12, 2))
    assert [(c.days, c.partial) for c in covered] == [
        (5, True), (7, False), (7, False), (7, False), (3, True)]
    assert covered[-1].open
    with app.test_request_context("/"), force_locale("en"):
        summary = charts.partial_summary(covered, "week")
        notes = charts.partial_notes(covered)
    assert summary == ("The first week has 5 of its 7 days. The last week has 3 of its 7 days "
                       "so far. Today is not over yet. Partial points are hollow, on a grey band.")
    assert notes == [" (5/7 days)", "", "", "", " (3/7 days)"]
    with app.test_request_context("/"), force_locale("zh_CN"):
        assert charts.partial_summary(covered, "week").startswith("第一周只有 5 天在所选期间内（共 7 天）。最后一周")


def test_whole_buckets_in_the_past_need_no_note(app):
    rows = _week_rows(D(2026, 11, 2), D(2026, 11, 29))  # Monday to Sunday
    covered = charts.coverage(rows, "week", today=D(2026, 12, 2))
    assert not any(c.partial for c in covered)
    with app.test_request_context("/"), force_locale("en"):
        assert charts.partial_summary(covered, "week") == ""


def test_partial_buckets_are_shaded_and_hollow(app):
    rows = _week_rows(D(2026, 11, 4), D(2026, 11, 29))
    covered = charts.coverage(rows, "week", today=D(2026, 12, 2))
    with app.test_request_context("/"), force_locale("en"):
        figure = charts.new_figure()
        charts.mark_partial(figure, covered)
    assert len(figure.layout.shapes) == 1 and figure.layout.annotations[0].text == "5/7 days"
    assert charts.partial_symbols("circle", covered)[:2] == ["circle-open", "circle"]
    assert charts.partial_opacity(covered)[:2] == [0.45, 1]


def test_figure_json_cannot_close_its_script_element():
    figure = charts.new_figure(title="</script><script>alert(1)</script> & more")
    text = charts.figure_json(figure)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["layout"]["title"]["text"].startswith("</script>")


def test_box_heights_are_the_reserved_ones():
    assert charts.box_height(100) == 320
    assert charts.box_height(321) == 400
    assert charts.box_height(5000) == charts.HEIGHTS[-1]


def test_no_template_loads_plotly_up_front():
    """plotly.js (about 310 KB compressed) is fetched by static/js/app.js
    only when a chart nears the viewport (issue 17); a ``<script src>`` for
    it in a template would make every phone parse it before the first tap."""
    script_tag = re.compile(r"<script\b[^>]*\bsrc=[^>]*plotly", re.IGNORECASE)
    offenders = [str(path) for path in pathlib.Path("templates").rglob("*.html")
                 if script_tag.search(path.read_text(encoding="utf-8"))]
    assert offenders == []

