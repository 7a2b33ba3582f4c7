"""009: renewal cases keep their history (their ``version`` is 007's).

* ``renewal_case.health_score`` / ``health_band``: the factory's health
  score when the case closed (renewed or churned), the basis of each band's
  renewal rate in the forecast.
* ``renewal_event``: every proposal, decision and outcome as its own row,
  written once and never updated (the case page's history).
* an index on ``renewal_case (status, proposed_at)`` for the review queue.
"""

import peewee as pw

EVENT_KINDS = "'proposed', 'approved', 'rejected', 'renewed', 'churned'"


def _statements(postgres):
    serial = "SERIAL" if postgres else "INTEGER"
    stamp = "TIMESTAMP" if postgres else "DATETIME"
    money = "BIGINT" if postgres else "INTEGER"
    return [
        'ALTER TABLE "renewal_case" ADD COLUMN "health_score" SMALLINT',
        'ALTER TABLE "renewal_case" ADD COLUMN "health_band" VARCHAR(8)',
        'CREATE INDEX "renewal_case_status_proposed_at" ON "renewal_case" '
        '("status", "proposed_at")',
        f'CREATE TABLE "renewal_event" ("id" {serial} NOT NULL PRIMARY KEY, '
        f'"case_id" INTEGER NOT NULL, "kind" VARCHAR(16) NOT NULL CHECK (kind IN ({EVENT_KINDS})), '
        f'"actor_id" INTEGER, "actor_name" VARCHAR(100) NOT NULL, "at" {stamp} NOT NULL, '
        f'"tier" VARCHAR(8), "fee_fen" {money}, "note" TEXT NOT NULL, "risk_note" TEXT NOT NULL, '
        f'"churn_reason" VARCHAR(32), "health_score" SMALLINT, '
        'FOREIGN KEY ("case_id") REFERENCES "renewal_case" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
        'CREATE INDEX "renewal_event_case_id_at" ON "renewal_event" ("case_id", "at")',
        'CREATE INDEX "renewal_event_actor_id" ON "renewal_event" ("actor_id")',
    ]


def migrate(migrator, database, *, fake=False):
    for statement in _statements(isinstance(database, pw.PostgresqlDatabase)):
        migrator.sql(statement)


def rollback(migrator, database, *, fake=False):
    migrator.sql('DROP TABLE IF EXISTS "renewal_event"')
    migrator.sql('DROP INDEX IF EXISTS "renewal_case_status_proposed_at"')
    for column in ("health_band", "health_score"):
        migrator.sql(f'ALTER TABLE "renewal_case" DROP COLUMN "{column}"')
