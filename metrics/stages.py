"""Where each factory stands in onboarding: its current stage.

The current stage is the stage entered last in the factory's highest
pipeline (a reopen starts a new one, migration 007), ties on the date broken
by the stage order. Every page and action asks here, so the rule is written
once.
"""

from dataclasses import dataclass

from models import ALL_STAGES, StageEvent

_ORDER = {stage: index for index, stage in enumerate(ALL_STAGES)}


@dataclass(frozen=True)
class CurrentStage:
    """Where a factory stands: its stage, since when, in which pipeline."""

    stage: str
    entered_on: object
    pipeline: int


def current_stages(factory_ids):
    """{factory id: CurrentStage} for the factories in ``factory_ids`` (a
    list or a subquery) that have any stage history."""
    best = {}
    rows = (StageEvent.select(StageEvent.factory, StageEvent.stage, StageEvent.entered_on,
                              StageEvent.pipeline)
            .where(StageEvent.factory.in_(factory_ids)).tuples())
    for factory_id, stage, entered_on, pipeline in rows:
        key = (pipeline, entered_on, _ORDER[stage])
        if factory_id not in best or key > best[factory_id][0]:
            best[factory_id] = (key, CurrentStage(stage, entered_on, pipeline))
    return {factory_id: current for factory_id, (_key, current) in best.items()}


def current_stage(factory_id):
    """The ``CurrentStage`` of one factory, or None without stage history."""
    return current_stages([factory_id]).get(factory_id)
