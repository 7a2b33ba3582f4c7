"""The onboarding dashboard's numbers on a small hand-made programme: the
pipeline, the stalled list, rep speed and the weekly leads and lives, each
computed by hand and checked against the tiles' KPIs."""

import datetime
from decimal import Decimal

import pytest

from metrics import onboarding
from metrics.numbers import ratio
from metrics.period import Period
from metrics.scoping import Scope
from tests.builders import make_factory, make_region, make_stage, make_user, make_visit

D = datetime.date
MARCH = Period(D(2026, 3, 1), D(2026, 3, 31))


@pytest.fixture
def world(app):
    r1, r2 = make_region("R1"), make_region("R2")
    ann = make_user("rep", "rep_ann", regions=[r1], display_name="Ann")
    bob = make_user("rep", "rep_bob", regions=[r1, r2], display_name="Bob")

    def factory(code, region, rep, **stages):
        row = make_factory(region, rep, code=code)
        for stage, day in stages.items():
            make_stage(row, stage, day)
        return row

    m = lambda day: D(2026, 3, day)  # noqa: E731
    f = dict(
        # Ann: A live in 19 days; B stalled in contacted since 11 March (20 days).
        a=factory("FA", r1, ann, lead=m(1), contacted=m(2), live=m(20)),
        b=factory("FB", r1, ann, lead=m(10), contacted=m(11)),
        # Bob: C stalled in signed since 1 Feb (58 days); D lost; E fresh lead.
        c=factory("FC", r2, bob, lead=D(2026, 1, 5), signed=D(2026, 2, 1)),
        d=factory("FD", r2, bob, lead=m(3), lost=m(9)),
        e=factory("FE", r1, bob, lead=m(28)),
        # G: a lead a year earlier (March 2025), live in April 2025.
        g=factory("FG", r2, bob, lead=D(2025, 3, 3), live=D(2025, 4, 1)),
    )
    # Visits to B: the last one before the end of March sets the next action.
    make_visit(f["b"], ann, datetime.datetime(2026, 3, 12, 2), next_action_on=m(15))
    make_visit(f["b"], ann, datetime.datetime(2026, 3, 20, 2), next_action_on=m(27))
    make_visit(f["b"], ann, datetime.datetime(2026, 4, 2, 2), next_action_on=D(2026, 4, 9))
    return dict(r1=r1, r2=r2, ann=ann, bob=bob, admin=make_user("admin"), **f)


def test_kpis_by_hand(world):
    k = onboarding.kpis(Scope(world["admin"]), MARCH)
    # Cohort (lead in March): A, B, D, E.
    assert k["leads"] == 4 and k["reached_contacted"] == 2 and k["reached_live"] == 1
    assert k["lead_to_live_rate"] == Decimal("0.25")
    assert k["median_days_to_live"] == 19
    assert k["stalled"] == 2  # B (20 days) and C (58 days)


def test_reopens_count_the_pipeline_whose_lead_is_in_the_period(world):
    m = lambda day: D(2026, 3, day)  # noqa: E731
    h = make_factory(world["r1"], world["ann"], code="FH")
    i = make_factory(world["r1"], world["ann"], code="FI")
    j = make_factory(world["r2"], world["bob"], code="FJ")
    # H: first pipeline from December, reopened the day it was lost, live 20 days on.
    for stage, day, pipeline in (("lead", D(2025, 12, 1), 1), ("contacted", D(2025, 12, 5), 1),
                                 ("lost", m(5), 1), ("lead", m(5), 2), ("live", m(25), 2)):
        make_stage(h, stage, day, pipeline)
    # I: reopened the day it was lost, a lead since 5 March: stalled, not lost.
    for stage, day, pipeline in (("lead", D(2026, 1, 2), 1), ("lost", m(5), 1),
                                 ("lead", m(5), 2)):
        make_stage(i, stage, day, pipeline)
    # J: both pipelines' leads in March: one factory of the cohort.
    for stage, day, pipeline in (("lead", m(2), 1), ("lost", m(4), 1), ("lead", m(6), 2),
                                 ("contacted", m(8), 2)):
        make_stage(j, stage, day, pipeline)
    k = onboarding.kpis(Scope(world["admin"]), MARCH)
    # Cohort: A, B, D, E as before, and H, I, J once each; H's December
    # contact is not this cohort's.
    assert (k["leads"], k["reached_contacted"], k["reached_live"]) == (7, 3, 2)
    assert k["lead_to_live_rate"] == ratio(2, 7)
    assert k["median_days_to_live"] == Decimal("19.5")  # A 19, H 20 (from its second lead)
    assert k["stalled"] == 4  # B, C, I, J
    ids = Scope(world["admin"]).factory_ids(MARCH.end)
    assert onboarding.compute(onboarding.facts(ids, MARCH), MARCH) == k


def test_stalled_at_the_end_of_a_past_period_reads_the_stage_then(world):
    february = Period(D(2026, 2, 1), D(2026, 2, 28))
    # On 28 Feb only C was in the pipeline: signed since 1 Feb, 27 days.
    assert onboarding.kpis(Scope(world["admin"]), february)["stalled"] == 1
    # On 10 Feb, C had been signed for 9 days: not stalled yet.
    assert onboarding.kpis(Scope(world["admin"]),
                           Period(D(2026, 1, 1), D(2026, 2, 10)))["stalled"] == 0


def test_pipeline_is_region_by_stage_at_the_end_of_the_period(world):
    pipeline = onboarding.pipeline(Scope(world["admin"]), MARCH.end)
    r1, r2 = world["r1"].id, world["r2"].id
    assert {stage: n for stage, n in pipeline[r1].items() if n} == \
        {"live": 1, "contacted": 1, "lead": 1}
    assert {stage: n for stage, n in pipeline[r2].items() if n} == \
        {"signed": 1, "lost": 1, "live": 1}
    # A rep sees their book only.
    ann = onboarding.pipeline(Scope(world["ann"]), MARCH.end)
    assert list(ann) == [r1] and sum(ann[r1].values()) == 2
    # On 5 March: A contacted, C signed, D lead; B, E not leads yet, G live.
    early = onboarding.pipeline(Scope(world["admin"]), D(2026, 3, 5))
    assert early[r1]["contacted"] == 1 and early[r2]["lead"] == 1 and early[r2]["live"] == 1


def test_stalled_list_has_the_kpis_rows_with_visits(world):
    rows = onboarding.stage_list(Scope(world["admin"]), MARCH, stalled_only=True)
    assert [(r["code"], r["stage"], r["days"], r["rep"]) for r in rows] == [
        ("FC", "signed", 58, "Bob"), ("FB", "contacted", 20, "Ann")]
    b = rows[1]
    assert b["last_visit"] == datetime.datetime(2026, 3, 20, 2)  # not the April visit
    assert b["next_action_on"] == D(2026, 3, 27)
    assert rows[0]["last_visit"] is None and rows[0]["next_action_on"] is None
    assert len(rows) == onboarding.kpis(Scope(world["admin"]), MARCH)["stalled"]
    # The pipeline's cells list their factories.
    lost = onboarding.stage_list(Scope(world["admin"]), MARCH, stage="lost",
                                 region=world["r2"].id)
    assert [r["code"] for r in lost] == ["FD"]
    assert len(onboarding.stage_list(Scope(world["admin"]), MARCH)) == 6


def test_rep_speed_by_hand(world):
    rows = {row["key"]: row["kpis"] for row in onboarding.rep_speed(Scope(world["admin"]), MARCH)}
    assert rows["rep_ann"]["leads"] == 2 and rows["rep_ann"]["reached_live"] == 1
    assert rows["rep_ann"]["lead_to_live_rate"] == Decimal("0.5")
    assert rows["rep_ann"]["median_days_to_live"] == 19 and rows["rep_ann"]["stalled"] == 1
    assert rows["rep_bob"]["leads"] == 2 and rows["rep_bob"]["reached_live"] == 0
    assert rows["rep_bob"]["lead_to_live_rate"] == 0
    assert rows["rep_bob"]["median_days_to_live"] is None and rows["rep_bob"]["stalled"] == 1
    total = onboarding.kpis(Scope(world["admin"]), MARCH)
    assert sum(r["leads"] for r in rows.values()) == total["leads"]
    assert sum(r["stalled"] for r in rows.values()) == total["stalled"]


def test_weekly_leads_and_lives_beside_a_year_earlier(world):
    weeks = onboarding.weekly(Scope(world["admin"]), MARCH)
    # March 2026 starts on a Sunday: the first week is that one day.
    assert weeks[0]["start"] == D(2026, 3, 1) and weeks[0]["end"] == D(2026, 3, 1)
    assert [w["leads"] for w in weeks] == [1, 1, 1, 0, 1, 0]  # A; D; B; -; E
    assert [w["lives"] for w in weeks] == [0, 0, 0, 1, 0, 0]  # A on 20 March
    # A year earlier: G's lead on 3 March 2025 (the week 2025-03-02..03-08).
    assert [w["leads_last_year"] for w in weeks] == [0, 1, 0, 0, 0, 0]
    assert sum(w["lives_last_year"] for w in weeks) == 0  # G went live in April
    assert sum(w["leads"] for w in weeks) == onboarding.kpis(Scope(world["admin"]),
                                                             MARCH)["leads"]


def test_a_page_shares_its_reads_only_for_the_same_factories_and_period(app, world):
    """The tiles (``compare``) and rep speed of one page share ``facts``
    through ``views.onboarding.shared_facts``: the same numbers as the
    KPIs computed alone, even when the tier filter puts other factories in
    scope at the previous period's end than at this one's (rep speed ranks
    the previous period over this period's factories, the tiles over that
    period's own)."""
    from tests.builders import make_membership
    from views.onboarding import shared_facts

    make_membership(world["a"], D(2026, 3, 1))  # super from March: in scope on 31 March
    make_membership(world["c"], D(2025, 3, 1))  # super until 28 February: stalled then
    scope = Scope(world["admin"], tier="super")
    previous = MARCH.previous()
    with app.test_request_context():
        speed = onboarding.rep_speed(scope, MARCH, shared_facts)
        tiles = onboarding.compare(scope, MARCH, shared_facts)
    assert sum(row["previous"]["stalled"] for row in speed) == 0
    assert {name: entry["previous"] for name, entry in tiles.items()} == \
        onboarding.kpis.uncached(scope, previous)
    assert tiles["stalled"]["previous"] == 1
    assert {name: entry["value"] for name, entry in tiles.items()} == \
        onboarding.kpis.uncached(scope, MARCH)
