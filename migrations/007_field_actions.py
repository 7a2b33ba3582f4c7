"""007: what the field actions need (issue 11): stage reopens, versions for
optimistic concurrency, visit check-ins with an offline key, notifications.

**Stage history and reopens.** SPEC section 9 allows ``lead`` again from
``lost`` (a reopen), but a factory entered each stage once per pipeline. So
``stage_event`` gets ``pipeline`` (1 = the first; a reopen starts pipeline
n + 1 with its ``lead`` row) and the unique index becomes (factory,
pipeline, stage). Nothing of the first pipeline is rewritten or lost: the
timeline shows both, and the KPIs of past periods stay what they were.

* Current stage: the stage entered last *in the factory's highest
  pipeline* (ties on the date: the later stage in the order). A reopen on
  the day of the loss therefore reads ``lead``, not ``lost``.
* Onboarding KPIs: the cohort is the factories with a ``lead`` row dated in
  the period (counted once each, whatever their pipeline); a cohort member
  "reached" a stage when the pipeline whose lead is in the period entered
  it; days to live are counted from the lead of the same pipeline.
* The ``stages`` import and export carry an optional ``pipeline`` column
  (1 when absent), so files in the SPEC section 6 form still mean the
  first pipeline and an export re-imports unchanged.
* A kept current-stage table (migration 008) keys on (factory) and orders
  by (pipeline, entered_on, stage order).
* A move made in the app also stores its ``note``, who made it
  (``moved_by``) and when (``created_at``, to order it among the day's
  visits on the timeline); imported rows have none of them.

**Versions.** ``factory``, ``complaint`` and ``renewal_case`` get
``version`` (0 upwards): a form carries it and the write is ``UPDATE ...
WHERE id = ? AND version = ?`` (``actions.bump_version``).

**Visits.** ``latitude``, ``longitude``, ``accuracy_m`` (an optional
check-in from the browser's geolocation) and ``client_key``, a unique key
the browser makes for each visit so an offline queue's second delivery is
answered without a second row (issue 15).

**Notifications.** One row per message to one user: ``kind`` and
``params`` (JSON) so it renders in the reader's language, ``link`` to the
object, ``read_at``; indexed for the bell's unread count and the newest-first
list.
"""

import peewee as pw

COMMON = [
    'ALTER TABLE "stage_event" ADD COLUMN "pipeline" SMALLINT NOT NULL DEFAULT 1',
    'DROP INDEX "stage_event_factory_id_stage"',
    'CREATE UNIQUE INDEX "stage_event_factory_id_pipeline_stage" ON "stage_event" '
    '("factory_id", "pipeline", "stage")',
    'ALTER TABLE "stage_event" ADD COLUMN "note" TEXT NOT NULL DEFAULT \'\'',
    'ALTER TABLE "stage_event" ADD COLUMN "moved_by_id" INTEGER '
    'REFERENCES "user" ("id") ON DELETE SET NULL',
    'CREATE INDEX "stage_event_moved_by_id" ON "stage_event" ("moved_by_id")',
    'ALTER TABLE "stage_event" ADD COLUMN "created_at" {ts}',
    'ALTER TABLE "factory" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "complaint" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "renewal_case" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "visit" ADD COLUMN "latitude" DOUBLE PRECISION',
    'ALTER TABLE "visit" ADD COLUMN "longitude" DOUBLE PRECISION',
    'ALTER TABLE "visit" ADD COLUMN "accuracy_m" DOUBLE PRECISION',
    'ALTER TABLE "visit" ADD COLUMN "client_key" VARCHAR(64)',
    'CREATE UNIQUE INDEX "visit_client_key" ON "visit" ("client_key")',
]

NOTIFICATION = (
    'CREATE TABLE "notification" ("id" {pk}, "recipient_id" INTEGER NOT NULL, '
    '"actor_id" INTEGER, "kind" VARCHAR(32) NOT NULL, "link" VARCHAR(255) NOT NULL, '
    '"params" TEXT NOT NULL, "created_at" {ts} NOT NULL, "read_at" {ts}, '
    'FOREIGN KEY ("recipient_id") REFERENCES "user" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)'
)
NOTIFICATION_INDEXES = [
    'CREATE INDEX "notification_recipient_id_read_at" ON "notification" '
    '("recipient_id", "read_at")',
    'CREATE INDEX "notification_recipient_id_created_at" ON "notification" '
    '("recipient_id", "created_at")',
    'CREATE INDEX "notification_actor_id" ON "notification" ("actor_id")',
    'CREATE INDEX "notification_created_at" ON "notification" ("created_at")',
]


def migrate(migrator, database, *, fake=False):
    """Add the columns, swap the stage index, create the notification table."""
    postgres = isinstance(database, pw.PostgresqlDatabase)
    for statement in COMMON:
        migrator.sql(statement.format(ts="TIMESTAMP" if postgres else "DATETIME"))
    migrator.sql(NOTIFICATION.format(
        pk="SERIAL NOT NULL PRIMARY KEY" if postgres else "INTEGER NOT NULL PRIMARY KEY",
        ts="TIMESTAMP" if postgres else "DATETIME"))
    for statement in NOTIFICATION_INDEXES:
        migrator.sql(statement)


def rollback(migrator, database, *, fake=False):
    """Undo ``migrate`` (a second pipeline's rows would break the old index:
    they are dropped)."""
    migrator.sql('DROP TABLE IF EXISTS "notification"')
    migrator.sql('DELETE FROM "stage_event" WHERE "pipeline" > 1')
    migrator.sql('DROP INDEX IF EXISTS "stage_event_factory_id_pipeline_stage"')
    migrator.sql('CREATE UNIQUE INDEX "stage_event_factory_id_stage" ON "stage_event" '
                 '("factory_id", "stage")')
    migrator.sql('DROP INDEX IF EXISTS "visit_client_key"')
    migrator.sql('DROP INDEX IF EXISTS "stage_event_moved_by_id"')
    for table, column in (("stage_event", "pipeline"), ("stage_event", "note"), ("stage_event", "created_at"),
                          ("stage_event", "moved_by_id"), ("factory", "version"),
                          ("complaint", "version"), ("renewal_case", "version"),
                          ("visit", "latitude"), ("visit", "longitude"),
                          ("visit", "accuracy_m"), ("visit", "client_key")):
        migrator.sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
