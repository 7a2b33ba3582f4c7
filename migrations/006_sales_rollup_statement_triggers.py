"""006: on PostgreSQL, keep the sales rollup with statement-level triggers.

004's row triggers update every later running sum per changed row, so a
statement touching many rows of a factory (wiping a table, a large delete)
costs rows x span. PostgreSQL can see all of a statement's rows at once
(transition tables): these triggers recompute, set-based, the rollup of the
factories the statement touched, serialised by an advisory lock so
concurrent writers never lose each other's rows. SQLite keeps 004's row
triggers (it has no statement triggers).
"""

import importlib.util
from pathlib import Path

import peewee as pw


def _base():
    # peewee-migrate runs this file without __file__; the folder is known.
    from database import MIGRATIONS_DIR

    path = Path(MIGRATIONS_DIR) / "004_sales_rollup.py"
    spec = importlib.util.spec_from_file_location("sales_rollup_004", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MEASURES = ("gmv_fen", "orders", "new_buyers", "repeat_orders", "dropship_orders",
            "shipments", "shipments_picked_48h")


def _function():
    columns = ", ".join(f'"{m}"' for m in MEASURES)
    sums = ", ".join(f'SUM(COALESCE(s."{m}", 0)) OVER w' for m in MEASURES)
    totals = ", ".join(f'SUM("{m}")' for m in MEASURES)
    return f'''
CREATE FUNCTION "sales_rollup_refresh"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT "factory_id") INTO ids FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT "factory_id") INTO ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT "factory_id") INTO ids FROM
            (SELECT "factory_id" FROM old_rows UNION SELECT "factory_id" FROM new_rows) AS u;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('sales_rollup'));
    DELETE FROM "sales_cumulative" WHERE "factory_id" = ANY (ids);
    DELETE FROM "sales_cumulative_end" WHERE "factory_id" = ANY (ids);
    INSERT INTO "sales_cumulative_end" ("factory_id", "first_date", "last_date", {columns},
        "last_order_date")
        SELECT "factory_id", MIN("date"), MAX("date"), {totals},
               MAX(CASE WHEN "orders" > 0 THEN "date" END)
        FROM "sales_daily" WHERE "factory_id" = ANY (ids) GROUP BY "factory_id";
    INSERT INTO "sales_cumulative" ("date", "factory_id", {columns}, "last_order_date")
        SELECT g.day::date, e."factory_id", {sums},
               MAX(CASE WHEN s."orders" > 0 THEN s."date" END) OVER w
        FROM "sales_cumulative_end" e
        CROSS JOIN LATERAL generate_series(e."first_date", e."last_date",
                                           interval '1 day') AS g(day)
        LEFT JOIN "sales_daily" s ON s."factory_id" = e."factory_id"
                                 AND s."date" = g.day::date
        WHERE e."factory_id" = ANY (ids)
        WINDOW w AS (PARTITION BY e."factory_id" ORDER BY g.day
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);
    RETURN NULL;
END
$$'''


def postgres_triggers():
    return [
        _function(),
        'CREATE TRIGGER "sales_rollup_insert" AFTER INSERT ON "sales_daily" '
        'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
        'EXECUTE FUNCTION "sales_rollup_refresh"()',
        'CREATE TRIGGER "sales_rollup_update" AFTER UPDATE ON "sales_daily" '
        'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT '
        'EXECUTE FUNCTION "sales_rollup_refresh"()',
        'CREATE TRIGGER "sales_rollup_delete" AFTER DELETE ON "sales_daily" '
        'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
        'EXECUTE FUNCTION "sales_rollup_refresh"()',
    ]


def drop_triggers(postgres):
    """Statements removing the rollup triggers (for a bulk load)."""
    if not postgres:
        return _base().drop_triggers(False)
    return [f'DROP TRIGGER IF EXISTS "{name}" ON "sales_daily"' for name in
            ("sales_rollup_insert", "sales_rollup_update", "sales_rollup_delete")] + [
        'DROP FUNCTION IF EXISTS "sales_rollup_refresh"()']


def create_triggers(postgres):
    return postgres_triggers() if postgres else _base().create_triggers(False)


def migrate(migrator, database, *, fake=False):
    if not isinstance(database, pw.PostgresqlDatabase):
        return
    for statement in _base().drop_triggers(True) + postgres_triggers():
        migrator.sql(statement)


def rollback(migrator, database, *, fake=False):
    if not isinstance(database, pw.PostgresqlDatabase):
        return
    for statement in drop_triggers(True) + _base().postgres_triggers():
        migrator.sql(statement)
