"""Sums of ``sales_daily`` over a period for a set of factories.

Two implementations that must agree exactly:

* ``raw_*``: the definition, straight over ``sales_daily`` rows (used for
  small scopes and as the reference in tests);
* ``metrics.rollup``: the same sums from the cumulative rollup tables, fast
  at the programme's scale whatever the scope.

``period_totals`` and ``factory_totals`` pick the fast one.
"""

import datetime

from peewee import Case, fn

from models import Factory, SalesDaily
from metrics import rollup
from metrics.rollup_sql import MEASURES
EMPTY = dict.fromkeys(MEASURES + ("active_factories",), 0)


def _in_period(period):
    return (SalesDaily.date >= period.start) & (SalesDaily.date <= period.end)


def raw_period_totals(factory_ids, period):
    """``{measure: sum, "active_factories": n}`` over the factories of the
    ``factory_ids`` subquery with ``date`` in ``period``."""
    active = fn.COUNT(Case(None, [(SalesDaily.orders > 0, SalesDaily.factory)]).distinct())
    row = (SalesDaily
           .select(*[fn.COALESCE(fn.SUM(getattr(SalesDaily, name)), 0) for name in MEASURES],
                   active)
           .where(SalesDaily.factory.in_(factory_ids) & _in_period(period))
           .tuples().get())
    return dict(zip(MEASURES + ("active_factories",), (int(value or 0) for value in row)))


def raw_factory_totals(factory_ids, period):
    """``{factory_id: {measure: sum}}`` for the factories with rows in the
    period (a factory without rows is absent: its sums are all 0)."""
    query = (SalesDaily
             .select(SalesDaily.factory,
                     *[fn.SUM(getattr(SalesDaily, name)) for name in MEASURES])
             .where(SalesDaily.factory.in_(factory_ids) & _in_period(period))
             .group_by(SalesDaily.factory)
             .tuples())
    return {row[0]: dict(zip(MEASURES, (int(v) for v in row[1:]))) for row in query}


def raw_daily_totals(factory_ids, period):
    """``{date: {measure: sum}}`` for the dates with rows in the period."""
    query = (SalesDaily
             .select(SalesDaily.date,
                     *[fn.SUM(getattr(SalesDaily, name)) for name in MEASURES])
             .where(SalesDaily.factory.in_(factory_ids) & _in_period(period))
             .group_by(SalesDaily.date)
             .tuples())
    return {_as_date(row[0]): dict(zip(MEASURES, (int(v) for v in row[1:]))) for row in query}


def _as_date(value):
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def period_totals(factory_ids, period, size=None):
    """See ``raw_period_totals``; from the rollup (two queries)."""
    return rollup.period_totals(factory_ids, period, size)


def period_totals_many(factory_ids, periods, size=None):
    """``period_totals`` for several periods at once (still two queries)."""
    return rollup.period_totals_many(factory_ids, periods, size)


def factory_totals(factory_ids, period, size=None):
    """See ``raw_factory_totals``; from the rollup (two queries). Factories
    whose sums are all 0 may be present or absent."""
    return rollup.factory_totals(factory_ids, period, size)


def raw_group_totals(factory_ids, group, periods):
    """The definition behind ``group_totals``: per-factory sums from the
    rows, added up by ``group`` (a ``Factory`` column)."""
    keys = dict(Factory.select(Factory.id, group).where(Factory.id.in_(factory_ids)).tuples())
    result = {}
    for index, period in enumerate(periods):
        for factory_id, totals in raw_factory_totals(factory_ids, period).items():
            rows = result.setdefault(keys[factory_id], [dict(EMPTY) for _ in periods])
            for name in MEASURES:
                rows[index][name] += totals[name]
            rows[index]["active_factories"] += 1 if totals["orders"] > 0 else 0
    return result


def group_totals(factory_ids, group, periods, size=None):
    """``{key: [{measure: sum, "active_factories": n} per period]}`` of the
    factories grouped by ``group``; from the rollup (two queries). Groups
    without sales may be absent."""
    return rollup.group_totals(factory_ids, group, periods, size)


def bucket_totals(factory_ids, buckets, size=None):
    """``[{measure: sum}]`` for consecutive periods: from the rollup for
    weeks and months, straight from the rows for days."""
    if all(bucket.days == 1 for bucket in buckets) and len(buckets) > 1:
        daily = raw_daily_totals(factory_ids, type(buckets[0])(buckets[0].start,
                                                               buckets[-1].end))
        return [dict(daily.get(bucket.start, dict.fromkeys(MEASURES, 0))) for bucket in buckets]
    return rollup.bucket_totals(factory_ids, buckets, size)


def factory_daily_gmv(factory_id, period):
    """``[(date, gmv_fen)]`` of one factory in the period, in date order."""
    query = (SalesDaily.select(SalesDaily.date, SalesDaily.gmv_fen)
             .where((SalesDaily.factory == factory_id) & _in_period(period))
             .order_by(SalesDaily.date).tuples())
    return [(_as_date(day), int(gmv)) for day, gmv in query]
