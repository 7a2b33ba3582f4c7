"""The kept stage spans (migration 008) equal what the stage history says,
after stage moves, edits, deletes, imports, a deleted factory, the seed and
a rebuild: checked against a plain Python reading of ``stage_event``."""

import csv
import datetime
import random

from exchange.importer import run_import
from metrics import stage_spans
from models import ALL_STAGES, Factory, StageEvent, StageSpan, db
from tests.builders import make_factory, make_region, make_stage, make_user

D = datetime.date
START = D(2025, 6, 1)
ORDER = {stage: index for index, stage in enumerate(ALL_STAGES)}


def expected_spans():
    """``{(factory, position): (pipeline, stage, entered_on, left_on,
    lead_on)}`` from the history: by pipeline, then date, ties by the stage
    order; ``lead_on`` the lead date of the span's pipeline."""
    events = {}
    for factory, pipeline, stage, day, event_id in StageEvent.select(
            StageEvent.factory, StageEvent.pipeline, StageEvent.stage, StageEvent.entered_on,
            StageEvent.id).tuples():
        events.setdefault(factory, []).append((pipeline, day, ORDER[stage], event_id, stage))
    result = {}
    for factory, rows in events.items():
        rows.sort()
        leads = {pipeline: day for pipeline, day, _rank, _id, stage in rows if stage == "lead"}
        for position, (pipeline, day, _rank, _id, stage) in enumerate(rows, start=1):
            left = rows[position][1] if position < len(rows) else None
            result[(factory, position)] = (pipeline, stage, day, left, leads.get(pipeline))
    return result


def kept_spans():
    S = StageSpan
    return {(factory, position): tuple(rest) for factory, position, *rest in S.select(
        S.factory, S.position, S.pipeline, S.stage, S.entered_on, S.left_on, S.lead_on).tuples()}


def assert_kept():
    assert kept_spans() == expected_spans()


def test_spans_follow_moves_edits_and_deletes(app):
    rng = random.Random(12)
    region = make_region()
    factories = [make_factory(region) for _ in range(6)]
    # Moves in any order, several on one day (the later stage wins the tie).
    for factory in factories:
        for stage in rng.sample(ALL_STAGES, rng.randint(1, len(ALL_STAGES))):
            make_stage(factory, stage, START + datetime.timedelta(days=rng.choice([0, 0, 3, 9])))
    # Reopens: second and third pipelines, some on the day of an earlier move.
    for factory in factories[4:]:
        for pipeline in (2, 3):
            for stage in ("lead",) + tuple(rng.sample(ALL_STAGES[1:], 2)):
                make_stage(factory, stage, START + datetime.timedelta(
                    days=rng.choice([9, 9, 12, 20])), pipeline=pipeline)
    assert_kept()
    current = stage_spans.current_stages([f.id for f in factories])
    assert set(current) == {f.id for f in factories}
    # Edits: a date moved, a stage renamed, a row moved to another factory.
    events = list(StageEvent.select())
    for event in rng.sample(events, 8):
        with db.atomic():
            StageEvent.update(entered_on=START + datetime.timedelta(days=rng.randint(-5, 20))
                              ).where(StageEvent.id == event.id).execute()
    assert_kept()
    lead = StageEvent.get((StageEvent.factory == factories[0]) & (StageEvent.stage == "lead")) \
        if StageEvent.select().where((StageEvent.factory == factories[0])
                                     & (StageEvent.stage == "lead")).exists() else None
    taken = {e.stage for e in StageEvent.select().where(StageEvent.factory == factories[1])}
    free = [stage for stage in ALL_STAGES if stage not in taken]
    if lead is not None and free:
        with db.atomic():
            StageEvent.update(factory=factories[1], stage=free[0]).where(
                StageEvent.id == lead.id).execute()
    assert_kept()
    # Deletes: one row, every row of a factory in one statement, a factory.
    with db.atomic():
        StageEvent.select().order_by(StageEvent.id).first().delete_instance()
        StageEvent.delete().where(StageEvent.factory == factories[2]).execute()
    assert_kept()
    assert factories[2].id not in stage_spans.current_stages([factories[2].id])
    with db.atomic():
        Factory.delete().where(Factory.id == factories[3].id).execute()
    assert_kept()
    assert not StageSpan.select().where(StageSpan.factory == factories[3].id).exists()


def test_current_stage_is_the_last_entered_and_as_of_reads_the_past(app):
    factory = make_factory()
    make_stage(factory, "lead", D(2025, 1, 1))
    make_stage(factory, "contacted", D(2025, 1, 5))
    make_stage(factory, "visited", D(2025, 1, 5))  # same day: the later stage is current
    make_stage(factory, "lost", D(2025, 3, 1))
    assert stage_spans.current_stages([factory.id]) == {
        factory.id: stage_spans.CurrentStage("lost", D(2025, 3, 1), 1)}

    def on(day):
        return list(stage_spans.as_of([factory.id], day).tuples())

    assert on(D(2024, 12, 31)) == []
    assert on(D(2025, 1, 4)) == [(factory.id, "lead", D(2025, 1, 1))]
    assert on(D(2025, 1, 5)) == [(factory.id, "visited", D(2025, 1, 5))]
    assert on(D(2025, 2, 28)) == [(factory.id, "visited", D(2025, 1, 5))]
    assert on(D(2025, 3, 1)) == [(factory.id, "lost", D(2025, 3, 1))]
    assert list(stage_spans.factories_in_stage("lost").tuples()) == [(factory.id,)]


def test_a_reopen_is_a_new_pipeline_and_a_same_day_reopen_reads_lead(app):
    factory, other = make_factory(), make_factory()
    make_stage(factory, "lead", D(2025, 1, 1))
    make_stage(factory, "contacted", D(2025, 1, 5))
    make_stage(factory, "lost", D(2025, 3, 1))
    make_stage(factory, "lead", D(2025, 3, 1), pipeline=2)  # reopened the day it was lost
    make_stage(factory, "contacted", D(2025, 3, 4), pipeline=2)
    # A second pipeline with dates before the first one's end: pipelines order first.
    make_stage(other, "lead", D(2025, 2, 1))
    make_stage(other, "lost", D(2025, 2, 10))
    make_stage(other, "lead", D(2025, 2, 10), pipeline=2)
    assert_kept()
    assert stage_spans.current_stages([factory.id, other.id]) == {
        factory.id: stage_spans.CurrentStage("contacted", D(2025, 3, 4), 2),
        other.id: stage_spans.CurrentStage("lead", D(2025, 2, 10), 2)}
    assert stage_spans.current_stage(other.id).stage == "lead"

    def on(day):
        return list(stage_spans.as_of([factory.id], day).tuples())

    assert on(D(2025, 2, 28)) == [(factory.id, "contacted", D(2025, 1, 5))]
    assert on(D(2025, 3, 1)) == [(factory.id, "lead", D(2025, 3, 1))]  # not lost
    assert on(D(2025, 3, 4)) == [(factory.id, "contacted", D(2025, 3, 4))]
    assert list(stage_spans.factories_in_stage("lost").tuples()) == []
    # Each span carries its own pipeline's lead date.
    leads = {(pipeline, stage): lead_on for pipeline, stage, _day, _left, lead_on
             in (value for (f, _p), value in kept_spans().items() if f == factory.id)}
    assert leads == {(1, "lead"): D(2025, 1, 1), (1, "contacted"): D(2025, 1, 1),
                     (1, "lost"): D(2025, 1, 1), (2, "lead"): D(2025, 3, 1),
                     (2, "contacted"): D(2025, 3, 1)}
    # A delete of the reopen gives the first pipeline back.
    with db.atomic():
        StageEvent.delete().where((StageEvent.factory == factory.id)
                                  & (StageEvent.pipeline == 2)).execute()
    assert_kept()
    assert stage_spans.current_stage(factory.id) == stage_spans.CurrentStage(
        "lost", D(2025, 3, 1), 1)


def _write_stages(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["factory_code", "stage", "entered_on"])
        out.writerows(rows)


def test_spans_follow_imports(app, tmp_path):
    admin = make_user("admin")
    region = make_region()
    factories = [make_factory(region, code=f"F9{n:04d}") for n in range(40)]
    make_stage(factories[0], "lead", D(2025, 1, 1))
    make_stage(factories[0], "live", D(2025, 2, 1))
    rng = random.Random(3)
    rows = []
    for factory in factories:
        for stage in rng.sample(ALL_STAGES, rng.randint(1, 5)):
            rows.append([factory.code, stage,
                         (START + datetime.timedelta(days=rng.randint(0, 60))).isoformat()])
    path = tmp_path / "stages.csv"
    _write_stages(path, rows)
    result = run_import("stages", path, user=admin)
    assert result.ok, result.summary()
    assert_kept()
    # A re-import that moves some dates (an update through the staging table).
    for row in rows[::3]:
        row[2] = (D.fromisoformat(row[2]) + datetime.timedelta(days=30)).isoformat()
    _write_stages(path, rows)
    assert run_import("stages", path, user=admin).ok
    assert_kept()
    # A file with a bad row changes nothing, spans included.
    before = kept_spans()
    _write_stages(path, rows + [[factories[1].code, "dreaming", "2025-01-01"]])
    assert not run_import("stages", path, user=admin).ok
    assert kept_spans() == before


def test_rebuild_gives_what_the_triggers_kept(app):
    rng = random.Random(5)
    factories = [make_factory() for _ in range(5)]
    for factory in factories:
        for stage in rng.sample(ALL_STAGES, 4):
            make_stage(factory, stage, START + datetime.timedelta(days=rng.randint(0, 9)))
    kept = kept_spans()
    with db.atomic():
        StageSpan.delete().execute()
    assert kept_spans() == {}
    stage_spans.rebuild_stage_spans()
    assert kept_spans() == kept == expected_spans()
