"""The complaint board's charts, one function per chart, each a ``Chart``
(figure, one-sentence summary, data table as its text alternative) built
from the same rows as the tiles, with the ``charts`` helpers (see its
docstring): whole-complaint count axes, hovers in the page's language,
partial first and last buckets marked.

* opened against resolved per day, week or month (``series_from_facts``);
* complaints opened per category, this period against the previous one;
* per region, the complaints open past their target, with the share
  resolved within it.

Series are told apart by pattern and text labels as well as colour.
"""

from flask_babel import gettext as _

import charts
import i18n
from charts import PALETTE, Chart, figure_json, new_figure
from labels import COMPLAINT_CATEGORY_LABELS as CATEGORY_LABELS
from metrics.period import shanghai_today

BAR_ROW_PX = 44  # the height of one category's pair of bars
REGION_ROW_PX = 36


def _bar(name, values, color, notes=None, marker=None, **extra):
    """Bars of whole complaints, hovering as "Opened: 3" (``notes``, one per
    bar, follow the number)."""
    return dict(type="bar", name=name, marker=dict(color=color, **(marker or {})),
                **charts.hover(name, charts.count_texts(values), notes), **extra)


def opened_resolved_chart(rows, grain, today=None):
    """Complaints opened and resolved per bucket."""
    covered = charts.coverage(rows, grain, today or shanghai_today())
    x = [row["start"].isoformat() for row in rows]
    opened = [row["opened"] for row in rows]
    resolved = [row["resolved"] for row in rows]
    notes = charts.partial_notes(covered)
    faded = charts.partial_opacity(covered)
    figure = new_figure(barmode="group", xaxis=charts.date_axis(grain),
                        yaxis=charts.count_axis(opened + resolved, title=_("Complaints")))
    width = charts.bar_width(grain, 0.4)  # two bars: 80% of each bucket
    figure.add_trace(_bar(_("Opened"), opened, PALETTE[3], notes, x=x, y=opened, width=width,
                          offset=-width, marker=dict(opacity=faded)))
    figure.add_trace(_bar(_("Resolved"), resolved, PALETTE[2], notes, x=x, y=resolved,
                          width=width, offset=0,
                          marker=dict(opacity=faded, pattern=dict(shape="/"))))
    charts.mark_partial(figure, covered)
    summary = _("%(opened)s complaints opened and %(resolved)s resolved in the period.",
                opened=i18n.format_number(sum(opened)), resolved=i18n.format_number(sum(resolved)))
    table = tuple((start, i18n.format_number(row["opened"]), i18n.format_number(row["resolved"]),
                   i18n.format_percent(row["sla_attainment"]))
                  for start, row in zip(charts.start_cells(covered), rows))
    return Chart("chart-opened-resolved", figure_json(figure),
                 charts.join_sentences(summary, charts.partial_summary(covered, grain, bars=True)),
                 (_("Period starting"), _("Opened"), _("Resolved"), _("Resolved within SLA")),
                 table)


def category_chart(rows):
    """Complaints opened per category, against the previous period."""
    names = [str(CATEGORY_LABELS[row["category"]]) for row in rows]
    opened = [row["opened"] for row in rows]
    previous = [row["previous"] for row in rows]
    height = charts.box_height(60 + BAR_ROW_PX * len(rows))
    figure = new_figure(barmode="group", height=height, hovermode="y unified",
                        yaxis=dict(autorange="reversed", automargin=True),
                        xaxis=charts.count_axis(opened + previous, title=_("Complaints")))
    for name, values, color, pattern in ((_("This period"), opened, PALETTE[0], ""),
                                         (_("Previous period"), previous, PALETTE[1], ".")):
        # Counts beside the bars, level (plotly turns text inside thin bars
        # on its side); none beside an empty bar.
        figure.add_trace(_bar(name, values, color, y=names, x=values, orientation="h",
                              text=[text if value else "" for text, value
                                    in zip(charts.count_texts(values), values)],
                              textposition="outside", textangle=0, cliponaxis=False,
                              marker=dict(pattern=dict(shape=pattern))))
    top = max(rows, key=lambda row: row["opened"], default=None)
    if top is None or top["opened"] == 0:
        summary = _("No complaints were opened in the period.")
    else:
        summary = _("Most complaints were about “%(category)s”: %(count)s (previous period: "
                    "%(previous)s).", category=CATEGORY_LABELS[top["category"]],
                    count=i18n.format_number(top["opened"]),
                    previous=i18n.format_number(top["previous"]))
    table = tuple((name, i18n.format_number(now), i18n.format_number(before))
                  for name, now, before in zip(names, opened, previous))
    return Chart("chart-categories", figure_json(figure), summary,
                 (_("About"), _("This period"), _("Previous period")), table, height)


def region_chart(rows):
    """Per region: complaints open past their target, labelled with the
    share resolved within it."""
    chinese = i18n.is_chinese()
    names = [row["name"] if chinese else row["name_en"] for row in rows]
    breached = [row["breached_open"] for row in rows]
    rates = [i18n.format_percent(row["sla_attainment"]) for row in rows]
    height = charts.box_height(60 + REGION_ROW_PX * len(rows))
    figure = new_figure(height=height, hovermode="y unified", showlegend=False,
                        yaxis=dict(autorange="reversed", automargin=True),
                        xaxis=charts.count_axis(breached, title=_("Open past SLA")))
    within = [_(" · %(rate)s resolved within SLA", rate=rate) for rate in rates]
    figure.add_trace(_bar(_("Open past SLA"), breached, PALETTE[3], within, y=names, x=breached,
                          orientation="h", textposition="auto",
                          text=[_("%(breached)s past SLA · %(rate)s within SLA",
                                  breached=i18n.format_number(count), rate=rate)
                                for count, rate in zip(breached, rates)],
                          insidetextfont=dict(color="#fff")))
    worst = rows[0] if rows else None
    if worst is None or worst["breached_open"] == 0:
        summary = _("No region has complaints open past their SLA.")
    else:
        summary = _("Most complaints past SLA: %(region)s with %(count)s.", region=names[0],
                    count=i18n.format_number(worst["breached_open"]))
    table = tuple((name, i18n.format_number(row["breached_open"]),
                   i18n.format_number(row["resolved"]), rate)
                  for name, row, rate in zip(names, rows, rates))
    return Chart("chart-regions", figure_json(figure), summary,
                 (_("Region"), _("Open past SLA"), _("Resolved"), _("Resolved within SLA")),
                 table, height)
