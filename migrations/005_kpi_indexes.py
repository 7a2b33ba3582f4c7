"""005: indexes the KPI queries of ``metrics/`` lean on at programme scale.

* stage_event (stage, entered_on, factory_id): the onboarding cohort (leads
  in a period) and the factories that went live in it, index-only.
* stage_event (factory_id, entered_on, stage): each factory's current stage
  (the stalled count), index-only.
"""

INDEXES = (
    ("stage_event_stage_entered_on_factory_id", "stage_event",
     ("stage", "entered_on", "factory_id")),
    ("stage_event_factory_id_entered_on_stage", "stage_event",
     ("factory_id", "entered_on", "stage")),
)


def migrate(migrator, database, *, fake=False):
    for name, table, columns in INDEXES:
        quoted = ", ".join(f'"{column}"' for column in columns)
        migrator.sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})')


def rollback(migrator, database, *, fake=False):
    for name, _table, _columns in INDEXES:
        migrator.sql(f'DROP INDEX IF EXISTS "{name}"')
