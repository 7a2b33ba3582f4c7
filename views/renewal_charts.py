"""The renewals dashboard's charts, each a ``charts.Chart`` from the same
rows as the table beside it: renewal rate by region, by tier and by cohort
(``metrics.renewals.rankings`` rows, labelled by the view), and terms
renewed and churned per month over the last 12 months
(``metrics.renewals.series``). Bars carry their numbers as text and are
told apart by pattern as well as colour."""

import datetime

from flask_babel import gettext as _

import charts
import i18n
from charts import PALETTE, Chart, figure_json, new_figure
from metrics import renewals
from metrics.period import Period, shanghai_today

MONTHS = 12


def _rate(row):
    return row["kpis"]["renewal_rate"]


def rate_chart(level, rows):
    """Horizontal bars of each group's renewal rate (in percent), the
    renewed and decided terms written on each bar; a group with no decided
    term has no bar and says "—". ``rows``: the table's rows (``label``,
    ``kpis``)."""
    labels = [row["label"] for row in rows]
    values = [None if _rate(row) is None else round(float(_rate(row)) * 100, 2) for row in rows]
    texts = [f"{i18n.format_percent(_rate(row))} "
             f"({row['kpis']['renewed']}/{row['kpis']['renewed'] + row['kpis']['churned']})"
             if _rate(row) is not None else "—" for row in rows]
    height = charts.box_height(80 + 32 * len(rows))
    figure = new_figure(height=height, showlegend=False, hovermode="closest",
                        xaxis=charts.percent_axis(), margin=dict(l=8, r=16, t=16, b=8),
                        yaxis=dict(autorange="reversed", automargin=True, type="category"))
    figure.add_bar(y=labels, x=values, orientation="h", text=texts, textposition="auto",
                   marker=dict(color=PALETTE[0]), name=_("Renewal rate"),
                   **charts.hover(_("Renewal rate"), texts))
    rated = [row for row in rows if _rate(row) is not None]
    if rated:
        best = max(rated, key=_rate)
        worst = min(rated, key=_rate)
        summary = _("Renewal rate from %(worst_rate)s (%(worst)s) to %(best_rate)s (%(best)s); "
                    "the same numbers are in its table.",
                    worst=worst["label"], worst_rate=i18n.format_percent(_rate(worst)),
                    best=best["label"], best_rate=i18n.format_percent(_rate(best)))
    else:
        summary = _("No term was renewed or churned in this period.")
    return Chart(f"chart-rate-{level}", figure_json(figure), summary, height=height)


def last_months(period):
    """The 12 calendar months ending with the month of the period's end (the
    last one up to that day)."""
    first = period.end.replace(day=1)
    for _month in range(MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return Period(first, period.end)


def monthly_rows(scope, period):
    """``metrics.renewals.series`` by month over ``last_months(period)``."""
    return renewals.series(scope, last_months(period), "month")


def monthly_chart(rows, today=None):
    """Terms renewed and churned per month (by their end date), side by
    side; a month still running or clipped is faded and labelled."""
    covered = charts.coverage(rows, "month", today or shanghai_today())
    x = [row["start"].isoformat() for row in rows]
    figure = new_figure(barmode="group", xaxis=charts.date_axis("month"),
                        yaxis=charts.count_axis([max(row["renewed"], row["churned"])
                                                 for row in rows]))
    notes = charts.partial_notes(covered)
    for key, name, extra in (("renewed", _("Renewed"), dict(color=PALETTE[2])),
                             ("churned", _("Churned"),
                              dict(color=PALETTE[3], pattern=dict(shape="/")))):
        values = [row[key] for row in rows]
        figure.add_bar(x=x, y=values, name=name, text=values, textposition="outside",
                       cliponaxis=False,
                       marker=dict(opacity=charts.partial_opacity(covered), **extra),
                       **charts.hover(name, charts.count_texts(values), notes))
    charts.mark_partial(figure, covered)
    renewed = sum(row["renewed"] for row in rows)
    churned = sum(row["churned"] for row in rows)
    summary = charts.join_sentences(
        _("Over the last %(months)s months, %(renewed)s terms renewed and "
          "%(churned)s churned (by the month each term ended).",
          months=len(rows), renewed=i18n.format_number(renewed),
          churned=i18n.format_number(churned)),
        charts.partial_summary(covered, "month"))
    table = tuple((start, i18n.format_number(row["renewed"]), i18n.format_number(row["churned"]),
                   i18n.format_percent(row["renewal_rate"]))
                  for start, row in zip(charts.start_cells(covered), rows))
    return Chart("chart-monthly", figure_json(figure), summary,
                 (_("Month starting"), _("Renewed"), _("Churned"), _("Renewal rate")), table)
