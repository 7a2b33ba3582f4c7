"""Sales sums from the cumulative rollup (migration 004), and its upkeep.

``cum(x)`` of a factory is its running sums up to and including date ``x``:
the ``sales_cumulative`` row at ``x`` when its span covers ``x``, its totals
in ``sales_cumulative_end`` when its span ended before ``x``, else zero. A
period's sums are ``cum(to) - cum(from - 1)``, so any period over any set of
factories costs two lookups by date, however long the period. A factory is
active in a period when its last date with orders (as of ``to``) is on or
after ``from``.

The triggers keep the rollup exact on every insert, update and delete of
``sales_daily``. For bulk loads, ``triggers_suspended()`` drops them and
rebuilds the rollup once at the end.
"""

import datetime
import importlib.util
from contextlib import contextmanager
from pathlib import Path

from peewee import Case, fn

import database
from models import SalesCumulative, SalesCumulativeEnd, db

ONE_DAY = datetime.timedelta(days=1)
_MIGRATION = Path(__file__).resolve().parent.parent / "migrations" / "004_sales_rollup.py"


def _migration():
    spec = importlib.util.spec_from_file_location("sales_rollup_migration", _MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MEASURES = ("gmv_fen", "orders", "new_buyers", "repeat_orders", "dropship_orders",
            "shipments", "shipments_picked_48h")


def _zero():
    return dict.fromkeys(MEASURES, 0)


def _add(target, values, sign=1):
    for name in MEASURES:
        target[name] += sign * values[name]


def _active_column(model, since):
    return fn.SUM(Case(None, [(model.last_order_date >= since, 1)], 0))


def _as_of(factory_ids, dates, active_since=()):
    """``{x: (sums at x, [active count for each of active_since])}``."""
    dates = sorted(set(dates))
    C, E = SalesCumulative, SalesCumulativeEnd
    sums_c = [fn.SUM(getattr(C, name)) for name in MEASURES]
    sums_e = [fn.SUM(getattr(E, name)) for name in MEASURES]
    rows_c = (C.select(C.date, *sums_c, *[_active_column(C, s) for s in active_since])
              .where(C.date.in_(dates) & C.factory.in_(factory_ids))
              .group_by(C.date).tuples())
    rows_e = (E.select(E.last_date, *sums_e, *[_active_column(E, s) for s in active_since])
              .where((E.last_date < dates[-1]) & E.factory.in_(factory_ids))
              .group_by(E.last_date).tuples())
    width = len(MEASURES)

    def split(row):
        values = dict(zip(MEASURES, (int(v or 0) for v in row[1:1 + width])))
        return _as_date(row[0]), values, [int(v or 0) for v in row[1 + width:]]

    at_date = {day: (values, active) for day, values, active in map(split, rows_c)}
    ended = sorted(map(split, rows_e), key=lambda item: item[0])
    result = {}
    for day in dates:
        values, active = at_date.get(day, (_zero(), [0] * len(active_since)))
        values, active = dict(values), list(active)
        for last_date, end_values, end_active in ended:
            if last_date >= day:
                break
            _add(values, end_values)
            active = [a + b for a, b in zip(active, end_active)]
        result[day] = (values, active)
    return result


def _as_date(value):
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def period_totals_many(factory_ids, periods):
    """For each period, ``{measure: sum, "active_factories": n}`` over the
    factories of the ``factory_ids`` subquery: two queries for them all."""
    dates = [d for period in periods for d in (period.end, period.start - ONE_DAY)]
    cumulative = _as_of(factory_ids, dates, [period.start for period in periods])
    result = []
    for index, period in enumerate(periods):
        end_values, end_active = cumulative[period.end]
        start_values, _active = cumulative[period.start - ONE_DAY]
        totals = dict(end_values)
        _add(totals, start_values, -1)
        totals["active_factories"] = end_active[index]
        result.append(totals)
    return result


def period_totals(factory_ids, period):
    """Like ``sales_data.raw_period_totals``, from the rollup."""
    return period_totals_many(factory_ids, [period])[0]


def bucket_totals(factory_ids, buckets):
    """``[{measure: sum}]`` for consecutive periods (a series), two queries."""
    dates = [buckets[0].start - ONE_DAY] + [bucket.end for bucket in buckets]
    cumulative = _as_of(factory_ids, dates)
    result = []
    for bucket in buckets:
        totals = dict(cumulative[bucket.end][0])
        _add(totals, cumulative[bucket.start - ONE_DAY][0], -1)
        result.append(totals)
    return result


def factory_totals(factory_ids, period):
    """Like ``sales_data.raw_factory_totals`` (factories whose sums are all
    zero may be present or absent), from the rollup: two queries."""
    before = period.start - ONE_DAY
    C, E = SalesCumulative, SalesCumulativeEnd
    at = {}
    for row in (C.select(C.factory, C.date, *[getattr(C, n) for n in MEASURES])
                .where(C.date.in_([period.end, before]) & C.factory.in_(factory_ids)).tuples()):
        at[(row[0], _as_date(row[1]))] = row[2:]
    ended = {row[0]: (_as_date(row[1]), row[2:]) for row in
             (E.select(E.factory, E.last_date, *[getattr(E, n) for n in MEASURES])
              .where((E.last_date < period.end) & E.factory.in_(factory_ids)).tuples())}

    def cum(factory, day):
        values = at.get((factory, day))
        if values is None:
            last = ended.get(factory)
            values = last[1] if last is not None and last[0] < day else None
        return values

    result = {}
    for factory in {key[0] for key in at} | set(ended):
        end_values = cum(factory, period.end)
        if end_values is None:
            continue
        start_values = cum(factory, before) or (0,) * len(MEASURES)
        result[factory] = {name: int(a) - int(b) for name, a, b in
                           zip(MEASURES, end_values, start_values)}
    return result


# --- upkeep -------------------------------------------------------------------

def rebuild_sales_rollups():
    """Recompute both rollup tables from ``sales_daily`` (after a bulk load
    with the triggers suspended, or to repair). Runs in one transaction."""
    migration = _migration()
    postgres = database.is_postgres()
    columns = ", ".join(f'"{m}"' for m in MEASURES)
    with db.atomic():
        db.execute_sql('DELETE FROM "sales_cumulative"')
        db.execute_sql('DELETE FROM "sales_cumulative_end"')
        db.execute_sql(
            f'INSERT INTO "sales_cumulative_end" ("factory_id", "first_date", "last_date", '
            f'{columns}, "last_order_date") SELECT "factory_id", MIN("date"), MAX("date"), '
            + ", ".join(f'SUM("{m}")' for m in MEASURES)
            + ', MAX(CASE WHEN "orders" > 0 THEN "date" END) FROM "sales_daily" '
            'GROUP BY "factory_id"')
        db.execute_sql(migration.fill_cumulative_sql(postgres))
    if postgres:
        db.execute_sql('ANALYZE "sales_cumulative"')
        db.execute_sql('ANALYZE "sales_cumulative_end"')
    else:
        db.execute_sql('ANALYZE')


@contextmanager
def triggers_suspended():
    """Drop the rollup triggers for a bulk load into ``sales_daily``, then
    recreate them and rebuild the rollup (also if the load fails, so the
    rollup always matches what is in ``sales_daily``)."""
    migration = _migration()
    postgres = database.is_postgres()
    with db.atomic():
        for statement in migration.drop_triggers(postgres):
            db.execute_sql(statement)
    try:
        yield
    finally:
        with db.atomic():
            for statement in migration.create_triggers(postgres):
                db.execute_sql(statement)
        rebuild_sales_rollups()


def after_seed(today=None):
    """``demo_data.POST_LOAD_HOOKS`` entry: rebuild after the seed's load."""
    rebuild_sales_rollups()
