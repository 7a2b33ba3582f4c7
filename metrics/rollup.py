"""Sales sums from the cumulative rollup (migration 004), and its upkeep.

``cum(x)`` of a factory is its running sums up to and including date ``x``:
the ``sales_cumulative`` row at ``x`` when its span covers ``x``, its totals
in ``sales_cumulative_end`` when its span ended before ``x``, else zero. A
period's sums are ``cum(to) - cum(from - 1)``, so any period over any set of
factories costs two lookups by date, however long the period. A factory is
active in a period when its last date with orders (as of ``to``) is on or
after ``from``.

The triggers keep the rollup exact on every insert, update and delete of
``sales_daily``. For bulk loads, ``triggers_suspended()`` drops them (and
the table's version triggers, ``metrics.cache``) and rebuilds the rollup
once at the end, bumping the version once.
"""

import datetime
from contextlib import contextmanager

from peewee import JOIN, SQL, Case, NodeList, fn

import database
from models import Factory, Membership, SalesCumulative, SalesCumulativeEnd, SalesDaily, db
from metrics import cache, cache_sql, rawrows, rollup_sql
from metrics.rollup_sql import MEASURES

ONE_DAY = datetime.timedelta(days=1)


def _zero():
    return dict.fromkeys(MEASURES, 0)


def _add(target, values, sign=1):
    for name in MEASURES:
        target[name] += sign * values[name]


# From this many factories in scope, SQLite reads a date's rows in one
# range and checks each against the scope, instead of one lookup per
# factory (4x faster for all ~15,000 factories, slower for a rep's book).
SCAN_FROM_FACTORIES = 2_000


def _in_scope(column, factory_ids, size):
    """``column IN (factory_ids)``; on SQLite with a large scope written as
    ``+column IN (...)`` so the planner ranges over the date instead.
    ``size``: how many factories ``factory_ids`` selects at most, when the
    caller knows (``Scope.known_size``); otherwise one COUNT query."""
    if database.is_postgres():
        return column.in_(factory_ids)
    if size is None:
        size = factory_ids.count()
    if size < SCAN_FROM_FACTORIES:
        return column.in_(factory_ids)
    return NodeList((SQL("+"), column), glue="").in_(factory_ids)


def _active_column(model, since):
    return fn.SUM(Case(None, [(model.last_order_date >= since, 1)], 0))


def _as_of(factory_ids, dates, active_since=(), size=None):
    """``{x: (sums at x, [active count for each of active_since])}``."""
    dates = sorted(set(dates))
    C, E = SalesCumulative, SalesCumulativeEnd
    sums_c = [fn.SUM(getattr(C, name)) for name in MEASURES]
    sums_e = [fn.SUM(getattr(E, name)) for name in MEASURES]
    rows_c = (C.select(C.date, *sums_c, *[_active_column(C, s) for s in active_since])
              .where(C.date.in_(dates) & _in_scope(C.factory, factory_ids, size))
              .group_by(C.date))
    rows_e = (E.select(E.last_date, *sums_e, *[_active_column(E, s) for s in active_since])
              .where((E.last_date < dates[-1]) & E.factory.in_(factory_ids))
              .group_by(E.last_date))
    width = len(MEASURES)

    def split(row):
        values = dict(zip(MEASURES, (int(v or 0) for v in row[1:1 + width])))
        return _as_date(row[0]), values, [int(v or 0) for v in row[1 + width:]]

    at_date = {day: (values, active) for day, values, active in
               map(split, rawrows.rows(rows_c))}
    ended = sorted(map(split, rawrows.rows(rows_e)), key=lambda item: item[0])
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


def period_totals_many(factory_ids, periods, size=None):
    """For each period, ``{measure: sum, "active_factories": n}`` over the
    factories of the ``factory_ids`` subquery: two queries for them all.
    ``size`` here and below: see ``_in_scope``."""
    dates = [d for period in periods for d in (period.end, period.start - ONE_DAY)]
    cumulative = _as_of(factory_ids, dates, [period.start for period in periods], size)
    result = []
    for index, period in enumerate(periods):
        end_values, end_active = cumulative[period.end]
        start_values, _active = cumulative[period.start - ONE_DAY]
        totals = dict(end_values)
        _add(totals, start_values, -1)
        totals["active_factories"] = end_active[index]
        result.append(totals)
    return result


def period_totals(factory_ids, period, size=None):
    """Like ``sales_data.raw_period_totals``, from the rollup."""
    return period_totals_many(factory_ids, [period], size)[0]


def bucket_totals(factory_ids, buckets, size=None):
    """``[{measure: sum}]`` for consecutive periods (a series), two queries."""
    dates = [buckets[0].start - ONE_DAY] + [bucket.end for bucket in buckets]
    cumulative = _as_of(factory_ids, dates, size=size)
    result = []
    for bucket in buckets:
        totals = dict(cumulative[bucket.end][0])
        _add(totals, cumulative[bucket.start - ONE_DAY][0], -1)
        result.append(totals)
    return result


def factory_totals(factory_ids, period, size=None):
    """Like ``sales_data.raw_factory_totals`` (factories whose sums are all
    zero may be present or absent), from the rollup: two queries."""
    before = period.start - ONE_DAY
    C, E = SalesCumulative, SalesCumulativeEnd
    at = {}
    for row in rawrows.rows(C.select(C.factory, C.date, *[getattr(C, n) for n in MEASURES])
                .where(C.date.in_([period.end, before])
                       & _in_scope(C.factory, factory_ids, size))):
        at[(row[0], _as_date(row[1]))] = row[2:]
    ended = {row[0]: (_as_date(row[1]), row[2:]) for row in
             rawrows.rows(E.select(E.factory, E.last_date, *[getattr(E, n) for n in MEASURES])
                          .where((E.last_date < period.end) & E.factory.in_(factory_ids)))}

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


def group_totals(factory_ids, group, periods, size=None):
    """``{key: [totals for each period]}``: the sums of the factories of the
    ``factory_ids`` subquery grouped by ``group`` (a ``Factory`` column:
    ``Factory.region``, ``Factory.rep`` or ``Factory.id``), each totals dict
    with the measures and ``active_factories``; two queries however many
    factories and periods. Groups without sales rows are absent."""
    dates = sorted({day for period in periods for day in (period.end, period.start - ONE_DAY)})
    since = [period.start for period in periods]
    width = len(MEASURES)

    def grouped(model, day_column, condition):
        query = (model.select(group, day_column,
                              *[fn.SUM(getattr(model, name)) for name in MEASURES],
                              *[_active_column(model, start) for start in since])
                 .join(Factory, on=(model.factory == Factory.id))
                 .where(condition & scoped[model](model.factory))
                 .group_by(group, day_column))
        for row in rawrows.rows(query):
            values = dict(zip(MEASURES, (int(v or 0) for v in row[2:2 + width])))
            yield row[0], _as_date(row[1]), values, [int(v or 0) for v in row[2 + width:]]

    C, E = SalesCumulative, SalesCumulativeEnd
    in_scope = _in_scope(C.factory, factory_ids, size)
    scoped = {C: lambda column: in_scope, E: lambda column: column.in_(factory_ids)}
    at = {(key, day): (values, active)
          for key, day, values, active in grouped(C, C.date, C.date.in_(dates))}
    ended = {}
    for key, last_date, values, active in grouped(E, E.last_date, E.last_date < dates[-1]):
        ended.setdefault(key, []).append((last_date, values, active))

    def cumulative(key, day):
        values, active = at.get((key, day), (_zero(), [0] * len(since)))
        values, active = dict(values), list(active)
        for last_date, end_values, end_active in ended.get(key, ()):
            if last_date < day:
                _add(values, end_values)
                active = [a + b for a, b in zip(active, end_active)]
        return values, active

    result = {}
    for key in {key for key, _day in at} | set(ended):
        rows = []
        for index, period in enumerate(periods):
            end_values, end_active = cumulative(key, period.end)
            totals = dict(end_values)
            _add(totals, cumulative(key, period.start - ONE_DAY)[0], -1)
            totals["active_factories"] = end_active[index]
            rows.append(totals)
        result[key] = rows
    return result


# --- upkeep -------------------------------------------------------------------

def rebuild_sales_rollups(factory_ids_sql=None):
    """Recompute the rollup from ``sales_daily``: of every factory, or of
    those whose ids the SQL text ``factory_ids_sql`` selects (e.g. ``SELECT
    DISTINCT factory_id FROM staging``). Runs in one transaction (nested in
    the caller's, if any)."""
    postgres = database.is_postgres()
    columns = ", ".join(f'"{m}"' for m in MEASURES)
    only = f' WHERE "factory_id" IN ({factory_ids_sql})' if factory_ids_sql else ""
    with db.atomic():
        db.execute_sql(f'DELETE FROM "sales_cumulative"{only}')
        db.execute_sql(f'DELETE FROM "sales_cumulative_end"{only}')
        db.execute_sql(
            f'INSERT INTO "sales_cumulative_end" ("factory_id", "first_date", "last_date", '
            f'{columns}, "last_order_date") SELECT "factory_id", MIN("date"), MAX("date"), '
            + ", ".join(f'SUM("{m}")' for m in MEASURES)
            + f', MAX(CASE WHEN "orders" > 0 THEN "date" END) FROM "sales_daily"{only} '
            'GROUP BY "factory_id"')
        db.execute_sql(_fill_sql(postgres, factory_ids_sql))
    if factory_ids_sql is None:
        if postgres:
            # Rows of one date together on disk: a period's lookups then read
            # a few hundred pages instead of one page per factory.
            db.execute_sql('CLUSTER "sales_cumulative" USING "sales_cumulative_pkey"')
        # After a bulk load every table's statistics are stale, not only ours.
        db.execute_sql('ANALYZE')


def _fill_sql(postgres, factory_ids_sql=None):
    """INSERT ... SELECT filling sales_cumulative over the spans in
    sales_cumulative_end (of the given factories only, if any)."""
    sums = ", ".join(f'SUM(COALESCE(s."{m}", 0)) OVER w' for m in MEASURES)
    if postgres:
        days = ('CROSS JOIN LATERAL generate_series(e."first_date", e."last_date", '
                'interval \'1 day\') AS g(day)')
        day = 'g.day::date'
    else:
        days = 'JOIN "sales_calendar" c ON c."date" BETWEEN e."first_date" AND e."last_date"'
        day = 'c."date"'
    only = f'WHERE e."factory_id" IN ({factory_ids_sql}) ' if factory_ids_sql else ""
    columns = ", ".join(f'"{m}"' for m in MEASURES)
    return (f'INSERT INTO "sales_cumulative" ("date", "factory_id", {columns}, '
            f'"last_order_date") SELECT {day}, e."factory_id", {sums}, '
            f'MAX(CASE WHEN s."orders" > 0 THEN s."date" END) OVER w '
            f'FROM "sales_cumulative_end" e {days} '
            f'LEFT JOIN "sales_daily" s ON s."factory_id" = e."factory_id" AND s."date" = {day} '
            f'{only}'
            f'WINDOW w AS (PARTITION BY e."factory_id" ORDER BY {day} '
            f'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)')


@contextmanager
def bulk_sales_write(factory_ids_sql):
    """For a large set-based write into ``sales_daily`` inside the caller's
    transaction: the triggers are off for the write, then on again and the
    rollup of the factories ``factory_ids_sql`` selects (SQL text, all the
    factories the write touched) recomputed, all in that transaction, so
    other connections never see them missing.

    On PostgreSQL the triggers are disabled, not dropped: DISABLE TRIGGER
    takes a SHARE ROW EXCLUSIVE lock, which lets the dashboards go on
    reading ``sales_daily`` during a long import (DROP TRIGGER would take
    ACCESS EXCLUSIVE and block every reader until the import commits).
    Other writers wait either way. SQLite has no such statement, and its
    one writer blocks no reader, so there they are dropped and recreated."""
    if database.is_postgres():
        off = (rollup_sql.set_triggers_enabled(False)
               + [cache_sql.set_postgres_trigger_enabled("sales_daily", False)])
        on = (rollup_sql.set_triggers_enabled(True)
              + [cache_sql.set_postgres_trigger_enabled("sales_daily", True)])
    else:
        drop_versions, create_versions = cache.version_triggers("sales_daily")
        off = rollup_sql.drop_triggers(False) + drop_versions
        on = rollup_sql.create_triggers(False) + create_versions
    for statement in off:
        db.execute_sql(statement)
    yield
    for statement in on:
        db.execute_sql(statement)
    rebuild_sales_rollups(factory_ids_sql)
    cache.bump("sales_daily")


@contextmanager
def triggers_suspended():
    """Drop the rollup triggers for a bulk load into ``sales_daily``, then
    recreate them and rebuild the rollup (also if the load fails, so the
    rollup always matches what is in ``sales_daily``)."""
    postgres = database.is_postgres()
    drop_versions, create_versions = cache.version_triggers("sales_daily")
    with db.atomic():
        for statement in rollup_sql.drop_triggers(postgres) + drop_versions:
            db.execute_sql(statement)
    try:
        yield
    finally:
        with db.atomic():
            for statement in rollup_sql.create_triggers(postgres) + create_versions:
                db.execute_sql(statement)
            cache.bump("sales_daily")
        rebuild_sales_rollups()


def after_seed(today=None):
    """``demo_data.POST_LOAD_HOOKS`` entry: rebuild after the seed's load."""
    rebuild_sales_rollups()


def term_gmv(term_ids, as_of):
    """``{term id: (factory id, start, end, fee_fen, GMV fen)}`` of the
    membership terms of the ``term_ids`` subquery, GMV over each term's
    start..min(end, ``as_of``) (a term starting after ``as_of`` has 0): one
    query, however many terms, as cum(min(end, as_of)) - cum(start - 1),
    with cum(start - 1) = cum(start) - that day's sales."""
    M, E, S = Membership, SalesCumulativeEnd, SalesDaily
    at_start, at_end = SalesCumulative.alias("at_start"), SalesCumulative.alias("at_end")
    until = Case(None, [(M.end < as_of, M.end)], as_of)
    query = (M.select(M.id, M.factory, M.start, M.end, M.fee_fen, E.last_date,
                      E.gmv_fen, at_start.gmv_fen, S.gmv_fen, at_end.gmv_fen)
             .join(E, JOIN.LEFT_OUTER, on=(E.factory == M.factory))
             .switch(M).join(at_start, JOIN.LEFT_OUTER,
                             on=((at_start.date == M.start) & (at_start.factory == M.factory)))
             .switch(M).join(S, JOIN.LEFT_OUTER,
                             on=((S.factory == M.factory) & (S.date == M.start)))
             .switch(M).join(at_end, JOIN.LEFT_OUTER,
                             on=((at_end.date == until) & (at_end.factory == M.factory)))
             .where(M.id.in_(term_ids)))
    result = {}
    for (term, factory, start, end, fee, last, total, cum_start, day_start,
         cum_end) in rawrows.rows(query):
        start, end = _as_date(start), _as_date(end)
        until_day = min(end, as_of)

        def cum(day, found):
            if found is not None:
                return int(found)
            return int(total) if last is not None and day > _as_date(last) else 0

        gmv = 0
        if start <= until_day:
            before = cum(start, cum_start) - int(day_start or 0)
            gmv = cum(until_day, cum_end) - before
        result[term] = (factory, start, end, int(fee), gmv)
    return result
