"""Onboarding KPIs (SPEC section 4, "Onboarding"): the pipeline from lead to
live, over the stage history of the factories in scope.

Stages in order: lead, contacted, visited, signed, store_ready, trained,
live; ``lost`` ends a pipeline. The stage a factory is (or was) in comes
from the kept spans of ``metrics.stage_spans``, never from scanning the
history here.
"""

import datetime

from peewee import SQL, fn

from models import LOST_STAGE, STAGES, StageEvent, StageSpan
from metrics import grouping, rawrows, stage_spans
from metrics.numbers import median, ratio

STALLED_AFTER_DAYS = 14
KPI_NAMES = (("leads",) + tuple(f"reached_{stage}" for stage in STAGES)
             + ("lead_to_live_rate", "median_days_to_live", "stalled"))
KPI_KINDS = dict.fromkeys(KPI_NAMES, "count")
KPI_KINDS["lead_to_live_rate"] = "rate"
FINISHED = ("live", LOST_STAGE)


def _as_date(value):
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _cohort_ids(ids, period):
    return StageEvent.select(StageEvent.factory).where(
        (StageEvent.stage == "lead") & StageEvent.factory.in_(ids)
        & (StageEvent.entered_on >= period.start) & (StageEvent.entered_on <= period.end))


def _live(ids, period):
    Lead = StageEvent.alias("lead")
    query = (StageEvent.select(StageEvent.factory, StageEvent.entered_on, Lead.entered_on)
             .join(Lead, on=((Lead.factory == StageEvent.factory) & (Lead.stage == "lead")))
             .where((StageEvent.stage == "live") & StageEvent.factory.in_(ids)
                    & (StageEvent.entered_on >= period.start)
                    & (StageEvent.entered_on <= period.end)))
    to_date = rawrows.to_date
    return [(factory, (to_date(live_on) - to_date(lead_on)).days)
            for factory, live_on, lead_on in rawrows.rows(query)]


def _stalled(ids, period, columns=None):
    """The spans of the factories of ``ids`` stalled at the end of the
    period: the stage they were in then is neither live nor lost and was
    entered more than ``STALLED_AFTER_DAYS`` days before it (one read of the
    kept spans, however long the history)."""
    cutoff = period.end - datetime.timedelta(days=STALLED_AFTER_DAYS)
    return stage_spans.as_of(ids, period.end, columns).where(
        StageSpan.stage.not_in(FINISHED) & (StageSpan.entered_on < cutoff))


def facts(ids, period):
    """What the KPIs need, each row starting with a factory id:
    ``cohort``: (factory, stage) for every stage ever entered by a factory
    whose lead date is in the period; ``live``: (factory, days from lead to
    live) for factories whose live date is in the period; ``stalled``:
    (factory,) for each stalled factory."""
    cohort = rawrows.rows(StageEvent.select(StageEvent.factory, StageEvent.stage)
                          .where(StageEvent.factory.in_(_cohort_ids(ids, period))))
    return {"cohort": cohort, "live": _live(ids, period),
            "stalled": rawrows.rows(_stalled(ids, period, (StageSpan.factory,)))}


def compute(facts_, period):
    """The KPIs from ``facts`` (all of them, or one group's share)."""
    reached = {stage: set() for stage in STAGES}
    for factory, stage in facts_.get("cohort", ()):
        if stage in reached:
            reached[stage].add(factory)
    leads = len(reached["lead"])
    result = {"leads": leads}
    result.update({f"reached_{stage}": len(reached[stage]) for stage in STAGES})
    result["lead_to_live_rate"] = ratio(len(reached["live"]), leads)
    result["median_days_to_live"] = median(days for _factory, days in facts_.get("live", ()))
    result["stalled"] = len(facts_.get("stalled", ()))
    return result


def kpis(scope, period):
    """``{name: value}``: ``leads`` (int, the cohort whose lead date is in
    the period), ``reached_<stage>`` for each stage lead..live (int, cohort
    members that ever entered it), ``lead_to_live_rate`` (Decimal|None),
    ``median_days_to_live`` (Decimal|None, over factories whose live date
    is in the period; .5 for an even count), ``stalled`` (int, current
    stage neither live nor lost and entered more than 14 days before
    ``to``, stage history up to ``to``)."""
    ids = scope.factory_ids(period.end)
    # The same numbers as ``compute(facts(...))``, aggregated in the database.
    Lead = StageEvent.alias("lead")
    reached = dict(rawrows.rows(
        StageEvent.select(StageEvent.stage, fn.COUNT(StageEvent.id))
        .join(Lead, on=(Lead.factory == StageEvent.factory))
        .where((Lead.stage == "lead") & (Lead.entered_on >= period.start)
               & (Lead.entered_on <= period.end) & Lead.factory.in_(ids))
        .group_by(StageEvent.stage)))
    stalled = rawrows.rows(_stalled(ids, period, (fn.COUNT(SQL("*")),)))[0][0]
    result = {"leads": reached.get("lead", 0)}
    result.update({f"reached_{stage}": reached.get(stage, 0) for stage in STAGES})
    result["lead_to_live_rate"] = ratio(result["reached_live"], result["leads"])
    result["median_days_to_live"] = median(days for _factory, days in _live(ids, period))
    result["stalled"] = stalled
    return result


def series(scope, period, grain="week"):
    """Stage entries per bucket, oldest first::

        [{"start": date, "end": date, "lead": int, "contacted": int, ...,
          "live": int, "lost": int}, ...]
    """
    rows = (StageEvent.select(StageEvent.stage, StageEvent.entered_on, fn.COUNT(StageEvent.id))
            .where(StageEvent.factory.in_(scope.factory_ids(period.end))
                   & (StageEvent.entered_on >= period.start)
                   & (StageEvent.entered_on <= period.end))
            .group_by(StageEvent.stage, StageEvent.entered_on).tuples())
    counts = {}
    for stage, day, count in rows:
        counts[(stage, _as_date(day))] = count
    result = []
    for bucket in period.buckets(grain):
        row = {"start": bucket.start, "end": bucket.end}
        for stage in STAGES + (LOST_STAGE,):
            row[stage] = sum(counts.get((stage, day), 0) for day in bucket.dates())
        result.append(row)
    return result


def rankings(scope, period, level):
    """Regions, reps or factories with their KPIs now, in the previous
    period and the change (see ``metrics.grouping.rank``), most leads
    first."""
    return grouping.rank(scope.factory_ids(period.end), period, level, facts, compute,
                         KPI_KINDS, "leads")
