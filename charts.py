"""Shared Plotly look, language-aware axes and hovers, partial buckets, and
the safe embedding of figures in pages.

How a dashboard makes a chart (every dashboard gets the same behaviour for
free by going through these helpers):

1. One small function per chart builds its figure with ``new_figure()``
   (the product's template: colours, fonts, ``automargin`` so axis titles
   never overlap tick labels on a 360 px phone, a fixed height the page
   reserves before anything is drawn).
2. Value axes come from ``money_axis`` / ``count_axis`` / ``percent_axis``:
   the ticks are computed here in the page's language (¥50 万, ¥1.2 亿 in
   Chinese; ¥500K, ¥1.2M in English) and an empty series gets a plain 0
   axis, never plotly's SI "800m". Dates come from ``date_axis(grain)``
   (10月5日 in Chinese, Oct 5 in English). Hover texts come from
   ``money_texts`` / ``count_texts`` / ``percent_texts`` through
   ``hover(name, texts)``.
3. Series of days, weeks or months go through ``coverage`` and
   ``mark_partial``: a first or last week/month clipped by the period, or a
   bucket that contains today (still open), is drawn hollow on a shaded
   band labelled "2/7 days", and ``partial_summary`` says so in words for
   the chart's summary.
4. The function returns a ``Chart``; the page renders it with the
   ``chart`` macro of ``templates/_partials/_chart.html`` (a box of the
   chart's height, the figure as JSON, the summary, the data table, and the
   table instead of the box when JavaScript is off), and
   ``static/js/app.js`` loads plotly.js only when a chart nears the
   viewport, draws one chart per task, and on touch screens makes the chart
   static so a swipe scrolls the page (zoom only with a mouse).
"""

import calendar
import datetime
import math
import dataclasses
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio
from flask_babel import get_locale
from flask_babel import gettext as _

import i18n
from i18n import is_chinese
from metrics import cache
from metrics.period import shanghai_today

# Colour-blind-safe palette (Okabe-Ito); series are also told apart by
# marker symbol and dash so no chart relies on colour alone.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
DASHES = ["solid", "dash", "dot", "dashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up"]

# The heights a chart box may have: static/css/app.css reserves each one
# (``.chart-plot[data-height=N]``) so nothing shifts when the chart is drawn.
HEIGHTS = (320, 400, 480, 560, 640, 800)
DEFAULT_HEIGHT = HEIGHTS[0]
PARTIAL_BAND = "rgba(107, 114, 128, 0.12)"

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        colorway=PALETTE,
        # No family: static/js/app.js gives each chart its box's font, the
        # page's (static/css/app.css, Chinese fonts first on Chinese pages).
        font=dict(size=13),
        height=DEFAULT_HEIGHT,
        margin=dict(l=8, r=8, t=40, b=8),
        hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(gridcolor="#e5e7eb", automargin=True),
        yaxis=dict(gridcolor="#e5e7eb", rangemode="tozero", automargin=True,
                   title=dict(standoff=8)),
    )
)


@dataclass(frozen=True)
class Chart:
    """One chart as a page needs it: the figure JSON (safe inside
    ``<script type="application/json">``), a one-sentence summary, the data
    table that is its text alternative, and the box height to reserve."""

    chart_id: str
    figure: str
    summary: str
    headers: tuple = ()
    rows: tuple = ()
    height: int = DEFAULT_HEIGHT


def remembered(reads, name, parts, build):
    """The ``Chart``s ``build()`` returns, kept by ``metrics.cache`` while the
    tables ``reads`` are unchanged (building Plotly figures costs more than
    reading their data from the cache). ``parts``: what the data depends on
    (scope, period, grain); the page's language and today's date (an open
    bucket is marked so) are added here."""
    stored = cache.remembered(
        reads, f"charts {name}", [parts, str(get_locale()), shanghai_today().isoformat()],
        lambda: [dataclasses.asdict(chart) for chart in build()])
    return [Chart(**dict(fields, headers=tuple(fields["headers"]),
                         rows=tuple(tuple(row) for row in fields["rows"])))
            for fields in stored]


def new_figure(**layout):
    """An empty figure with the product's template and ``layout`` applied."""
    return go.Figure(layout=dict(template=TEMPLATE, **layout))


def box_height(needed):
    """The smallest reserved box height that fits ``needed`` pixels."""
    return next((height for height in HEIGHTS if height >= needed), HEIGHTS[-1])


def figure_json(figure):
    """The figure as JSON that is safe inside ``<script type=application/json>``:
    ``<``, ``>`` and ``&`` are escaped so no text can close the element."""
    text = pio.to_json(figure, validate=False, engine="json")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- value axes and hover texts ------------------------------------------------

def _units():
    """(size, suffix) from the largest, in the page's language."""
    if is_chinese():
        return ((10 ** 8, "亿"), (10 ** 4, "万"))
    return ((10 ** 9, "B"), (10 ** 6, "M"), (10 ** 3, "K"))


def _trimmed(number, decimals):
    text = f"{number:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def tick_labels(ticks, money=False):
    """Tick labels in the page's language, all in the unit of the largest
    tick: ¥0, ¥0.5 亿, ¥1 亿 / ¥0, ¥500K, ¥1,000K (¥ first with ``money``).
    Unlike ``i18n.format_money`` they drop trailing zeros; the distance
    between ticks sets the decimals so neighbouring ticks never read the same."""
    prefix = "¥" if money else ""
    top = ticks[-1]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    size, suffix = next(((size, suffix) for size, suffix in _units() if top >= size), (1, ""))
    decimals = min(2, max(0, math.ceil(-math.log10(step / size) - 1e-9)))
    space = " " if suffix and is_chinese() else ""  # as i18n.format_money writes it
    return [f"{prefix}{_trimmed(tick / size, decimals)}{space if tick else ''}{suffix if tick else ''}"
            for tick in ticks]


def _nice_step(top, ticks=4):
    """A 1/2/2.5/5 × 10^n step giving about ``ticks`` intervals up to ``top``."""
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _value_axis(values, money=False, integer=False, **extra):
    """A y (or x) axis from 0 with ticks labelled by ``tick_labels``; an all-empty
    series gets one 0 tick on a 0..1 range (plotly would print 0.2, 0.4 or
    SI "800m" there)."""
    top = max((value for value in values if value is not None), default=0)
    if top <= 0:
        return dict(range=[0, 1], tickvals=[0], ticktext=tick_labels([0], money=money), **extra)
    step = _nice_step(top)
    if integer:
        step = max(1, math.ceil(step))
    count = math.ceil(top / step - 1e-9)
    ticks = [step * n for n in range(count + 1)]
    return dict(range=[0, ticks[-1] * 1.04], tickvals=ticks,
                ticktext=tick_labels(ticks, money=money), **extra)


def money_axis(values, **extra):
    """An axis of yuan amounts: ¥0, ¥50万, ¥100万 … / ¥0, ¥500K, ¥1M …"""
    return _value_axis(values, money=True, **extra)


def count_axis(values, **extra):
    """An axis of counts (whole numbers): 0, 5,000, 1万 … / 0, 5K, 10K …"""
    return _value_axis(values, integer=True, **extra)


def percent_axis(**extra):
    """An axis of percentages, 0 to 100."""
    return dict(range=[0, 100], tickvals=[0, 25, 50, 75, 100],
                ticktext=["0%", "25%", "50%", "75%", "100%"], **extra)


def money_texts(values):
    """Hover texts of yuan amounts, as the tiles show money (¥12.35 万 / ¥123.5K)."""
    return [i18n.format_money(value) for value in values]


def count_texts(values):
    """Hover texts of counts with grouping."""
    return [i18n.format_number(value) for value in values]


def percent_texts(values):
    """Hover texts of percentages (values already × 100)."""
    return [i18n.format_percent(None if value is None else value / 100) for value in values]


def hover(name, texts, notes=None):
    """``customdata`` and ``hovertemplate`` so plotly shows ``texts`` (already
    in the page's language) instead of its own number format; ``notes``
    (one per point, may be empty) follow the value."""
    notes = notes or [""] * len(texts)
    return dict(customdata=[f"{text}{note}" for text, note in zip(texts, notes)],
                hovertemplate=f"{name}: %{{customdata}}<extra></extra>")


# --- dates and partial buckets --------------------------------------------------

def date_axis(grain, **extra):
    """A date axis whose ticks and hover header are in the page's language."""
    if grain == "month":
        tick, header = _("%b %Y"), _("%B %Y")
    elif grain == "week":
        tick, header = _("%b %-d"), _("Week of %b %-d, %Y")
    else:
        tick, header = _("%b %-d"), _("%a, %b %-d, %Y")
    return dict(type="date", tickformat=tick, hoverformat=header, **extra)


def _full_days(start, grain):
    if grain == "month":
        return calendar.monthrange(start.year, start.month)[1]
    return 7 if grain == "week" else 1


@dataclass(frozen=True)
class Coverage:
    """How much of its day, week or month a bucket covers."""

    start: datetime.date
    days: int  # days of the bucket inside the period, up to today
    full: int  # days of a whole bucket of this grain
    open: bool  # the bucket contains today, so its numbers still grow

    @property
    def partial(self):
        return self.open or self.days < self.full


def coverage(rows, grain, today):
    """One ``Coverage`` per series row (``start``/``end`` of each bucket)."""
    result = []
    for row in rows:
        end = min(row["end"], today)
        days = max(0, (end - row["start"]).days + 1)
        result.append(Coverage(row["start"], days, _full_days(row["start"], grain),
                               row["start"] <= today <= row["end"]))
    return result


def _band_label(item):
    if item.days < item.full:
        return _("%(days)s/%(full)s days", days=item.days, full=item.full)
    return _("so far")


def partial_notes(covered):
    """Per point, what to add to its hover text ("" for a whole bucket)."""
    return [f" ({_band_label(item)})" if item.partial else "" for item in covered]


def mark_partial(figure, covered):
    """Shade each partial bucket and label it "2/7 days" (or "so far")."""
    for index, item in enumerate(covered):
        if not item.partial:
            continue
        # Points sit on their bucket's first day: the band spans half a
        # whole bucket either side of it.
        center = datetime.datetime.combine(item.start, datetime.time())
        half = datetime.timedelta(hours=12 * item.full)
        left, right = center - half, center + half
        figure.add_shape(type="rect", xref="x", yref="paper", x0=left.isoformat(),
                         x1=right.isoformat(), y0=0, y1=1, fillcolor=PARTIAL_BAND,
                         line=dict(width=0), layer="below")
        figure.add_annotation(x=center.isoformat(), xref="x", y=1, yref="paper",
                              yanchor="top", showarrow=False, text=_band_label(item),
                              font=dict(size=11, color="#4b5563"))


def start_cells(covered):
    """A chart table's first column: each bucket's first day, and "(2/7
    days)" when it is partial, so the table says what the shaded band says."""
    return [item.start.isoformat() + note for item, note in zip(covered, partial_notes(covered))]


def partial_symbols(symbol, covered):
    """Marker symbols per point: hollow where the bucket is partial."""
    return [f"{symbol}-open" if item.partial else symbol for item in covered]


def bar_width(grain, share):
    """A bar's width on a date axis, in milliseconds: ``share`` of a whole
    day, week or month. Plotly would size bars by the closest two points,
    and a clipped first week (starting on a Thursday) makes every bar thin."""
    days = {"day": 1, "week": 7}.get(grain, 30)
    return days * share * 24 * 3600 * 1000


def partial_opacity(covered):
    """Bar opacity per bar: faded where the bucket is partial."""
    return [0.45 if item.partial else 1 for item in covered]


def partial_summary(covered, grain, bars=False):
    """The sentences a chart summary adds when its first or last bucket is
    partial, or "" when every bucket is whole. ``bars``: the chart has only
    bars, drawn faded (``partial_opacity``) where a line's points are hollow."""
    if not covered or not any(item.partial for item in covered):
        return ""
    first, last = covered[0], covered[-1]
    sentences = []
    if first.days < first.full and len(covered) > 1:
        sentences.append(_("The first week has %(days)s of its 7 days.", days=first.days)
                         if grain == "week" else
                         _("The first month has %(days)s of its %(full)s days.",
                           days=first.days, full=first.full))
    if last.days < last.full:
        sentences.append(_("The last week has %(days)s of its 7 days so far.", days=last.days)
                         if grain == "week" else
                         _("The last month has %(days)s of its %(full)s days so far.",
                           days=last.days, full=last.full))
    if last.open:
        sentences.append(_("Today is not over yet."))
    sentences.append(_("Partial bars are faded, on a grey band.") if bars
                     else _("Partial points are hollow, on a grey band."))
    return join_sentences(*sentences)


def join_sentences(*sentences):
    """Sentences as one text: Chinese sentences run on, English ones take a space."""
    return ("" if is_chinese() else " ").join(sentence for sentence in sentences if sentence)
