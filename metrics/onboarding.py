"""Onboarding KPIs (SPEC section 4, "Onboarding"): the pipeline from lead to
live, over the stage history of the factories in scope.

Stages in order: lead, contacted, visited, signed, store_ready, trained,
live; ``lost`` ends a pipeline. The stage a factory is (or was) in comes
from the kept spans of ``metrics.stage_spans``, never from scanning the
history here. A reopen (``lead`` again after ``lost``) is pipeline n + 1
(migration 007): the cohort counts factories with a lead dated in the
period, once each, and what they reached in that lead's pipeline (each span
carries its pipeline's lead date); days to live run from the lead of the
same pipeline.
"""

import datetime

from peewee import JOIN, SQL, Case, Select, fn

from models import ALL_STAGES, LOST_STAGE, STAGES, Factory, StageEvent, StageSpan, User, db
from metrics import cache, grouping, rawrows, stage_spans
from metrics.period import Period, shift_years
from metrics.visits import last_visits
from metrics.numbers import median, ratio

STALLED_AFTER_DAYS = 14
KPI_NAMES = (("leads",) + tuple(f"reached_{stage}" for stage in STAGES)
             + ("lead_to_live_rate", "median_days_to_live", "stalled"))
KPI_KINDS = dict.fromkeys(KPI_NAMES, "count")
KPI_KINDS["lead_to_live_rate"] = "rate"
FINISHED = ("live", LOST_STAGE)
# A bit per stage lead..live: a cohort member's stages summed (DISTINCT) in
# the database are the set of stages it entered.
STAGE_BITS = {stage: 1 << index for index, stage in enumerate(STAGES)}
_STAGE_BIT = Case(StageSpan.stage, [(stage, bit) for stage, bit in STAGE_BITS.items()], 0)


def _as_date(value):
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _cohort(ids, period, columns):
    """The spans of the cohort: the factories of ``ids`` whose lead date is
    in the period (one index range of the kept spans, no self-join)."""
    S = StageSpan
    return S.select(*columns).where((S.lead_on >= period.start) & (S.lead_on <= period.end)
                                    & S.factory.in_(ids))


def _cohort_stages(ids, period):
    """(factory, stages) once per cohort member of the factories of
    ``ids``: the bits (``STAGE_BITS``) of the stages lead..live it entered
    in the pipelines whose lead date is in the period (a lost stage adds
    nothing)."""
    S = StageSpan
    return (_cohort(ids, period, (S.factory, fn.SUM(_STAGE_BIT.distinct()).alias("stages")))
            .group_by(S.factory))


def _live(ids, period):
    S = StageSpan
    query = S.select(S.factory, S.entered_on, S.lead_on).where(
        (S.stage == "live") & (S.entered_on >= period.start) & (S.entered_on <= period.end)
        & S.lead_on.is_null(False) & S.factory.in_(ids))
    to_date = rawrows.to_date
    return [(factory, (to_date(live_on) - to_date(lead_on)).days)
            for factory, live_on, lead_on in rawrows.rows(query)]


def stalled_spans(ids, period, columns=None):
    """The spans of the factories of ``ids`` stalled at the end of the
    period: the stage they were in then is neither live nor lost and was
    entered more than ``STALLED_AFTER_DAYS`` days before it (one read of the
    kept spans, however long the history)."""
    cutoff = period.end - datetime.timedelta(days=STALLED_AFTER_DAYS)
    return stage_spans.as_of(ids, period.end, columns).where(
        StageSpan.stage.not_in(FINISHED) & (StageSpan.entered_on < cutoff))


def facts(ids, period):
    """What the KPIs need, each row starting with a factory id:
    ``cohort``: (factory, stages) once per factory whose lead date is in the
    period, ``stages`` the bits (``STAGE_BITS``) of every stage lead..live
    it ever entered in such a pipeline (one row per factory, not per span:
    what a ranking splits stays small); ``live``: (factory, days from lead
    to live) for factories whose live date is in the period; ``stalled``:
    (factory,) for each stalled factory."""
    return {"cohort": rawrows.rows(_cohort_stages(ids, period)), "live": _live(ids, period),
            "stalled": rawrows.rows(stalled_spans(ids, period, (StageSpan.factory,)))}


def compute(facts_, period):
    """The KPIs from ``facts`` (all of them, or one group's share)."""
    reached = dict.fromkeys(STAGES, 0)
    for _factory, stages in facts_.get("cohort", ()):
        for stage, bit in STAGE_BITS.items():
            if stages & bit:
                reached[stage] += 1
    leads = reached["lead"]
    result = {"leads": leads}
    result.update({f"reached_{stage}": reached[stage] for stage in STAGES})
    result["lead_to_live_rate"] = ratio(reached["live"], leads)
    result["median_days_to_live"] = median(days for _factory, days in facts_.get("live", ()))
    result["stalled"] = len(facts_.get("stalled", ()))
    return result


@cache.memoized(cache.ONBOARDING_KPI_READS)
def kpis(scope, period):
    """``{name: value}``: ``leads`` (int, the cohort whose lead date is in
    the period), ``reached_<stage>`` for each stage lead..live (int, cohort
    members that ever entered it), ``lead_to_live_rate`` (Decimal|None),
    ``median_days_to_live`` (Decimal|None, over factories whose live date
    is in the period; .5 for an even count), ``stalled`` (int, current
    stage neither live nor lost and entered more than 14 days before
    ``to``, stage history up to ``to``). Remembered until a stage, a
    factory, a term or a scope changes (the API's and the tiles' reads)."""
    ids = scope.factory_ids(period.end)
    # The same numbers as ``compute(facts(...))``, aggregated in the database
    # in one statement: each cohort member's stages as bits (as ``facts``
    # reads them), counted per stage, beside the stalled count (a remembered
    # answer's first request stays within the API's 10 queries).
    members = _cohort_stages(ids, period).alias("members")
    stages = members.c.stages
    counts = Select(from_list=[members], columns=[
        fn.COALESCE(fn.SUM(Case(None, [(stages.bin_and(bit) != 0, 1)], 0)), 0)
        for bit in STAGE_BITS.values()
    ] + [stalled_spans(ids, period, (fn.COUNT(SQL("*")),))]).bind(db)
    *reached, stalled = rawrows.rows(counts)[0]
    result = {"leads": reached[0]}
    result.update({f"reached_{stage}": count for stage, count in zip(STAGES, reached)})
    result["lead_to_live_rate"] = ratio(result["reached_live"], result["leads"])
    result["median_days_to_live"] = median(days for _factory, days in _live(ids, period))
    result["stalled"] = stalled
    return result


def _entries(scope, period, on, stages):
    """``{(stage, date): count}`` of the entries into ``stages`` dated in
    ``period`` by the factories in scope (their tier as of ``on``)."""
    rows = (StageEvent.select(StageEvent.stage, StageEvent.entered_on, fn.COUNT(StageEvent.id))
            .where(StageEvent.stage.in_(list(stages))
                   & (StageEvent.entered_on >= period.start)
                   & (StageEvent.entered_on <= period.end)
                   & StageEvent.factory.in_(scope.factory_ids(on)))
            .group_by(StageEvent.stage, StageEvent.entered_on))
    return {(stage, _as_date(day)): count for stage, day, count in rawrows.rows(rows)}


def _sum(counts, stage, bucket):
    return sum(counts.get((stage, day), 0) for day in bucket.dates())


def rankings(scope, period, level, read=facts):
    """Regions, reps or factories with their KPIs now, in the previous
    period and the change (see ``metrics.grouping.rank``), most leads
    first. ``read``: how ``facts(ids, period)`` is read (a page passes one
    it shares with its tiles, ``compare``)."""
    return grouping.rank(scope.factory_ids(period.end), period, level, read, compute,
                         KPI_KINDS, "leads")


@cache.memoized(cache.ONBOARDING_READS)
def pipeline(scope, day):
    """The pipeline as it stood at the end of ``day``: ``{region id: {stage:
    count}}`` over the factories in scope, by the stage each was in then
    (every stage of ``models.ALL_STAGES``; a rep's scope is their book)."""
    S = StageSpan
    query = (stage_spans.as_of(scope.factory_ids(day), day,
                               (Factory.region, S.stage, fn.COUNT(SQL("*"))))
             .join(Factory, on=(S.factory == Factory.id))
             .group_by(Factory.region, S.stage))
    result = {}
    for region_id, stage, count in rawrows.rows(query):
        result.setdefault(region_id, dict.fromkeys(ALL_STAGES, 0))[stage] = count
    return result


def stage_list(scope, period, stage=None, region=None, stalled_only=False,
               overdue_only=False):
    """The factories in scope by the stage they were in at the end of the
    period, longest in it first; only ``stage`` / ``region`` (a region id)
    when given, only the stalled ones with ``stalled_only`` (then as many
    rows as the ``stalled`` KPI), only those not lost whose next action
    fell due before the period's end with ``overdue_only`` (as many as
    ``metrics.visits.overdue_by_rep`` counts, for a period ending today).
    Each row::

        {"factory_id", "code", "name", "region_id", "stage", "entered_on",
         "days" (in the stage at the end of the period), "rep" (display
         name or None), "rep_username", "last_visit" (naive UTC, up to the
         period's end), "next_action_on" (of that visit)}
    """
    S = StageSpan
    ids = scope.factory_ids(period.end)
    columns = (S.factory, Factory.code, Factory.name, Factory.region, S.stage, S.entered_on,
               User.display_name, User.username)
    query = (stalled_spans(ids, period, columns) if stalled_only
             else stage_spans.as_of(ids, period.end, columns))
    query = (query.join(Factory, on=(S.factory == Factory.id))
             .join(User, JOIN.LEFT_OUTER, on=(Factory.rep == User.id)))
    if stage is not None:
        query = query.where(S.stage == stage)
    if region is not None:
        query = query.where(Factory.region == region)
    rows = [dict(zip(("factory_id", "code", "name", "region_id", "stage", "entered_on", "rep",
                      "rep_username"), row)) for row in rawrows.rows(query)]
    visits = last_visits([row["factory_id"] for row in rows], period.utc_bounds()[1])
    for row in rows:
        row["entered_on"] = rawrows.to_date(row["entered_on"])
        row["days"] = (period.end - row["entered_on"]).days
        row["last_visit"], row["next_action_on"] = visits.get(row["factory_id"], (None, None))
    if overdue_only:
        rows = [row for row in rows if row["stage"] != LOST_STAGE and row["next_action_on"]
                and row["next_action_on"] < period.end]
    rows.sort(key=lambda row: (-row["days"], row["code"]))
    return rows


def stalled_by_rep(factory_ids, day):
    """``{rep id or None: factories}`` of the ``factory_ids`` subquery
    stalled at the end of ``day`` (the ``stalled`` KPI's rule), counted in
    the database."""
    S = StageSpan
    query = (stalled_spans(factory_ids, Period(day, day), (Factory.rep, fn.COUNT(S.factory)))
             .join(Factory, on=(S.factory == Factory.id)).group_by(Factory.rep))
    return {rep: int(count) for rep, count in rawrows.rows(query)}


def rep_speed(scope, period, read=facts):
    """Per rep in scope (rankings at the reps level): ``leads``,
    ``reached_live`` (the lives of that cohort), ``lead_to_live_rate``,
    ``median_days_to_live`` and ``stalled``, with the previous period."""
    return rankings(scope, period, "reps", read)


@cache.memoized(cache.ONBOARDING_READS)
def weekly(scope, period):
    """New leads and new lives per ISO week of the period, beside the same
    weeks a year earlier: ``[{"start", "end", "leads", "lives",
    "leads_last_year", "lives_last_year"}]`` (a week clipped by the period
    is clipped the same way a year earlier). Reads the lead and live
    entries only."""
    shown = ("lead", "live")
    weeks = [(week, Period(shift_years(week.start, -1), shift_years(week.end, -1)))
             for week in period.buckets("week")]
    now = _entries(scope, period, period.end, shown)
    earlier = _entries(scope, Period(min(last.start for _week, last in weeks),
                                     max(last.end for _week, last in weeks)), period.end, shown)
    return [{"start": week.start, "end": week.end, "leads": _sum(now, "lead", week),
             "lives": _sum(now, "live", week),
             "leads_last_year": _sum(earlier, "lead", last),
             "lives_last_year": _sum(earlier, "live", last)} for week, last in weeks]


def compare(scope, period, read=facts):
    """The KPIs with their previous-period and last-year values, shaped as
    ``metrics.sales.compare``'s answer (what the frame's tiles read):
    ``{name: {"value", "previous", "last_year", "vs_previous",
    "vs_last_year", "kind"}}``. The period and the previous one come from
    ``facts`` read by ``read`` (the same numbers as ``kpis``: a page shares
    the reads with its rep speed, which ranks the same two periods), the
    year before from the remembered ``kpis``."""
    now, before = (compute(read(scope.factory_ids(span.end), span), span)
                   for span in (period, period.previous()))
    year_ago = kpis(scope, period.last_year())
    return {name: {"value": now[name], "previous": before[name], "last_year": year_ago[name],
                   "vs_previous": grouping.change(now[name], before[name], KPI_KINDS[name]),
                   "vs_last_year": grouping.change(now[name], year_ago[name], KPI_KINDS[name]),
                   "kind": KPI_KINDS[name]}
            for name in KPI_NAMES}
