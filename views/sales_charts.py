"""The sales dashboards' charts: one function per chart, each returning a
``Chart`` (the Plotly figure, a one-sentence summary and the data table that
is its text alternative) from the same series rows as the tiles.

Series rows are ``metrics.sales.series`` rows: ``start`` (the first date of
the day, week or month) and the sales KPIs of SPEC section 4 for that bucket. Lines are told
apart by dash and marker as well as colour.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

import i18n
from charts import DASHES, PALETTE, SYMBOLS, figure_json, new_figure
from metrics.api_format import format_value


@dataclass(frozen=True)
class Chart:
    chart_id: str
    figure: str  # figure JSON, safe inside <script type="application/json">
    summary: str
    headers: tuple
    rows: tuple


def _floats(rows, name, percent=False):
    """Plotly wants plain numbers (the API's rounding); None (an empty
    denominator) leaves a gap. Rates become percentages with ``percent``."""
    values = []
    for row in rows:
        value = format_value(name, row.get(name))
        values.append(None if value is None else round(value * 100, 2) if percent else value)
    return values


def _line(x, y, name, index, **extra):
    return dict(type="scatter", mode="lines+markers", x=x, y=y, name=name,
                line=dict(color=PALETTE[index], dash=DASHES[index % len(DASHES)], width=2),
                marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=6), **extra)


def _total(rows, name):
    return sum((row.get(name) or 0) for row in rows)


def gmv_chart(rows, last_year_rows):
    """GMV per bucket, with the same buckets one year earlier overlaid."""
    x = [row["start"].isoformat() for row in rows]
    figure = new_figure(yaxis=dict(title=_("GMV (¥)"), tickformat="~s"))
    figure.add_trace(_line(x, _floats(rows, "gmv_cny"), _("This period"), 0))
    last_year = _floats(last_year_rows, "gmv_cny")
    if any(value for value in last_year):
        figure.add_trace(_line(x[:len(last_year)], last_year, _("A year earlier"), 1))
    total, before = _total(rows, "gmv_cny"), _total(last_year_rows, "gmv_cny")
    summary = _("GMV over the period: %(total)s (a year earlier: %(before)s).",
                total=i18n.format_money(total),
                before=i18n.format_money(before) if before else i18n.EMPTY)
    table = tuple(
        (row["start"].isoformat(), i18n.format_money_exact(row.get("gmv_cny")),
         i18n.format_money_exact(last_year_rows[i].get("gmv_cny")) if i < len(last_year_rows) else i18n.EMPTY)
        for i, row in enumerate(rows))
    return Chart("chart-gmv", figure_json(figure), summary,
                 (_("Period starting"), _("GMV"), _("A year earlier")), table)


def orders_chart(rows):
    """Orders as bars with the average order value as a line on its own axis."""
    x = [row["start"].isoformat() for row in rows]
    figure = new_figure(
        yaxis=dict(title=_("Orders")),
        yaxis2=dict(overlaying="y", side="right", rangemode="tozero", showgrid=False,
                    tickprefix="¥"),
        margin=dict(l=48, r=48, t=32, b=40),
    )
    figure.add_trace(dict(type="bar", x=x, y=_floats(rows, "orders"), name=_("Orders"),
                          marker=dict(color=PALETTE[5], pattern=dict(shape="/"))))
    figure.add_trace(_line(x, _floats(rows, "aov_cny"), _("Average order value"), 3,
                           yaxis="y2"))
    orders = _total(rows, "orders")
    summary = _("%(orders)s orders in the period.", orders=i18n.format_number(orders))
    table = tuple((row["start"].isoformat(), i18n.format_number(row.get("orders")),
                   i18n.format_money_exact(row.get("aov_cny"))) for row in rows)
    return Chart("chart-orders", figure_json(figure), summary,
                 (_("Period starting"), _("Orders"), _("Average order value")), table)


def rates_chart(rows, totals):
    """Drop-shipping share and the 48-hour pickup rate, in percent."""
    x = [row["start"].isoformat() for row in rows]
    figure = new_figure(yaxis=dict(title="%", ticksuffix="%", range=[0, 100]))
    figure.add_trace(_line(x, _floats(rows, "dropship_share", percent=True), _("Drop-shipping share"), 2))
    figure.add_trace(_line(x, _floats(rows, "pickup_48h_rate", percent=True), _("48-hour pickup rate"), 0))
    summary = _("Over the period: drop-shipping share %(dropship)s, 48-hour pickup rate %(pickup)s.",
                dropship=i18n.format_percent(totals.get("dropship_share")),
                pickup=i18n.format_percent(totals.get("pickup_48h_rate")))
    table = tuple((row["start"].isoformat(), i18n.format_percent(row.get("dropship_share")),
                   i18n.format_percent(row.get("pickup_48h_rate"))) for row in rows)
    return Chart("chart-rates", figure_json(figure), summary,
                 (_("Period starting"), _("Drop-shipping share"), _("48-hour pickup rate")), table)
