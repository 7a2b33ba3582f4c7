"""Renewals KPIs (SPEC section 4, "Renewals") over membership terms.

A term's outcome is ``renewed``, ``churned`` or open (NULL); its successor is
the same factory's next term by start date. On this dashboard ``tier``
selects terms by their own tier.
"""

import bisect
import datetime

from peewee import fn

from models import Membership
from metrics import grouping, rawrows
from metrics.numbers import fen_to_yuan, ratio

DUE_WINDOWS = (30, 60, 90)
KPI_NAMES = ("renewed", "churned", "open", "renewal_rate", "due_30", "due_60", "due_90",
             "revenue_at_stake_90_cny", "renewed_revenue_cny")
KPI_KINDS = dict.fromkeys(KPI_NAMES, "count")
KPI_KINDS.update(renewal_rate="rate", revenue_at_stake_90_cny="money",
                 renewed_revenue_cny="money")


def _as_date(value):
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def facts(ids, period, tier=None):
    """``terms``: (factory, tier, fee_fen, end, outcome, successor fee_fen or
    None) for the terms ending in the period and the open ones ending in the
    90 days after it."""
    horizon = period.end + datetime.timedelta(days=max(DUE_WINDOWS))
    Successor = Membership.alias("successor")
    successor_fee = (Successor.select(Successor.fee_fen)
                     .where((Successor.factory == Membership.factory)
                            & (Successor.start > Membership.start))
                     .order_by(Successor.start).limit(1))
    query = (Membership.select(Membership.factory, Membership.tier, Membership.fee_fen,
                               Membership.end, Membership.outcome,
                               successor_fee.alias("successor_fee"))
             .where(Membership.factory.in_(ids)
                    & (((Membership.end >= period.start) & (Membership.end <= period.end))
                       | (Membership.outcome.is_null() & (Membership.end > period.end)
                          & (Membership.end <= horizon)))))
    if tier is not None:
        query = query.where(Membership.tier == tier)
    to_date = rawrows.to_date
    return {"terms": [(factory, tier_, int(fee), to_date(end), outcome,
                       None if successor is None else int(successor))
                      for factory, tier_, fee, end, outcome, successor in rawrows.rows(query)]}


def compute(facts_, period):
    """The KPIs from ``facts`` (all of them, or one group's share)."""
    counts = {"renewed": 0, "churned": 0, "open": 0}
    due = dict.fromkeys(DUE_WINDOWS, 0)
    at_stake = renewed_revenue = 0
    for _factory, _tier, fee, end, outcome, successor_fee in facts_.get("terms", ()):
        if period.contains(end):
            counts[outcome or "open"] += 1
            if outcome == "renewed":
                renewed_revenue += successor_fee or 0
        elif outcome is None and end > period.end:
            days = (end - period.end).days
            for window in DUE_WINDOWS:
                if days <= window:
                    due[window] += 1
            if days <= 90:
                at_stake += fee
    result = dict(counts)
    result["renewal_rate"] = ratio(counts["renewed"], counts["renewed"] + counts["churned"])
    result.update({f"due_{window}": due[window] for window in DUE_WINDOWS})
    result["revenue_at_stake_90_cny"] = fen_to_yuan(at_stake)
    result["renewed_revenue_cny"] = fen_to_yuan(renewed_revenue)
    return result


def _ids(scope, period):
    return scope.factory_ids(period.end, by_tier=False)


def kpis(scope, period):
    """``{name: value}``: ``renewed``, ``churned``, ``open`` (int, terms
    ending in the period by outcome), ``renewal_rate`` (Decimal|None),
    ``due_30``/``due_60``/``due_90`` (int, open terms ending in (to,
    to+N]), ``revenue_at_stake_90_cny`` (Decimal, their fees),
    ``renewed_revenue_cny`` (Decimal, fees of the successors of the
    renewed terms; a renewed term without a successor adds 0)."""
    return compute(facts(_ids(scope, period), period, scope.tier), period)


def series(scope, period, grain="month"):
    """Terms ending per bucket by outcome, oldest first::

        [{"start": date, "end": date, "renewed": int, "churned": int,
          "open": int, "renewal_rate": Decimal|None}, ...]
    """
    terms = facts(_ids(scope, period), period, scope.tier)["terms"]
    buckets = period.buckets(grain)
    counts = [{"renewed": 0, "churned": 0, "open": 0} for _bucket in buckets]
    starts = [bucket.start for bucket in buckets]
    for _factory, _tier, _fee, end, outcome, _successor in terms:
        # The buckets tile the period in order: the last one starting on or
        # before ``end`` holds it, if it ends after ``end``.
        index = bisect.bisect_right(starts, end) - 1
        if index >= 0 and buckets[index].contains(end):
            counts[index][outcome or "open"] += 1
    return [{"start": bucket.start, "end": bucket.end, **count,
             "renewal_rate": ratio(count["renewed"], count["renewed"] + count["churned"])}
            for bucket, count in zip(buckets, counts)]


def cohorts(ids):
    """``{factory id: year of its first super-factory term}`` of the
    factories of the ``ids`` subquery that ever had one."""
    query = (Membership.select(Membership.factory, fn.MIN(Membership.start))
             .where(Membership.factory.in_(ids) & (Membership.tier == "super"))
             .group_by(Membership.factory))
    return {factory: rawrows.to_date(start).year for factory, start in rawrows.rows(query)}


def rankings(scope, period, level):
    """Regions, reps, factories (see ``metrics.grouping.rank``), ``tiers``
    (key ``cxt``/``super``) or ``cohorts`` (key: the year of the factory's
    first super-factory term, ``None`` for factories that never had one)
    with their KPIs now, in the previous period and the change, most
    revenue at stake first (tiers and cohorts: by key)."""
    def scoped_facts(ids, which):
        return facts(ids, which, scope.tier)

    ids = _ids(scope, period)
    if level in ("tiers", "cohorts"):
        if level == "tiers":
            def group_of(row):
                return row[1]
        else:
            years = cohorts(ids)

            def group_of(row):
                return years.get(row[0])
        now = grouping.split(scoped_facts(ids, period), group_of)
        before = grouping.split(scoped_facts(ids, period.previous()), group_of)
        result = []
        for key in sorted(set(now) | set(before), key=lambda k: (k is None, str(k))):
            current = compute(now.get(key, {}), period)
            previous = compute(before.get(key, {}), period.previous())
            name = "" if key is None else str(key)
            result.append({"id": key, "key": key, "name": name, "name_en": name,
                           "factories": None, "kpis": current, "previous": previous,
                           "change": {n: grouping.change(current[n], previous[n], KPI_KINDS[n])
                                      for n in current}})
        return result
    return grouping.rank(ids, period, level, scoped_facts, compute, KPI_KINDS,
                         "revenue_at_stake_90_cny")
