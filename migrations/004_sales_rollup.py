"""004: the sales rollup: per-factory cumulative sums, kept by triggers.

``sales_cumulative`` holds, for every factory and every calendar date from
its first to its last ``sales_daily`` row (no gaps), the running sums of each
measure up to and including that date, and the last date with orders.
``sales_cumulative_end`` holds each factory's span and its totals. The sum
over a period for any set of factories is then two lookups by date:
``cum(to) - cum(from - 1)``, where ``cum(x)`` is the row at ``x`` for
factories whose span covers ``x`` plus the totals of those whose span ended
before ``x``.

Triggers on ``sales_daily`` insert, update and delete keep both tables exact
on SQLite and PostgreSQL; ``metrics.rollup.rebuild_sales_rollups()`` rebuilds
them after a bulk load. ``sales_calendar`` lists the dates SQLite's triggers
fill gaps with (PostgreSQL uses generate_series).
"""

import datetime

import peewee as pw

MEASURES = ("gmv_fen", "orders", "new_buyers", "repeat_orders", "dropship_orders",
            "shipments", "shipments_picked_48h")
CALENDAR_START = datetime.date(2000, 1, 1)
CALENDAR_END = datetime.date(2100, 12, 31)

_COLUMNS = ", ".join(f'"{m}"' for m in MEASURES)
_ZEROS = ", ".join("0" for _ in MEASURES)


def _tables(postgres):
    big = "BIGINT" if postgres else "INTEGER"
    measures = ", ".join(f'"{m}" {big} NOT NULL' for m in MEASURES)
    without_rowid = "" if postgres else " WITHOUT ROWID"
    statements = [
        f'CREATE TABLE "sales_cumulative" ("date" DATE NOT NULL, "factory_id" INTEGER NOT NULL, '
        f'{measures}, "last_order_date" DATE, PRIMARY KEY ("date", "factory_id"), '
        f'FOREIGN KEY ("factory_id") REFERENCES "factory" ("id") ON DELETE CASCADE)'
        f'{without_rowid}',
        'CREATE INDEX "sales_cumulative_factory_id_date" ON "sales_cumulative" '
        '("factory_id", "date")',
        f'CREATE TABLE "sales_cumulative_end" ("factory_id" INTEGER NOT NULL PRIMARY KEY, '
        f'"first_date" DATE NOT NULL, "last_date" DATE NOT NULL, {measures}, '
        f'"last_order_date" DATE, '
        f'FOREIGN KEY ("factory_id") REFERENCES "factory" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "sales_cumulative_end_last_date" ON "sales_cumulative_end" '
        '("last_date", "factory_id")',
    ]
    if not postgres:
        statements.append('CREATE TABLE "sales_calendar" ("date" DATE NOT NULL PRIMARY KEY) '
                          'WITHOUT ROWID')
    return statements


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


# --- PostgreSQL: one plpgsql function for every event.

def _pg_function():
    minus = ", ".join(f'"{m}" = "{m}" - OLD."{m}"' for m in MEASURES)
    plus = ", ".join(f'"{m}" = "{m}" + NEW."{m}"' for m in MEASURES)
    order_date = ('"last_order_date" = CASE WHEN NEW."orders" > 0 AND ("last_order_date" IS NULL '
                  'OR "last_order_date" < NEW."date") THEN NEW."date" ELSE "last_order_date" END')
    carried = ", ".join(f'e."{m}"' for m in MEASURES)
    return f'''
CREATE FUNCTION "sales_rollup_trigger"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    e RECORD;
    previous_order DATE;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE "sales_cumulative" SET {minus}
            WHERE "factory_id" = OLD."factory_id" AND "date" >= OLD."date";
        UPDATE "sales_cumulative_end" SET {minus} WHERE "factory_id" = OLD."factory_id";
        SELECT MAX(s."date") INTO previous_order FROM "sales_daily" s
            WHERE s."factory_id" = OLD."factory_id" AND s."date" < OLD."date" AND s."orders" > 0;
        UPDATE "sales_cumulative" SET "last_order_date" = previous_order
            WHERE "factory_id" = OLD."factory_id" AND "date" >= OLD."date"
            AND "last_order_date" = OLD."date";
        UPDATE "sales_cumulative_end" SET "last_order_date" = previous_order
            WHERE "factory_id" = OLD."factory_id" AND "last_order_date" = OLD."date";
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO "sales_cumulative_end" ("factory_id", "first_date", "last_date", {_COLUMNS},
            "last_order_date") VALUES (NEW."factory_id", NEW."date", NEW."date", {_ZEROS}, NULL)
            ON CONFLICT ("factory_id") DO NOTHING;
        IF FOUND THEN
            INSERT INTO "sales_cumulative" ("date", "factory_id", {_COLUMNS}, "last_order_date")
                VALUES (NEW."date", NEW."factory_id", {_ZEROS}, NULL);
        END IF;
        SELECT * INTO e FROM "sales_cumulative_end" WHERE "factory_id" = NEW."factory_id"
            FOR UPDATE;
        IF NEW."date" < e."first_date" THEN
            INSERT INTO "sales_cumulative" ("date", "factory_id", {_COLUMNS}, "last_order_date")
                SELECT day::date, NEW."factory_id", {_ZEROS}, NULL
                FROM generate_series(NEW."date", e."first_date" - 1, interval '1 day') AS day;
            UPDATE "sales_cumulative_end" SET "first_date" = NEW."date"
                WHERE "factory_id" = NEW."factory_id";
        END IF;
        IF NEW."date" > e."last_date" THEN
            INSERT INTO "sales_cumulative" ("date", "factory_id", {_COLUMNS}, "last_order_date")
                SELECT day::date, NEW."factory_id", {carried}, e."last_order_date"
                FROM generate_series(e."last_date" + 1, NEW."date", interval '1 day') AS day;
            UPDATE "sales_cumulative_end" SET "last_date" = NEW."date"
                WHERE "factory_id" = NEW."factory_id";
        END IF;
        UPDATE "sales_cumulative" SET {plus}, {order_date}
            WHERE "factory_id" = NEW."factory_id" AND "date" >= NEW."date";
        UPDATE "sales_cumulative_end" SET {plus}, {order_date}
            WHERE "factory_id" = NEW."factory_id";
    END IF;
    RETURN NULL;
END
$$'''


def postgres_triggers():
    """The function and CREATE TRIGGER statement for PostgreSQL."""
    return [
        _pg_function(),
        'CREATE TRIGGER "sales_rollup" AFTER INSERT OR UPDATE OR DELETE ON "sales_daily" '
        'FOR EACH ROW EXECUTE FUNCTION "sales_rollup_trigger"()',
    ]


def drop_triggers(postgres):
    """Statements removing the triggers (for a bulk load)."""
    if postgres:
        return ['DROP TRIGGER IF EXISTS "sales_rollup" ON "sales_daily"',
                'DROP FUNCTION IF EXISTS "sales_rollup_trigger"()']
    return [f'DROP TRIGGER IF EXISTS "{name}"' for name in
            ("sales_rollup_insert", "sales_rollup_delete", "sales_rollup_update")]


def create_triggers(postgres):
    return postgres_triggers() if postgres else sqlite_triggers()


def migrate(migrator, database, *, fake=False):
    """Create the rollup tables and triggers and fill them from sales_daily."""
    postgres = isinstance(database, pw.PostgresqlDatabase)
    for statement in _tables(postgres) + create_triggers(postgres):
        migrator.sql(statement)
    if not postgres:
        migrator.sql(
            'WITH RECURSIVE days(d) AS (SELECT ? UNION ALL SELECT date(d, \'+1 day\') '
            'FROM days WHERE d < ?) INSERT INTO "sales_calendar" ("date") SELECT d FROM days',
            CALENDAR_START.isoformat(), CALENDAR_END.isoformat())
    migrator.sql(f'INSERT INTO "sales_cumulative_end" ("factory_id", "first_date", "last_date", '
                 f'{_COLUMNS}, "last_order_date") SELECT "factory_id", MIN("date"), MAX("date"), '
                 + ", ".join(f'SUM("{m}")' for m in MEASURES)
                 + ', MAX(CASE WHEN "orders" > 0 THEN "date" END) FROM "sales_daily" '
                 'GROUP BY "factory_id"')
    migrator.sql(fill_cumulative_sql(postgres))


def fill_cumulative_sql(postgres):
    """INSERT ... SELECT filling sales_cumulative from sales_daily over the
    spans already in sales_cumulative_end."""
    sums = ", ".join(f'SUM(COALESCE(s."{m}", 0)) OVER w' for m in MEASURES)
    if postgres:
        days = ('CROSS JOIN LATERAL generate_series(e."first_date", e."last_date", '
                'interval \'1 day\') AS g(day)')
        day = 'g.day::date'
    else:
        days = 'JOIN "sales_calendar" c ON c."date" BETWEEN e."first_date" AND e."last_date"'
        day = 'c."date"'
    return (f'INSERT INTO "sales_cumulative" ("date", "factory_id", {_COLUMNS}, '
            f'"last_order_date") SELECT {day}, e."factory_id", {sums}, '
            f'MAX(CASE WHEN s."orders" > 0 THEN s."date" END) OVER w '
            f'FROM "sales_cumulative_end" e {days} '
            f'LEFT JOIN "sales_daily" s ON s."factory_id" = e."factory_id" AND s."date" = {day} '
            f'WINDOW w AS (PARTITION BY e."factory_id" ORDER BY {day} '
            f'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)')


def rollback(migrator, database, *, fake=False):
    postgres = isinstance(database, pw.PostgresqlDatabase)
    for statement in drop_triggers(postgres):
        migrator.sql(statement)
    for table in ("sales_cumulative", "sales_cumulative_end", "sales_calendar"):
        migrator.sql(f'DROP TABLE IF EXISTS "{table}"')
