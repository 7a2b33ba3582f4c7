"""012: the rate limiter's counters, shared by every worker and server.

``rate_limit_counter``: one fixed-window counter per limit and who (e.g.
failed sign-ins of one account from one address): ``key``, ``hits`` so far
and ``expires_at`` (Unix seconds) when the window ends. Written by
``rate_limits.DatabaseStorage`` (``database://``, the default without
``REDIS_URL``), so two workers or two app servers count together.
"""


def migrate(migrator, database, *, fake=False):
    migrator.sql('CREATE TABLE "rate_limit_counter" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, '
                 '"hits" INTEGER NOT NULL, "expires_at" DOUBLE PRECISION NOT NULL)')
    migrator.sql('CREATE INDEX "rate_limit_counter_expires_at" '
                 'ON "rate_limit_counter" ("expires_at")')


def rollback(migrator, database, *, fake=False):
    migrator.sql('DROP TABLE IF EXISTS "rate_limit_counter"')
