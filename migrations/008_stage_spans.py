"""008: each factory's stages as spans, kept by triggers (issue 12).

``stage_span`` holds, for every factory, its stage history in order (by
pipeline, migration 007; then by date, ties: the later stage), one row per
stage entered, with the day it was left: the next stage's date, or NULL for
the stage it is in now, which is the last stage of the highest pipeline. So

* the current stage of any set of factories is ``left_on IS NULL`` (an index
  read, no scan of the history), and
* the stage a factory was in at the end of any day ``d`` is the span with
  ``entered_on <= d`` and ``left_on`` NULL or after ``d`` (the stalled count
  of a past period, the pipeline as it stood). A reopen on the day of the
  loss leaves ``lost`` a span of no days (left the day it was entered), so
  that day reads ``lead``.

Triggers on ``stage_event`` recompute the spans of the factories a write
touched, in the writer's transaction, on every path (stage moves, imports,
the seed, a delete, a cascade from a deleted factory): SQLite per row (a
factory has a handful of stages), PostgreSQL per statement over its
transition tables, serialised by an advisory lock so two writers never
interleave their recomputes. The SQL here is frozen; the live copy that
rebuilds the table is ``metrics.stage_spans``.

Each span also carries its ``pipeline`` and that pipeline's ``lead_on``
date, so the onboarding cohort (leads in a period) and its days to live
(from the lead of the same pipeline) are index reads of this table without
a self-join of the history.
"""

import peewee as pw

STAGE_RANK = ("CASE e.\"stage\" WHEN 'lead' THEN 0 WHEN 'contacted' THEN 1 "
              "WHEN 'visited' THEN 2 WHEN 'signed' THEN 3 WHEN 'store_ready' THEN 4 "
              "WHEN 'trained' THEN 5 WHEN 'live' THEN 6 ELSE 7 END")


def _table(postgres):
    return [
        'CREATE TABLE "stage_span" ("factory_id" INTEGER NOT NULL, "position" SMALLINT NOT NULL, '
        '"pipeline" SMALLINT NOT NULL, "stage" VARCHAR(16) NOT NULL, '
        '"entered_on" DATE NOT NULL, "left_on" DATE, "lead_on" DATE, '
        'PRIMARY KEY ("factory_id", "position"), FOREIGN KEY ("factory_id") REFERENCES '
        '"factory" ("id") ON DELETE CASCADE)' + ("" if postgres else " WITHOUT ROWID"),
        'CREATE INDEX "stage_span_left_on_stage" ON "stage_span" '
        '("left_on", "stage", "entered_on", "factory_id")',
        'CREATE INDEX "stage_span_lead_on_stage" ON "stage_span" '
        '("lead_on", "stage", "factory_id")',
        'CREATE INDEX "stage_span_stage_entered_on" ON "stage_span" '
        '("stage", "entered_on", "lead_on", "factory_id")',
    ]


def _refill(only):
    """INSERT ... SELECT of the spans of the factories ``only`` (a condition
    on ``e."factory_id"``) selects."""
    return (
        'INSERT INTO "stage_span" ("factory_id", "position", "pipeline", "stage", "entered_on", '
        '"left_on", "lead_on") SELECT e."factory_id", ROW_NUMBER() OVER w, e."pipeline", '
        'e."stage", e."entered_on", LEAD(e."entered_on") OVER w, '
        'MIN(CASE WHEN e."stage" = \'lead\' THEN e."entered_on" END) '
        'OVER (PARTITION BY e."factory_id", e."pipeline") FROM "stage_event" e '
        f'WHERE e."factory_id" {only} '
        'WINDOW w AS (PARTITION BY e."factory_id" '
        f'ORDER BY e."pipeline", e."entered_on", {STAGE_RANK}, e."id")')


def _sqlite_triggers():
    def trigger(event, only):
        return (f'CREATE TRIGGER "stage_span_{event.lower()}" AFTER {event} ON "stage_event" '
                f'FOR EACH ROW BEGIN\n'
                f'DELETE FROM "stage_span" WHERE "factory_id" IN ({only});\n'
                f'{_refill(f"IN ({only})")};\nEND')

    return [trigger("INSERT", 'NEW."factory_id"'), trigger("DELETE", 'OLD."factory_id"'),
            trigger("UPDATE", 'OLD."factory_id", NEW."factory_id"')]


def _postgres_triggers():
    function = f'''
CREATE FUNCTION "stage_span_refresh"() RETURNS trigger LANGUAGE plpgsql AS $$
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
    PERFORM pg_advisory_xact_lock(hashtext('stage_span'));
    DELETE FROM "stage_span" WHERE "factory_id" = ANY (ids);
    {_refill('= ANY (ids)')};
    RETURN NULL;
END
$$'''
    return [
        function,
        'CREATE TRIGGER "stage_span_insert" AFTER INSERT ON "stage_event" '
        'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
        'EXECUTE FUNCTION "stage_span_refresh"()',
        'CREATE TRIGGER "stage_span_update" AFTER UPDATE ON "stage_event" '
        'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT '
        'EXECUTE FUNCTION "stage_span_refresh"()',
        'CREATE TRIGGER "stage_span_delete" AFTER DELETE ON "stage_event" '
        'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
        'EXECUTE FUNCTION "stage_span_refresh"()',
    ]


def migrate(migrator, database, *, fake=False):
    """Create the table and its triggers, and fill it from stage_event."""
    postgres = isinstance(database, pw.PostgresqlDatabase)
    triggers = _postgres_triggers() if postgres else _sqlite_triggers()
    for statement in _table(postgres) + triggers:
        migrator.sql(statement)
    migrator.sql(_refill('IS NOT NULL'))


def rollback(migrator, database, *, fake=False):
    postgres = isinstance(database, pw.PostgresqlDatabase)
    for name in ("insert", "update", "delete"):
        migrator.sql(f'DROP TRIGGER IF EXISTS "stage_span_{name}"'
                     + (' ON "stage_event"' if postgres else ""))
    if postgres:
        migrator.sql('DROP FUNCTION IF EXISTS "stage_span_refresh"()')
    migrator.sql('DROP TABLE IF EXISTS "stage_span"')
