"""Complaints KPIs (SPEC section 4, "Complaints"): the 吐槽板 and its SLA
clocks.

SLA targets run from ``created_at`` in clock hours (models:
``RESOLUTION_TARGET_HOURS``, ``FIRST_RESPONSE_TARGET_HOURS``); resolved
exactly at the target counts as within it. A complaint's dates are the
Asia/Shanghai dates of its (naive UTC) timestamps.
"""

import datetime
from bisect import bisect_right
from decimal import Decimal

from models import FIRST_RESPONSE_TARGET_HOURS, Complaint, Factory
from metrics import grouping, rawrows
from metrics.numbers import mean, ratio
from metrics.sla import RESOLUTION

KPI_NAMES = ("opened", "resolved", "sla_attainment", "breached_open",
             "median_hours_to_first_response", "median_hours_to_resolve", "csat_avg")
KPI_KINDS = dict.fromkeys(KPI_NAMES, "count")
KPI_KINDS.update(sla_attainment="rate", median_hours_to_first_response="ratio",
                 median_hours_to_resolve="ratio", csat_avg="ratio")
MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)


def hours(delta):
    """Exact elapsed hours of a timedelta, as a Decimal."""
    return Decimal(delta // datetime.timedelta(microseconds=1)) / MICROSECONDS_PER_HOUR


def resolution_target(severity):
    return RESOLUTION[severity]


def first_response_target(severity):
    return datetime.timedelta(hours=FIRST_RESPONSE_TARGET_HOURS[severity])


def touching(ids, period):
    """The condition of the complaints of the factories ``ids`` that the
    period touches: created, responded to or resolved in it, or still
    unresolved at its end."""
    first, after = period.utc_bounds()

    def during(column):
        return (column >= first) & (column < after)

    return (Complaint.factory.in_(ids)
            & (during(Complaint.created_at) | during(Complaint.resolved_at)
               | during(Complaint.first_response_at)
               | ((Complaint.created_at < after)
                  & (Complaint.resolved_at.is_null() | (Complaint.resolved_at >= after)))))


def facts(ids, period, key=Complaint.factory):
    """``complaints``: (factory, severity, created_at, first_response_at,
    resolved_at, satisfaction) for every complaint ``touching`` the period.
    ``key``: the first column instead of the factory id (a ``Factory``
    column, such as ``Factory.region``, joins the factory)."""
    query = Complaint.select(key, Complaint.severity, Complaint.created_at,
                             Complaint.first_response_at, Complaint.resolved_at,
                             Complaint.satisfaction)
    if key.model is Factory:
        query = query.join(Factory, on=(Complaint.factory == Factory.id))
    query = query.where(touching(ids, period))
    to_datetime = rawrows.to_datetime
    return {"complaints": [(factory, severity, to_datetime(created), to_datetime(responded),
                            to_datetime(solved), rating)
                           for factory, severity, created, responded, solved, rating
                           in rawrows.rows(query)]}


def _median_hours(deltas):
    """The median of timedeltas in exact hours (an even count: the mean of
    the two middle ones); only the middle values are converted."""
    ordered = sorted(deltas)
    count = len(ordered)
    if count == 0:
        return None
    middle = count // 2
    if count % 2:
        return hours(ordered[middle])
    return (hours(ordered[middle - 1]) + hours(ordered[middle])) / 2


def compute(facts_, period):
    """The KPIs from ``facts`` (all of them, or one group's share)."""
    first, after = period.utc_bounds()
    opened = resolved = within = breached = 0
    to_first_response, to_resolve, ratings = [], [], []
    for _factory, severity, created, responded, solved, rating in facts_.get("complaints", ()):
        target = RESOLUTION[severity]
        if first <= created < after:
            opened += 1
        if solved is not None and first <= solved < after:
            resolved += 1
            to_resolve.append(solved - created)
            if solved - created <= target:
                within += 1
            if rating is not None:
                ratings.append(rating)
        if responded is not None and first <= responded < after:
            to_first_response.append(responded - created)
        if created < after and (solved is None or solved >= after) \
                and created + target < after:
            breached += 1
    return {
        "opened": opened,
        "resolved": resolved,
        "sla_attainment": ratio(within, resolved),
        "breached_open": breached,
        "median_hours_to_first_response": _median_hours(to_first_response),
        "median_hours_to_resolve": _median_hours(to_resolve),
        "csat_avg": mean(ratings),
    }


def kpis(scope, period):
    """``{name: value}``: ``opened``, ``resolved`` (int, created / resolved
    in the period), ``sla_attainment`` (Decimal|None, resolved within their
    target / resolved), ``breached_open`` (int, unresolved at the end of
    ``to`` and past their resolution target by then),
    ``median_hours_to_first_response``, ``median_hours_to_resolve``
    (Decimal hours|None, over those responded / resolved in the period),
    ``csat_avg`` (Decimal|None, mean 1-5 rating of those resolved in the
    period and rated)."""
    return compute(facts(scope.factory_ids(period.end), period), period)


def series(scope, period, grain="week"):
    """Per bucket, oldest first::

        [{"start": date, "end": date, "opened": int, "resolved": int,
          "sla_attainment": Decimal|None}, ...]
    """
    return series_from_facts(facts(scope.factory_ids(period.end), period), period, grain)


def series_from_facts(facts_, period, grain="week"):
    """``series`` from ``facts`` already read for the same period: each
    complaint is put in its bucket once (a binary search over the buckets'
    starts), so a year of weeks costs one pass."""
    buckets = period.buckets(grain)
    starts = [bucket.utc_bounds()[0] for bucket in buckets]
    end = period.utc_bounds()[1]
    counts = [[0, 0, 0] for _bucket in buckets]  # opened, resolved, within
    for _factory, severity, created, _responded, solved, _rating in facts_["complaints"]:
        if starts[0] <= created < end:
            counts[bisect_right(starts, created) - 1][0] += 1
        if solved is not None and starts[0] <= solved < end:
            bucket = counts[bisect_right(starts, solved) - 1]
            bucket[1] += 1
            bucket[2] += solved - created <= RESOLUTION[severity]
    return [{"start": bucket.start, "end": bucket.end, "opened": opened,
             "resolved": resolved, "sla_attainment": ratio(within, resolved)}
            for bucket, (opened, resolved, within) in zip(buckets, counts)]


def rankings(scope, period, level):
    """Regions, reps or factories with their KPIs now, in the previous
    period and the change (see ``metrics.grouping.rank``), most breached
    first."""
    return grouping.rank(scope.factory_ids(period.end), period, level, facts, compute,
                         KPI_KINDS, "breached_open")
