"""The onboarding dashboard (SPEC section 3, issue 12): where each region's
pipeline stands, which factories are stuck, how fast reps bring factories
from lead to live. A configuration of the dashboard frame (``dashboards``):
tiles for every onboarding KPI, the cohort's funnel and the weekly leads and
lives, the pipeline region x stage, the stalled list and rep speed (tables
of the frame, sortable, paged and exported). Every number comes from
``metrics.onboarding``, the functions the KPI API uses.
"""

from urllib.parse import quote

from flask import Blueprint, g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import charts
from dashboards import Column, Dashboard, FilterField, Table, build_tiles, drill_labels
from i18n import format_day, format_shanghai_datetime, is_chinese
from labels import STAGE_LABELS
from metrics import cache, onboarding
from models import ALL_STAGES, STAGES, Region
from views import onboarding_charts

bp = Blueprint("onboarding", __name__, url_prefix="/onboarding")

TILES = {"leads": _l("Leads")}
TILES.update({f"reached_{stage}": _l("Reached: %(stage)s", stage=STAGE_LABELS[stage])
              for stage in STAGES})
TILES.update({"lead_to_live_rate": _l("Lead-to-live rate"),
              "median_days_to_live": _l("Median days to live"),
              "stalled": _l("Stalled (over 14 days in a stage)")})


# --- the list of factories by stage (the stalled list is its stalled part) --

def _list_export(filters, state, rows):
    header = [_("Code"), _("Factory"), _("Stage"), _("Entered on"), _("Days in the stage"),
              _("Rep"), _("Last visit"), _("Next action"), _("To")]
    return header, ([row["code"], row["name"], row["stage"], row["entered_on"], row["days"],
                     row["rep_username"], format_shanghai_datetime(row["last_visit"])
                     if row["last_visit"] else None, row["next_action_on"],
                     filters.period.end] for row in rows)


LIST_COLUMNS = {
    "factory": Column(_l("Factory"), lambda row: row["name"], kind="text"),
    "stage": Column(_l("Stage"), lambda row: ALL_STAGES.index(row["stage"]), kind="text",
                    text=lambda row: str(STAGE_LABELS[row["stage"]])),
    "days": Column(_l("Days in the stage"), lambda row: row["days"]),
    "rep": Column(_l("Rep"), lambda row: row["rep"] or "", kind="text",
                  text=lambda row: row["rep"] or _("No rep assigned")),
    "last_visit": Column(_l("Last visit"), lambda row: row["last_visit"], kind="text",
                         text=lambda row: format_day(row["last_visit"].date())
                         if row["last_visit"] else _("Never")),
    "next_action": Column(_l("Next action"), lambda row: row["next_action_on"], kind="text",
                          text=lambda row: format_day(row["next_action_on"])
                          if row["next_action_on"] else "—"),
}


def _stage_field(filters):
    return filters.fields.get("stage")


STALLED = Table(
    name="stalled", title=_l("Stalled factories"), page_title=_l("Stalled factories"),
    back_label=_l("Back to the onboarding dashboard"),
    rows=lambda filters, state: onboarding.stage_list(
        filters.scope, filters.period, stage=_stage_field(filters), stalled_only=True),
    columns=LIST_COLUMNS, sort="days", prefix="stalled_",
    link=lambda filters, row: url_for("factories.page", code=row["code"]),
    export=_list_export, export_stem="onboarding-stalled",
    empty=_l("No factory is stalled for these filters."),
    reads=cache.ONBOARDING_READS,
)

FACTORIES = Table(
    name="factories", title=_l("Factories by stage"), page_title=_l("Factories by stage"),
    back_label=_l("Back to the onboarding dashboard"),
    rows=lambda filters, state: onboarding.stage_list(
        filters.scope, filters.period, stage=_stage_field(filters),
        overdue_only=filters.fields.get("overdue") == "1"),
    columns=LIST_COLUMNS, sort="days", prefix="list_",
    link=lambda filters, row: url_for("factories.page", code=row["code"]),
    export=_list_export, export_stem="onboarding-factories",
    empty=_l("No factory in this stage for these filters."),
    reads=cache.ONBOARDING_READS,
)


# --- rep speed: rankings regions -> reps -> factories ----------------------

def shared_facts(ids, period):
    """``metrics.onboarding.facts(ids, period)`` read once per request for
    the same factories and period: the tiles and rep speed of one page both
    need the period's and the previous period's facts (what the first view
    after a stage move computes)."""
    reads = g.setdefault("onboarding_facts", {})
    sql, params = ids.sql()
    key = (sql, tuple(params), period)
    if key not in reads:
        reads[key] = onboarding.facts(ids, period)
    return reads[key]


def _speed_rows(filters, state):
    return drill_labels(onboarding.rankings(filters.scope, filters.period, state.level,
                                            shared_facts), state.level)


def _speed_export(filters, state, rows):
    header = [_("Code"), _("Name"), _("Leads"), _("Lives"), _("Lead-to-live rate"),
              _("Median days to live"), _("Stalled"), _("From"), _("To")]
    return header, ([row["key"], row["name"], row["kpis"]["leads"], row["kpis"]["reached_live"],
                     row["kpis"]["lead_to_live_rate"], row["kpis"]["median_days_to_live"],
                     row["kpis"]["stalled"], filters.period.start, filters.period.end]
                    for row in rows)


SPEED = Table(
    name="speed", title=_l("Rep speed"), page_title=_l("Rep speed"),
    back_label=_l("Back to the onboarding dashboard"),
    rows=_speed_rows,
    columns={
        "name": Column(_l("Name"), lambda row: row["name"], kind="text",
                       text=lambda row: row["label"]),
        "leads": Column(_l("Leads"), lambda row: row["kpis"]["leads"]),
        "lives": Column(_l("Lives"), lambda row: row["kpis"]["reached_live"]),
        "rate": Column(_l("Lead-to-live rate"), lambda row: row["kpis"]["lead_to_live_rate"],
                       kind="rate"),
        "days": Column(_l("Median days to live"),
                       lambda row: row["kpis"]["median_days_to_live"]),
        "stalled": Column(_l("Stalled"), lambda row: row["kpis"]["stalled"]),
    },
    sort="leads", prefix="speed_", drill_down=True,
    link=lambda filters, row: url_for("factories.page", code=row["key"]),
    export=_speed_export, export_stem="onboarding-speed",
    empty=_l("No rep to compare for these filters."),
    reads=cache.ONBOARDING_READS,
)


# --- the page ------------------------------------------------------------------

_REGION_SLOT, _STAGE_SLOT = "REGION-SLOT", "STAGE-SLOT"


def _pipeline(filters):
    """The pipeline table: one row per region with its counts by stage, each
    linking to the list of those factories (the filters kept)."""
    counts = onboarding.pipeline(filters.scope, filters.period.end)
    regions = {region.id: region for region in Region.select().where(Region.id.in_(list(counts)))}
    # One url_for for all the cells (40 regions x 8 stages at programme scale).
    link = filters.url("onboarding.pipeline", region=_REGION_SLOT, stage=_STAGE_SLOT,
                       list_page=None)
    rows = []
    for region_id, by_stage in sorted(counts.items(), key=lambda item: regions[item[0]].code):
        region = regions[region_id]
        in_region = link.replace(_REGION_SLOT, quote(region.code, safe=""))
        cells = [(by_stage[stage], in_region.replace(_STAGE_SLOT, stage))
                 for stage in ALL_STAGES]
        rows.append({"name": region.name("zh" if is_chinese() else "en"), "cells": cells,
                     "total": sum(by_stage.values())})
    totals = [sum(row["cells"][index][0] for row in rows) for index in range(len(ALL_STAGES))]
    return {"stages": [STAGE_LABELS[stage] for stage in ALL_STAGES], "rows": rows,
            "totals": totals, "total": sum(totals)}


def report(filters):
    """Tiles, charts and the pipeline (the frame adds the tables)."""
    scope, period = filters.scope, filters.period
    comparison = cache.remembered(
        cache.ONBOARDING_KPI_READS, "onboarding tiles",
        [cache.scope_key(scope), cache.period_key(period)],
        lambda: onboarding.compare(scope, period, shared_facts))
    values = {name: entry["value"] for name, entry in comparison.items()}
    return {"tiles": build_tiles(TILES, comparison),
            "charts": charts.remembered(
                cache.ONBOARDING_READS, "onboarding",
                [cache.scope_key(scope), cache.period_key(period)],
                lambda: [onboarding_charts.funnel_chart(values),
                         onboarding_charts.weekly_chart(onboarding.weekly(scope, period))]),
            "pipeline": _pipeline(filters)}


STAGE_FIELD = FilterField("stage", _l("Stage"), {stage: STAGE_LABELS[stage] for stage in ALL_STAGES})
DASHBOARD = Dashboard(bp, "onboarding/dashboard.html", report, tables=[STALLED, SPEED],
                      fields=[STAGE_FIELD])
# The pipeline's counts open this list (a page of its own, so the dashboard
# never builds the rows of every factory in scope).
# "Next action overdue": the manager's home links each rep's overdue count here.
OVERDUE_FIELD = FilterField("overdue", _l("Next action overdue"), checkbox=True)
PIPELINE = Dashboard(bp, "onboarding/pipeline.html", lambda filters: {}, tables=[FACTORIES],
                     fields=[STAGE_FIELD, OVERDUE_FIELD], rule="/pipeline/", name="pipeline")
