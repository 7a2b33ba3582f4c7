"""The sales dashboards' charts: one function per chart, each returning a
``charts.Chart`` (the Plotly figure, a summary and the data table that is
its text alternative) from the same series rows as the tiles.

Series rows are ``metrics.sales.series`` rows: ``start`` and ``end`` (the
first and last date of the day, week or month, clipped to the period) and
the sales KPIs of SPEC section 4 for that bucket. Lines are told apart by
dash and marker as well as colour; axes, hovers and partial buckets come
from ``charts`` (see its docstring).
"""

from flask_babel import gettext as _

import charts
import i18n
from charts import DASHES, PALETTE, SYMBOLS, Chart, figure_json, new_figure
from metrics.api_format import format_value
from metrics.period import shanghai_today


def _floats(rows, name, percent=False):
    """Plotly wants plain numbers (the API's rounding); None (an empty
    denominator) leaves a gap. Rates become percentages with ``percent``."""
    values = []
    for row in rows:
        value = format_value(name, row.get(name))
        values.append(None if value is None else round(value * 100, 2) if percent else value)
    return values


def _line(x, y, name, index, texts, covered=None, **extra):
    """A line of the product's look; hollow markers on partial buckets."""
    symbol = SYMBOLS[index % len(SYMBOLS)]
    notes = charts.partial_notes(covered) if covered else None
    return dict(type="scatter", mode="lines+markers", x=x, y=y, name=name,
                line=dict(color=PALETTE[index], dash=DASHES[index % len(DASHES)], width=2),
                marker=dict(symbol=charts.partial_symbols(symbol, covered) if covered else symbol,
                            size=7),
                **charts.hover(name, texts, notes), **extra)


def _total(rows, name):
    return sum((row.get(name) or 0) for row in rows)


def _summary(text, covered, grain):
    return charts.join_sentences(text, charts.partial_summary(covered, grain))


def gmv_chart(rows, last_year_rows, grain, today=None):
    """GMV per bucket, with the same buckets one year earlier overlaid."""
    covered = charts.coverage(rows, grain, today or shanghai_today())
    x = [row["start"].isoformat() for row in rows]
    gmv, last_year = _floats(rows, "gmv_cny"), _floats(last_year_rows, "gmv_cny")
    figure = new_figure(xaxis=charts.date_axis(grain),
                        yaxis=charts.money_axis(gmv + last_year, title=_("GMV (¥)")))
    name = _("This period")
    figure.add_trace(_line(x, gmv, name, 0, charts.money_texts(gmv), covered))
    if any(value for value in last_year):
        before_name = _("A year earlier")
        figure.add_trace(_line(x[:len(last_year)], last_year, before_name, 1,
                               charts.money_texts(last_year)))
    charts.mark_partial(figure, covered)
    total, before = _total(rows, "gmv_cny"), _total(last_year_rows, "gmv_cny")
    summary = _("GMV over the period: %(total)s (a year earlier: %(before)s).",
                total=i18n.format_money(total),
                before=i18n.format_money(before) if before else i18n.EMPTY)
    table = tuple(
        (start, i18n.format_money_exact(row.get("gmv_cny")),
         i18n.format_money_exact(last_year_rows[i].get("gmv_cny")) if i < len(last_year_rows) else i18n.EMPTY)
        for i, (start, row) in enumerate(zip(charts.start_cells(covered), rows)))
    return Chart("chart-gmv", figure_json(figure), _summary(summary, covered, grain),
                 (_("Period starting"), _("GMV"), _("A year earlier")), table)


def orders_chart(rows, grain, today=None):
    """Orders as bars with the average order value as a line on its own axis."""
    covered = charts.coverage(rows, grain, today or shanghai_today())
    x = [row["start"].isoformat() for row in rows]
    orders, aov = _floats(rows, "orders"), _floats(rows, "aov_cny")
    figure = new_figure(
        xaxis=charts.date_axis(grain),
        yaxis=charts.count_axis(orders, title=_("Orders")),
        yaxis2=charts.money_axis(aov, overlaying="y", side="right", showgrid=False,
                                 automargin=True),
    )
    orders_name, aov_name = _("Orders"), _("Average order value")
    figure.add_trace(dict(type="bar", x=x, y=orders, name=orders_name,
                          marker=dict(color=PALETTE[5], pattern=dict(shape="/"),
                                      opacity=charts.partial_opacity(covered)),
                          **charts.hover(orders_name, charts.count_texts(orders),
                                         charts.partial_notes(covered))))
    figure.add_trace(_line(x, aov, aov_name, 3, charts.money_texts(aov), covered, yaxis="y2"))
    charts.mark_partial(figure, covered)
    summary = _("%(orders)s orders in the period.",
                orders=i18n.format_number(_total(rows, "orders")))
    table = tuple((start, i18n.format_number(row.get("orders")),
                   i18n.format_money_exact(row.get("aov_cny")))
                  for start, row in zip(charts.start_cells(covered), rows))
    return Chart("chart-orders", figure_json(figure), _summary(summary, covered, grain),
                 (_("Period starting"), _("Orders"), _("Average order value")), table)


def rates_chart(rows, totals, grain, today=None):
    """Drop-shipping share and the 48-hour pickup rate, in percent."""
    covered = charts.coverage(rows, grain, today or shanghai_today())
    x = [row["start"].isoformat() for row in rows]
    figure = new_figure(xaxis=charts.date_axis(grain), yaxis=charts.percent_axis())
    for index, (name, label) in ((2, ("dropship_share", _("Drop-shipping share"))),
                                 (0, ("pickup_48h_rate", _("48-hour pickup rate")))):
        values = _floats(rows, name, percent=True)
        figure.add_trace(_line(x, values, label, index, charts.percent_texts(values), covered))
    charts.mark_partial(figure, covered)
    summary = _("Over the period: drop-shipping share %(dropship)s, 48-hour pickup rate %(pickup)s.",
                dropship=i18n.format_percent(totals.get("dropship_share")),
                pickup=i18n.format_percent(totals.get("pickup_48h_rate")))
    table = tuple((start, i18n.format_percent(row.get("dropship_share")),
                   i18n.format_percent(row.get("pickup_48h_rate")))
                  for start, row in zip(charts.start_cells(covered), rows))
    return Chart("chart-rates", figure_json(figure), _summary(summary, covered, grain),
                 (_("Period starting"), _("Drop-shipping share"), _("48-hour pickup rate")), table)
