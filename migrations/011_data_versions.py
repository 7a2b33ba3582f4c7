"""011: a version per domain table, bumped by triggers, and the cache of
dashboard answers keyed by those versions (issue 16; ``metrics.cache``).

``data_version`` holds one counter per table the dashboards read
(``TRACKED``). A trigger on each bumps its counter in the writer's own
transaction, on every path (forms, imports, the seed, the admin, a cascade),
so a reader sees a new version exactly when it can see the new rows.
``user`` counts only changes to who a user is (name, role, active, factory),
not the ``last_login_at`` every sign-in writes.

``metric_cache`` keeps a computed answer (JSON) under a key with the
versions of the tables it read; an answer whose versions are not the
current ones is never used. SQLite: row triggers (an UPSERT per changed
row); PostgreSQL: one statement trigger per table. The SQL is frozen here;
``metrics.cache`` reads the list of tables from this file.
"""

import peewee as pw

TRACKED = ("sales_daily", "factory", "membership", "user", "user_region", "region",
           "stage_event", "visit", "renewal_case", "renewal_event", "complaint",
           "complaint_event")
# The columns of "user" whose change can change a dashboard answer.
USER_COLUMNS = ('"username"', '"display_name"', '"role"', '"is_active"', '"factory_id"')


def _tables(postgres):
    timestamp = "TIMESTAMP" if postgres else "DATETIME"
    return [
        'CREATE TABLE "data_version" ("name" VARCHAR(32) NOT NULL PRIMARY KEY, '
        '"n" BIGINT NOT NULL)',
        'CREATE TABLE "metric_cache" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, '
        f'"versions" TEXT NOT NULL, "value" TEXT NOT NULL, "stored_at" {timestamp} NOT NULL)',
        'CREATE INDEX "metric_cache_stored_at" ON "metric_cache" ("stored_at")',
    ]


def _bump(name):
    return (f'INSERT INTO "data_version" ("name", "n") VALUES (\'{name}\', 1) '
            'ON CONFLICT ("name") DO UPDATE SET "n" = "data_version"."n" + 1')


def _events(table):
    if table == "user":
        return ("INSERT", "DELETE", f'UPDATE OF {", ".join(USER_COLUMNS)}')
    return ("INSERT", "DELETE", "UPDATE")


def sqlite_triggers(table):
    """SQLite's CREATE TRIGGER statements bumping ``table``'s version."""
    return [f'CREATE TRIGGER "data_version_{table}_{event.split()[0].lower()}" AFTER {event} '
            f'ON "{table}" FOR EACH ROW BEGIN {_bump(table)}; END'
            for event in _events(table)]


PG_FUNCTION = '''
CREATE FUNCTION "data_version_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "data_version" ("name", "n") VALUES (TG_ARGV[0], 1)
        ON CONFLICT ("name") DO UPDATE SET "n" = "data_version"."n" + 1;
    RETURN NULL;
END
$$'''


def postgres_triggers(table):
    """PostgreSQL's statement trigger bumping ``table``'s version."""
    events = " OR ".join(_events(table)) + ("" if table == "user" else " OR TRUNCATE")
    return [f'CREATE TRIGGER "data_version_{table}" AFTER {events} ON "{table}" '
            f'FOR EACH STATEMENT EXECUTE FUNCTION "data_version_bump"(\'{table}\')']


def create_triggers(postgres, table):
    return postgres_triggers(table) if postgres else sqlite_triggers(table)


def drop_triggers(postgres, table):
    if postgres:
        return [f'DROP TRIGGER IF EXISTS "data_version_{table}" ON "{table}"']
    return [f'DROP TRIGGER IF EXISTS "data_version_{table}_{event.split()[0].lower()}"'
            for event in _events(table)]


def bump_sql(table):
    """The statement bumping ``table``'s version by hand (after a bulk write
    made with its triggers dropped)."""
    return _bump(table)


def migrate(migrator, database, *, fake=False):
    postgres = isinstance(database, pw.PostgresqlDatabase)
    statements = _tables(postgres) + ([PG_FUNCTION] if postgres else [])
    for table in TRACKED:
        statements += create_triggers(postgres, table)
    for statement in statements:
        migrator.sql(statement)


def rollback(migrator, database, *, fake=False):
    postgres = isinstance(database, pw.PostgresqlDatabase)
    for table in TRACKED:
        for statement in drop_triggers(postgres, table):
            migrator.sql(statement)
    if postgres:
        migrator.sql('DROP FUNCTION IF EXISTS "data_version_bump"()')
    migrator.sql('DROP TABLE IF EXISTS "metric_cache"')
    migrator.sql('DROP TABLE IF EXISTS "data_version"')
