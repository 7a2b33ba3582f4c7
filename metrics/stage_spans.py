"""Each factory's current stage, and the stage it was in on any day, from
``stage_span`` (migration 008): the one place the product decides what "the
current stage" is.

A factory's stages in order (by pipeline, migration 007: a reopen starts
pipeline n + 1; then by date; on the same date the later stage in
``models.ALL_STAGES``) become spans ``entered_on``..``left_on`` (the next
stage's date; NULL for the stage it is in now: the stage entered last in
the highest pipeline, so a reopen on the day of the loss reads ``lead``).
Triggers on ``stage_event`` keep the table exact in the writer's
transaction (each span also carries its pipeline's ``lead_on`` date, for the
cohort KPIs); ``rebuild_stage_spans`` recomputes it from the history (after
a restore, or to check it).
"""

from dataclasses import dataclass

from models import StageSpan, db

# The stage order as SQL over stage_event aliased ``e`` (a tie on the date:
# the later stage is the current one). The migration keeps a frozen copy.
STAGE_RANK = ("CASE e.\"stage\" WHEN 'lead' THEN 0 WHEN 'contacted' THEN 1 "
              "WHEN 'visited' THEN 2 WHEN 'signed' THEN 3 WHEN 'store_ready' THEN 4 "
              "WHEN 'trained' THEN 5 WHEN 'live' THEN 6 ELSE 7 END")
SPANS_SELECT = (
    'SELECT e."factory_id", ROW_NUMBER() OVER w, e."pipeline", e."stage", e."entered_on", '
    'LEAD(e."entered_on") OVER w, MIN(CASE WHEN e."stage" = \'lead\' THEN e."entered_on" END) '
    'OVER (PARTITION BY e."factory_id", e."pipeline") FROM "stage_event" e '
    'WINDOW w AS (PARTITION BY e."factory_id" '
    f'ORDER BY e."pipeline", e."entered_on", {STAGE_RANK}, e."id")')


def rebuild_stage_spans():
    """Recompute every factory's spans from ``stage_event``, in one
    transaction (nested in the caller's, if any)."""
    with db.atomic():
        db.execute_sql('DELETE FROM "stage_span"')
        db.execute_sql('INSERT INTO "stage_span" ("factory_id", "position", "pipeline", '
                       f'"stage", "entered_on", "left_on", "lead_on") {SPANS_SELECT}')


def current(factory_ids, columns=None):
    """A query of the current stage's span of each factory of the
    ``factory_ids`` subquery (or list) that has entered any stage;
    ``columns`` default to (factory, stage, entered_on)."""
    S = StageSpan
    columns = columns or (S.factory, S.stage, S.entered_on)
    return S.select(*columns).where(S.left_on.is_null() & S.factory.in_(factory_ids))


def as_of(factory_ids, day, columns=None):
    """Like ``current``, for the stage each factory was in at the end of
    ``day`` (its history up to ``day``)."""
    S = StageSpan
    columns = columns or (S.factory, S.stage, S.entered_on)
    return S.select(*columns).where(
        (S.left_on.is_null() | (S.left_on > day)) & (S.entered_on <= day)
        & S.factory.in_(factory_ids))


@dataclass(frozen=True)
class CurrentStage:
    """Where a factory stands: its stage, since when, in which pipeline."""

    stage: str
    entered_on: object
    pipeline: int


def current_stages(factory_ids):
    """``{factory id: CurrentStage}`` of the factories in ``factory_ids`` (a
    subquery or a list) that have entered any stage."""
    S = StageSpan
    rows = current(factory_ids, (S.factory, S.stage, S.entered_on, S.pipeline)).tuples()
    return {factory: CurrentStage(stage, entered_on, pipeline)
            for factory, stage, entered_on, pipeline in rows}


def current_stage(factory_id):
    """The ``CurrentStage`` of one factory, or None without stage history."""
    return current_stages([factory_id]).get(factory_id)


def factories_in_stage(stage):
    """A subquery of the ids of the factories whose current stage is
    ``stage``."""
    return StageSpan.select(StageSpan.factory).where(
        StageSpan.left_on.is_null() & (StageSpan.stage == stage))
