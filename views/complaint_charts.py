"""The complaint board's charts, one function per chart, each a ``Chart``
(figure, one-sentence summary, data table as its text alternative) built
from the same rows as the tiles:

* opened against resolved per day, week or month (``series_from_facts``);
* complaints opened per category, this period against the previous one;
* per region, the complaints open past their target and the share resolved
  within it.

Series are told apart by pattern and text labels as well as colour.
"""

from flask_babel import gettext as _

import i18n
from charts import PALETTE, Chart, figure_json, new_figure
from labels import COMPLAINT_CATEGORY_LABELS as CATEGORY_LABELS


def _counts(values, **axis):
    """An axis of whole complaints from 0 (no 0.5 complaint ticks)."""
    top = max(values, default=0)
    return dict(axis, rangemode="tozero", tickformat="d", dtick=1 if top < 6 else None)


def _no_mode_bar(figure):
    """The figure JSON without plotly's mode bar (buttons inside an image)."""
    text = figure_json(figure)
    return text[:-1] + ', "config": {"displayModeBar": false}}'


def opened_resolved_chart(rows, grain):
    """Complaints opened and resolved per bucket."""
    x = [row["start"].isoformat() for row in rows]
    opened = [row["opened"] for row in rows]
    resolved = [row["resolved"] for row in rows]
    # Buckets as categories: one bar pair per day, week or month, evenly spaced.
    figure = new_figure(barmode="group", yaxis=_counts(opened + resolved, title=_("Complaints")),
                        xaxis=dict(type="category"))
    figure.add_bar(x=x, y=opened, name=_("Opened"), marker=dict(color=PALETTE[3]))
    figure.add_bar(x=x, y=resolved, name=_("Resolved"),
                   marker=dict(color=PALETTE[2], pattern=dict(shape="/")))
    summary = _("%(opened)s complaints opened and %(resolved)s resolved in the period.",
                opened=i18n.format_number(sum(opened)), resolved=i18n.format_number(sum(resolved)))
    table = tuple((row["start"].isoformat(), i18n.format_number(row["opened"]),
                   i18n.format_number(row["resolved"]),
                   i18n.format_percent(row["sla_attainment"])) for row in rows)
    return Chart("chart-opened-resolved", _no_mode_bar(figure), summary,
                 (_("Period starting"), _("Opened"), _("Resolved"), _("Resolved within SLA")),
                 table)


def category_chart(rows):
    """Complaints opened per category, against the previous period."""
    names = [str(CATEGORY_LABELS[row["category"]]) for row in rows]
    figure = new_figure(barmode="group", height=max(300, 60 + 44 * len(rows)),
                        yaxis=dict(autorange="reversed", automargin=True),
                        xaxis=_counts([v for row in rows for v in (row["opened"], row["previous"])],
                                      title=_("Complaints opened")),
                        hovermode="y unified")
    figure.add_bar(y=names, x=[row["opened"] for row in rows], name=_("This period"),
                   orientation="h", marker=dict(color=PALETTE[0]),
                   text=[row["opened"] for row in rows], textposition="auto")
    figure.add_bar(y=names, x=[row["previous"] for row in rows], name=_("Previous period"),
                   orientation="h", marker=dict(color=PALETTE[1], pattern=dict(shape=".")),
                   text=[row["previous"] for row in rows], textposition="auto")
    top = max(rows, key=lambda row: row["opened"], default=None)
    if top is None or top["opened"] == 0:
        summary = _("No complaints were opened in the period.")
    else:
        summary = _("Most complaints were about “%(category)s”: %(count)s (previous period: "
                    "%(previous)s).", category=CATEGORY_LABELS[top["category"]],
                    count=i18n.format_number(top["opened"]),
                    previous=i18n.format_number(top["previous"]))
    table = tuple((str(CATEGORY_LABELS[row["category"]]), i18n.format_number(row["opened"]),
                   i18n.format_number(row["previous"])) for row in rows)
    return Chart("chart-categories", _no_mode_bar(figure), summary,
                 (_("About"), _("This period"), _("Previous period")), table)


def region_chart(rows):
    """Per region: complaints open past their target, labelled with the
    share resolved within it."""
    chinese = i18n.is_chinese()
    names = [row["name"] if chinese else row["name_en"] for row in rows]
    labels = [_("%(breached)s past SLA · %(rate)s within SLA", breached=row["breached_open"],
                rate=i18n.format_percent(row["sla_attainment"])) for row in rows]
    figure = new_figure(height=max(300, 60 + 36 * len(rows)),
                        yaxis=dict(autorange="reversed", automargin=True),
                        xaxis=_counts([row["breached_open"] for row in rows],
                                      title=_("Open past SLA")),
                        hovermode="y unified", showlegend=False)
    figure.add_bar(y=names, x=[row["breached_open"] for row in rows], orientation="h",
                   name=_("Open past SLA"), marker=dict(color=PALETTE[3]),
                   text=labels, textposition="auto", insidetextfont=dict(color="#fff"))
    worst = rows[0] if rows else None
    if worst is None or worst["breached_open"] == 0:
        summary = _("No region has complaints open past their SLA.")
    else:
        summary = _("Most complaints past SLA: %(region)s with %(count)s.",
                    region=worst["name"] if chinese else worst["name_en"],
                    count=i18n.format_number(worst["breached_open"]))
    table = tuple((name, i18n.format_number(row["breached_open"]),
                   i18n.format_number(row["resolved"]), i18n.format_percent(row["sla_attainment"]))
                  for name, row in zip(names, rows))
    return Chart("chart-regions", _no_mode_bar(figure), summary,
                 (_("Region"), _("Open past SLA"), _("Resolved"), _("Resolved within SLA")),
                 table)
