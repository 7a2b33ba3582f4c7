"""Onboarding KPIs (SPEC section 4, "Onboarding"): the pipeline from lead to
live, over the stage history of the factories in scope.

Stages in order: lead, contacted, visited, signed, store_ready, trained,
live; ``lost`` ends a pipeline. A factory's current stage is the one it
entered last in its highest pipeline (on a tie, the later stage). A reopen
(``lead`` again after ``lost``) is pipeline n + 1 (migration 007): the
cohort counts factories with a lead dated in the period, once each, and
what they reached in that lead's pipeline; days to live run from the lead of
the same pipeline.
"""

import datetime

from peewee import SQL, Case, fn

from models import LOST_STAGE, STAGES, StageEvent
from metrics import grouping, rawrows
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


def _with_cohort_lead(query, ids, period):
    """``query`` over StageEvent narrowed to the rows of pipelines whose
    lead is dated in the period."""
    Lead = StageEvent.alias("lead")
    return query.join(Lead, on=((Lead.factory == StageEvent.factory)
                                & (Lead.pipeline == StageEvent.pipeline))).where(
        (Lead.stage == "lead") & (Lead.entered_on >= period.start)
        & (Lead.entered_on <= period.end) & Lead.factory.in_(ids))


def _live(ids, period):
    Lead = StageEvent.alias("lead")
    query = (StageEvent.select(StageEvent.factory, StageEvent.entered_on, Lead.entered_on)
             .join(Lead, on=((Lead.factory == StageEvent.factory) & (Lead.stage == "lead")
                             & (Lead.pipeline == StageEvent.pipeline)))
             .where((StageEvent.stage == "live") & StageEvent.factory.in_(ids)
                    & (StageEvent.entered_on >= period.start)
                    & (StageEvent.entered_on <= period.end)))
    to_date = rawrows.to_date
    return [(factory, (to_date(live_on) - to_date(lead_on)).days)
            for factory, live_on, lead_on in rawrows.rows(query)]


def _stalled(ids, period):
    cutoff = period.end - datetime.timedelta(days=STALLED_AFTER_DAYS)
    last = fn.MAX(StageEvent.entered_on)
    last_finished = fn.MAX(Case(None, [(StageEvent.stage.in_(FINISHED), StageEvent.entered_on)]))
    # A reopen on the day of the loss: the lost row is not the current one.
    finished_pipeline = fn.MAX(Case(None, [(StageEvent.stage.in_(FINISHED), StageEvent.pipeline)]))
    return (StageEvent.select(StageEvent.factory)
            .where(StageEvent.factory.in_(ids) & (StageEvent.entered_on <= period.end))
            .group_by(StageEvent.factory)
            .having((last < cutoff.isoformat())
                    & (last_finished.is_null() | (last_finished < last)
                       | (finished_pipeline < fn.MAX(StageEvent.pipeline)))))


def facts(ids, period):
    """What the KPIs need, each row starting with a factory id:
    ``cohort``: (factory, stage) for every stage ever entered by a factory
    whose lead date is in the period; ``live``: (factory, days from lead to
    live) for factories whose live date is in the period; ``stalled``:
    (factory,) for each stalled factory."""
    cohort = rawrows.rows(_with_cohort_lead(
        StageEvent.select(StageEvent.factory, StageEvent.stage), ids, period))
    return {"cohort": cohort, "live": _live(ids, period),
            "stalled": rawrows.rows(_stalled(ids, period))}


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
    reached = dict(rawrows.rows(_with_cohort_lead(
        StageEvent.select(StageEvent.stage, fn.COUNT(StageEvent.factory.distinct())),
        ids, period).group_by(StageEvent.stage)))
    stalled = rawrows.rows(StageEvent.select(fn.COUNT(SQL("*"))).from_(
        _stalled(ids, period).alias("stalled")))[0][0]
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
