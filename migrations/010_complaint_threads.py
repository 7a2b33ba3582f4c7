"""010: what the complaint board's threads, ratings and SLA sweep keep.

* complaint: ``rating_comment`` (the owner's words with the 1-5 rating),
  ``rated_at``. (Its ``version``, for optimistic concurrency, is
  migration 007's.)
* complaint_event: ``from_assignee_id`` / ``to_assignee_id`` (an assignee
  change) and ``satisfaction`` (a rating, its comment in ``body``), so the
  thread is the complaint's whole history.
* complaint_alert: one row per SLA alert ``flask sla-sweep`` has sent
  (complaint, clock, stage), unique, so the sweep never sends one twice.
* complaint (factory_id, created_at): a rep's or an owner's board reads
  only their factories' rows of the period.
"""

import peewee as pw

RATING_CHECK = "CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5)"

COLUMNS = [
    'ALTER TABLE "complaint" ADD COLUMN "rating_comment" TEXT NOT NULL DEFAULT \'\'',
    'ALTER TABLE "complaint" ADD COLUMN "rated_at" {timestamp}',
    'ALTER TABLE "complaint_event" ADD COLUMN "from_assignee_id" INTEGER '
    'REFERENCES "user" ("id") ON DELETE SET NULL',
    'ALTER TABLE "complaint_event" ADD COLUMN "to_assignee_id" INTEGER '
    'REFERENCES "user" ("id") ON DELETE SET NULL',
    f'ALTER TABLE "complaint_event" ADD COLUMN "satisfaction" SMALLINT {RATING_CHECK}',
    'CREATE INDEX "complaint_event_from_assignee_id" ON "complaint_event" ("from_assignee_id")',
    'CREATE INDEX "complaint_event_to_assignee_id" ON "complaint_event" ("to_assignee_id")',
    'CREATE INDEX "complaint_factory_id_created_at" ON "complaint" ("factory_id", "created_at")',
]

ALERTS = (
    'CREATE TABLE "complaint_alert" ("id" {serial} NOT NULL PRIMARY KEY, '
    '"complaint_id" INTEGER NOT NULL, '
    '"clock" VARCHAR(16) NOT NULL CHECK (clock IN (\'first_response\', \'resolution\')), '
    '"stage" VARCHAR(16) NOT NULL CHECK (stage IN (\'due_soon\', \'breached\')), '
    '"sent_at" {timestamp} NOT NULL, '
    'FOREIGN KEY ("complaint_id") REFERENCES "complaint" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "complaint_alert_complaint_id" ON "complaint_alert" ("complaint_id")',
    'CREATE UNIQUE INDEX "complaint_alert_complaint_id_clock_stage" '
    'ON "complaint_alert" ("complaint_id", "clock", "stage")',
)


def migrate(migrator, database, *, fake=False):
    """Add the columns, the alert table and the indexes."""
    postgres = isinstance(database, pw.PostgresqlDatabase)
    types = {"timestamp": "TIMESTAMP" if postgres else "DATETIME",
             "serial": "SERIAL" if postgres else "INTEGER"}
    for statement in COLUMNS + list(ALERTS):
        migrator.sql(statement.format(**types))


def rollback(migrator, database, *, fake=False):
    """Drop the alert table, the indexes and the columns."""
    migrator.sql('DROP TABLE IF EXISTS "complaint_alert"')
    for index in ("complaint_event_from_assignee_id", "complaint_event_to_assignee_id",
                  "complaint_factory_id_created_at"):
        migrator.sql(f'DROP INDEX IF EXISTS "{index}"')
    for table, column in (("complaint", "rating_comment"), ("complaint", "rated_at"),
                          ("complaint_event", "from_assignee_id"),
                          ("complaint_event", "to_assignee_id"),
                          ("complaint_event", "satisfaction")):
        migrator.sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
