"""The live SQL of the data versions' triggers (``metrics.cache``).

What the running application uses when a bulk write drops a table's
version triggers and creates them again, and the list of tracked tables.
Migration 011 keeps its own frozen copy: a migration states what it did on
the day it ran and never changes with this module.
"""

TRACKED = ("sales_daily", "factory", "membership", "user", "user_region", "region",
           "stage_event", "visit", "renewal_case", "renewal_event", "complaint",
           "complaint_event")
# The columns of "user" whose change can change a dashboard answer.
USER_COLUMNS = ('"username"', '"display_name"', '"role"', '"is_active"', '"factory_id"')


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
    """Statements creating ``table``'s version triggers."""
    return postgres_triggers(table) if postgres else sqlite_triggers(table)


def drop_triggers(postgres, table):
    """Statements removing ``table``'s version triggers (for a bulk write)."""
    if postgres:
        return [f'DROP TRIGGER IF EXISTS "data_version_{table}" ON "{table}"']
    return [f'DROP TRIGGER IF EXISTS "data_version_{table}_{event.split()[0].lower()}"'
            for event in _events(table)]


def set_postgres_trigger_enabled(table, enabled):
    """PostgreSQL's statement turning ``table``'s version trigger off or on
    (for a bulk write)."""
    verb = "ENABLE" if enabled else "DISABLE"
    return f'ALTER TABLE "{table}" {verb} TRIGGER "data_version_{table}"'


def bump_sql(table):
    """The statement bumping ``table``'s version by hand (after a bulk write
    made with its triggers dropped)."""
    return _bump(table)
