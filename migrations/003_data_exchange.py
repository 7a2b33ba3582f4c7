"""003: the import jobs of the admin's data exchange page (``ImportJob``)."""

import peewee as pw

SQLITE = [
    'CREATE TABLE "import_job" ("id" INTEGER NOT NULL PRIMARY KEY, "kind" VARCHAR(16) NOT NULL, '
    '"filename" VARCHAR(255) NOT NULL, "size_bytes" INTEGER NOT NULL, "uploaded_by_id" INTEGER, '
    '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "finished_at" DATETIME, '
    '"state" VARCHAR(16) NOT NULL CHECK (state IN (\'checking\', \'checked\', \'rejected\', '
    '\'importing\', \'imported\', \'failed\', \'cancelled\')), "progress" INTEGER NOT NULL, '
    '"rows" INTEGER NOT NULL, "inserted" INTEGER NOT NULL, "updated" INTEGER NOT NULL, '
    '"unchanged" INTEGER NOT NULL, "bad_rows" INTEGER NOT NULL, "problem_count" INTEGER NOT NULL, '
    '"problems" TEXT NOT NULL, "message" TEXT NOT NULL, "payload" BLOB, FOREIGN KEY '
    '("uploaded_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE INDEX "import_job_uploaded_by_id" ON "import_job" ("uploaded_by_id")',
]

POSTGRES = [
    'CREATE TABLE "import_job" ("id" SERIAL NOT NULL PRIMARY KEY, "kind" VARCHAR(16) NOT NULL, '
    '"filename" VARCHAR(255) NOT NULL, "size_bytes" BIGINT NOT NULL, "uploaded_by_id" INTEGER, '
    '"created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "finished_at" TIMESTAMP, '
    '"state" VARCHAR(16) NOT NULL CHECK (state IN (\'checking\', \'checked\', \'rejected\', '
    '\'importing\', \'imported\', \'failed\', \'cancelled\')), "progress" SMALLINT NOT NULL, '
    '"rows" INTEGER NOT NULL, "inserted" INTEGER NOT NULL, "updated" INTEGER NOT NULL, '
    '"unchanged" INTEGER NOT NULL, "bad_rows" INTEGER NOT NULL, "problem_count" INTEGER NOT NULL, '
    '"problems" TEXT NOT NULL, "message" TEXT NOT NULL, "payload" BYTEA, FOREIGN KEY '
    '("uploaded_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE INDEX "import_job_uploaded_by_id" ON "import_job" ("uploaded_by_id")',
]


def migrate(migrator, database, *, fake=False):
    """Create the import_job table."""
    statements = POSTGRES if isinstance(database, pw.PostgresqlDatabase) else SQLITE
    for statement in statements:
        migrator.sql(statement)


def rollback(migrator, database, *, fake=False):
    """Drop the import_job table."""
    migrator.sql('DROP TABLE IF EXISTS "import_job"')
