"""The onboarding dashboard's charts, each a ``Chart`` (figure, one-sentence
summary, data table as its text alternative) from the same numbers as the
tiles: the cohort's funnel with step-to-step conversion, and new leads and
new lives per week beside the same weeks a year earlier."""

from flask_babel import gettext as _

import charts
import i18n
from charts import PALETTE, Chart, figure_json, new_figure
from labels import STAGE_LABELS
from metrics.numbers import ratio
from models import STAGES
from views.sales_charts import _line


def funnel_chart(kpis):
    """The cohort (leads of the period) through each stage: bars with the
    count and the share of the step before written on them."""
    counts = [kpis[f"reached_{stage}"] for stage in STAGES]
    steps = [None] + [ratio(count, before) for before, count in zip(counts, counts[1:])]
    labels = [str(STAGE_LABELS[stage]) for stage in STAGES]
    text = [i18n.format_number(count) if step is None
            else f"{i18n.format_number(count)} ({i18n.format_percent(step)})"
            for count, step in zip(counts, steps)]
    figure = new_figure(yaxis=dict(autorange="reversed", automargin=True),
                        xaxis=dict(rangemode="tozero"), hovermode="closest",
                        height=300, showlegend=False, margin=dict(l=16, r=16, t=16, b=32))
    figure.add_bar(y=labels, x=counts, orientation="h", text=text, textposition="auto",
                   marker=dict(color=PALETTE[0]), name=_("Factories"))
    summary = _("Of %(leads)s leads in the period, %(live)s went live (%(rate)s).",
                leads=i18n.format_number(kpis["leads"]),
                live=i18n.format_number(kpis["reached_live"]),
                rate=i18n.format_percent(kpis["lead_to_live_rate"]))
    table = tuple((label, i18n.format_number(count), i18n.format_percent(step))
                  for label, count, step in zip(labels, counts, steps))
    return Chart("chart-funnel", figure_json(figure), summary,
                 (_("Stage"), _("Factories"), _("Of the step before")), table)


def weekly_chart(rows):
    """New leads and new lives per week, this period and a year earlier."""
    x = [row["start"].isoformat() for row in rows]
    figure = new_figure(yaxis=dict(title=_("Factories"), rangemode="tozero"))
    series = (("leads", _("New leads")), ("lives", _("New lives")),
              ("leads_last_year", _("New leads a year earlier")),
              ("lives_last_year", _("New lives a year earlier")))
    for index, (key, name) in enumerate(series):
        values = [row[key] for row in rows]
        figure.add_trace(_line(x, values, name, index, charts.count_texts(values)))
    total = {key: sum(row[key] for row in rows) for key, _name in series}
    summary = _("%(leads)s new leads and %(lives)s new lives in the period (a year earlier: "
                "%(leads_before)s and %(lives_before)s).",
                leads=i18n.format_number(total["leads"]),
                lives=i18n.format_number(total["lives"]),
                leads_before=i18n.format_number(total["leads_last_year"]),
                lives_before=i18n.format_number(total["lives_last_year"]))
    table = tuple((row["start"].isoformat(), *(i18n.format_number(row[key]) for key, _n in series))
                  for row in rows)
    return Chart("chart-weekly", figure_json(figure), summary,
                 (_("Week starting"), *(name for _key, name in series)), table)
