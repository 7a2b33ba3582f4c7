"""The live SQL of the sales rollup's triggers (``metrics.rollup``).

The one place the running application takes the trigger statements from,
when a bulk write drops them and creates them again. The migrations keep
their own frozen copies (004 wrote SQLite's row triggers, 006 replaced
PostgreSQL's with statement triggers): a migration states what it did on
the day it ran, and must never change when this module does. A test checks
that a migrated database carries exactly these triggers.
"""

MEASURES = ("gmv_fen", "orders", "new_buyers", "repeat_orders", "dropship_orders",
            "shipments", "shipments_picked_48h")

_COLUMNS = ", ".join(f'"{m}"' for m in MEASURES)
_ZEROS = ", ".join("0" for _ in MEASURES)


# --- SQLite: one trigger per event; an update is a removal then an addition.

def _sqlite_remove(old):
    minus = ", ".join(f'"{m}" = "{m}" - {old}."{m}"' for m in MEASURES)
    previous_order = (f'(SELECT MAX(s."date") FROM "sales_daily" s WHERE s."factory_id" = '
                      f'{old}."factory_id" AND s."date" < {old}."date" AND s."orders" > 0)')
    return [
        f'UPDATE "sales_cumulative" SET {minus} WHERE "factory_id" = {old}."factory_id" '
        f'AND "date" >= {old}."date";',
        f'UPDATE "sales_cumulative_end" SET {minus} WHERE "factory_id" = {old}."factory_id";',
        f'UPDATE "sales_cumulative" SET "last_order_date" = {previous_order} '
        f'WHERE "factory_id" = {old}."factory_id" AND "date" >= {old}."date" '
        f'AND "last_order_date" = {old}."date";',
        f'UPDATE "sales_cumulative_end" SET "last_order_date" = {previous_order} '
        f'WHERE "factory_id" = {old}."factory_id" AND "last_order_date" = {old}."date";',
    ]


def _sqlite_add(new):
    plus = ", ".join(f'"{m}" = "{m}" + {new}."{m}"' for m in MEASURES)
    order_date = (f'"last_order_date" = CASE WHEN {new}."orders" > 0 AND '
                  f'("last_order_date" IS NULL OR "last_order_date" < {new}."date") '
                  f'THEN {new}."date" ELSE "last_order_date" END')
    carried = ", ".join(f'e."{m}"' for m in MEASURES)
    return [
        # A factory's first row: an empty span on its date.
        f'INSERT INTO "sales_cumulative" ("date", "factory_id", {_COLUMNS}, "last_order_date") '
        f'SELECT {new}."date", {new}."factory_id", {_ZEROS}, NULL WHERE NOT EXISTS '
        f'(SELECT 1 FROM "sales_cumulative_end" WHERE "factory_id" = {new}."factory_id");',
        f'INSERT OR IGNORE INTO "sales_cumulative_end" ("factory_id", "first_date", "last_date", '
        f'{_COLUMNS}, "last_order_date") VALUES ({new}."factory_id", {new}."date", {new}."date", '
        f'{_ZEROS}, NULL);',
        # Before the span: zero rows back to the new date.
        f'INSERT INTO "sales_cumulative" ("date", "factory_id", {_COLUMNS}, "last_order_date") '
        f'SELECT c."date", {new}."factory_id", {_ZEROS}, NULL FROM "sales_calendar" c, '
        f'"sales_cumulative_end" e WHERE e."factory_id" = {new}."factory_id" '
        f'AND c."date" >= {new}."date" AND c."date" < e."first_date";',
        f'UPDATE "sales_cumulative_end" SET "first_date" = {new}."date" '
        f'WHERE "factory_id" = {new}."factory_id" AND "first_date" > {new}."date";',
        # After the span: the totals carried forward to the new date.
        f'INSERT INTO "sales_cumulative" ("date", "factory_id", {_COLUMNS}, "last_order_date") '
        f'SELECT c."date", {new}."factory_id", {carried}, e."last_order_date" '
        f'FROM "sales_calendar" c, "sales_cumulative_end" e '
        f'WHERE e."factory_id" = {new}."factory_id" AND c."date" > e."last_date" '
        f'AND c."date" <= {new}."date";',
        f'UPDATE "sales_cumulative_end" SET "last_date" = {new}."date" '
        f'WHERE "factory_id" = {new}."factory_id" AND "last_date" < {new}."date";',
        f'UPDATE "sales_cumulative" SET {plus}, {order_date} '
        f'WHERE "factory_id" = {new}."factory_id" AND "date" >= {new}."date";',
        f'UPDATE "sales_cumulative_end" SET {plus}, {order_date} '
        f'WHERE "factory_id" = {new}."factory_id";',
    ]


def sqlite_triggers():
    """The CREATE TRIGGER statements for SQLite."""
    def trigger(name, event, body):
        return (f'CREATE TRIGGER "{name}" AFTER {event} ON "sales_daily" FOR EACH ROW BEGIN\n'
                + "\n".join(body) + "\nEND")

    return [
        trigger("sales_rollup_insert", "INSERT", _sqlite_add("NEW")),
        trigger("sales_rollup_delete", "DELETE", _sqlite_remove("OLD")),
        trigger("sales_rollup_update", "UPDATE", _sqlite_remove("OLD") + _sqlite_add("NEW")),
    ]


# --- PostgreSQL: statement triggers over the transition tables, recomputing
# the touched factories set-based under an advisory lock.

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
    """The function and CREATE TRIGGER statements for PostgreSQL."""
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


TRIGGER_NAMES = ("sales_rollup_insert", "sales_rollup_update", "sales_rollup_delete")


def drop_triggers(postgres):
    """Statements removing the rollup triggers (for a bulk load)."""
    if postgres:
        return ([f'DROP TRIGGER IF EXISTS "{name}" ON "sales_daily"' for name in TRIGGER_NAMES]
                + ['DROP FUNCTION IF EXISTS "sales_rollup_refresh"()'])
    return [f'DROP TRIGGER IF EXISTS "{name}"' for name in TRIGGER_NAMES]


def set_triggers_enabled(enabled):
    """PostgreSQL's statements turning the rollup triggers off or on (for a
    bulk write; see ``metrics.rollup.bulk_sales_write``)."""
    verb = "ENABLE" if enabled else "DISABLE"
    return [f'ALTER TABLE "sales_daily" {verb} TRIGGER "{name}"' for name in TRIGGER_NAMES]


def create_triggers(postgres):
    """Statements creating the rollup triggers."""
    return postgres_triggers() if postgres else sqlite_triggers()
