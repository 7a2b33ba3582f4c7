"""Onboarding, renewals and complaints KPIs computed by hand on small data
and compared (SPEC section 4)."""

import datetime
from decimal import Decimal

import pytest

from metrics import complaints, onboarding, renewals
from metrics.period import Period
from metrics.scoping import Scope
from tests.builders import (make_complaint, make_factory, make_membership, make_region,
                            make_stage, make_user)

D = datetime.date
T = datetime.datetime
MARCH = Period(D(2026, 3, 1), D(2026, 3, 31))
JAN = Period(D(2026, 1, 1), D(2026, 1, 31))


@pytest.fixture
def people(app):
    r1, r2 = make_region("R1"), make_region("R2")
    rep = make_user("rep", "rep_a", regions=[r1])
    return dict(r1=r1, r2=r2, rep=rep, admin=make_user("admin", "admin"),
                manager=make_user("manager", "mgr", regions=[r2]))


def _pipeline(region, rep, **stages):
    factory = make_factory(region, rep)
    for stage, day in stages.items():
        make_stage(factory, stage, day)
    return factory


def test_onboarding_kpis(people):
    r1, r2, rep = people["r1"], people["r2"], people["rep"]
    m = lambda day: D(2026, 3, day)  # noqa: E731
    _pipeline(r1, rep, lead=m(1), contacted=m(2), visited=m(5), signed=m(10),
              store_ready=m(12), trained=m(15), live=m(20))             # A: 19 days
    _pipeline(r1, rep, lead=m(10), contacted=m(11))                      # B: stalled
    _pipeline(r1, rep, lead=D(2026, 2, 1), live=m(5))                    # C: 32 days
    _pipeline(r1, rep, lead=m(20), lost=m(25))                           # D: lost
    _pipeline(r1, rep, lead=m(25))                                       # E: fresh
    _pipeline(r1, rep, lead=D(2026, 1, 1), contacted=m(17))              # F: exactly 14 days
    _pipeline(r1, rep, lead=D(2026, 1, 1), contacted=m(16))              # G: 15 days: stalled
    _pipeline(r1, rep, lead=m(25), live=D(2026, 4, 10))                  # H: live after `to`
    _pipeline(r1, rep, lead=D(2026, 1, 1), trained=D(2026, 2, 1), live=D(2026, 2, 1))  # I
    _pipeline(r2, None, lead=D(2026, 2, 20), live=m(2))                  # J: 10 days, R2

    k = onboarding.kpis(Scope(people["admin"]), MARCH)
    assert k["leads"] == 5 and k["reached_lead"] == 5
    assert k["reached_contacted"] == 2 and k["reached_visited"] == 1
    assert k["reached_trained"] == 1 and k["reached_live"] == 2
    assert k["lead_to_live_rate"] == Decimal("0.4")
    assert k["median_days_to_live"] == 19          # 10, 19, 32: odd count
    assert k["stalled"] == 2                       # B and G; not F, I, D
    ids = Scope(people["admin"]).factory_ids(MARCH.end)
    assert k == onboarding.compute(onboarding.facts(ids, MARCH), MARCH)
    rep_k = onboarding.kpis(Scope(rep), MARCH)
    assert rep_k["median_days_to_live"] == Decimal("25.5")  # 19, 32: even count
    manager = onboarding.kpis(Scope(people["manager"]), MARCH)
    assert manager["leads"] == 0 and manager["lead_to_live_rate"] is None
    assert manager["median_days_to_live"] == 10 and manager["stalled"] == 0
    empty = onboarding.kpis(Scope(people["admin"]), Period(D(2030, 1, 1), D(2030, 1, 2)))
    assert empty["median_days_to_live"] is None and empty["lead_to_live_rate"] is None
    regions = onboarding.rankings(Scope(people["admin"]), MARCH, "regions")
    assert [(row["key"], row["kpis"]["leads"]) for row in regions] == [("R1", 5), ("R2", 0)]
    weeks = onboarding.weekly(Scope(people["admin"]), MARCH)
    assert sum(week["leads"] for week in weeks) == 5
    assert sum(week["lives"] for week in weeks) == 3


def _term(factory, end, tier="super", outcome=None, fee_fen=None):
    return make_membership(factory, end - datetime.timedelta(days=364), tier=tier, end=end,
                           outcome=outcome, fee_fen=fee_fen)


def test_renewals_kpis(people):
    r1, rep = people["r1"], people["rep"]
    f = [make_factory(r1, rep) for _ in range(10)]
    _term(f[0], D(2026, 1, 10), outcome="renewed")
    make_membership(f[0], D(2026, 1, 11), fee_fen=100_000_00)       # T1's successor
    _term(f[1], D(2026, 1, 20), tier="cxt", outcome="renewed")     # no successor
    _term(f[2], D(2026, 1, 15), outcome="churned")
    _term(f[3], D(2026, 1, 31), tier="cxt")                        # open, ends on `to`
    _term(f[4], D(2026, 2, 15), fee_fen=1_00)                      # due in 15 days
    _term(f[5], D(2026, 3, 2), fee_fen=2_00)                       # exactly 30 days
    _term(f[6], D(2026, 4, 1), tier="cxt", fee_fen=4_00)           # exactly 60 days
    _term(f[7], D(2026, 5, 1), fee_fen=8_00)                       # exactly 90 days
    _term(f[8], D(2026, 5, 2), fee_fen=16_00)                      # 91 days
    _term(f[9], D(2026, 2, 10), outcome="renewed", fee_fen=32_00)  # decided early

    k = renewals.kpis(Scope(people["admin"]), JAN)
    assert (k["renewed"], k["churned"], k["open"]) == (2, 1, 1)
    assert k["renewal_rate"] == Decimal(2) / 3
    assert (k["due_30"], k["due_60"], k["due_90"]) == (2, 3, 4)
    assert k["revenue_at_stake_90_cny"] == Decimal("15.00")
    assert k["renewed_revenue_cny"] == Decimal("100000.00")
    cxt = renewals.kpis(Scope(people["admin"], tier="cxt"), JAN)
    assert (cxt["renewed"], cxt["open"], cxt["due_90"]) == (1, 1, 1)
    assert cxt["renewed_revenue_cny"] == 0 and cxt["renewal_rate"] == 1
    assert renewals.kpis(Scope(people["manager"]), JAN)["renewal_rate"] is None
    tiers = renewals.rankings(Scope(people["admin"]), JAN, "tiers")
    assert {row["key"]: row["kpis"]["renewed"] for row in tiers} == {"cxt": 1, "super": 1}
    months = renewals.series(Scope(people["admin"]), JAN, "month")
    assert months[0]["renewed"] == 2 and months[0]["renewal_rate"] == Decimal(2) / 3


def test_complaints_kpis(people):
    r1, r2, rep = people["r1"], people["r2"], people["rep"]
    f1, f2 = make_factory(r1, rep), make_factory(r2)
    h = lambda n: datetime.timedelta(hours=n)  # noqa: E731
    c1 = T(2026, 1, 5)
    make_complaint(f1, c1, "critical", first_response_at=c1 + h(2), resolved_at=c1 + h(24),
                   satisfaction=5)                                  # resolved exactly at SLA
    c2 = T(2026, 1, 10)
    make_complaint(f1, c2, "high", first_response_at=c2 + h(5), resolved_at=c2 + h(73),
                   satisfaction=3)                                  # one hour late
    make_complaint(f1, T(2025, 12, 31, 15), "normal", resolved_at=T(2026, 1, 2))  # 33 h
    make_complaint(f2, T(2025, 12, 31, 16), "low")                  # Shanghai 1 Jan: breached
    make_complaint(f2, T(2026, 1, 31, 15), "critical")              # 1 h old at the end
    make_complaint(f2, T(2026, 1, 20), "normal", resolved_at=T(2026, 2, 1))  # late, after `to`
    make_complaint(f2, T(2026, 1, 30, 16), "critical")              # exactly at its target

    k = complaints.kpis(Scope(people["admin"]), JAN)
    assert k["opened"] == 6 and k["resolved"] == 3
    assert k["sla_attainment"] == Decimal(2) / 3
    assert k["breached_open"] == 2
    assert k["median_hours_to_first_response"] == Decimal("3.5")
    assert k["median_hours_to_resolve"] == 33
    assert k["csat_avg"] == 4
    rep_k = complaints.kpis(Scope(rep), JAN)
    assert rep_k["opened"] == 2 and rep_k["resolved"] == 3 and rep_k["breached_open"] == 0
    assert rep_k["median_hours_to_resolve"] == Decimal("33")
    manager = complaints.kpis(Scope(people["manager"]), JAN)
    assert manager["resolved"] == 0 and manager["sla_attainment"] is None
    assert manager["csat_avg"] is None and manager["median_hours_to_resolve"] is None
    assert manager["breached_open"] == 2
    regions = complaints.rankings(Scope(people["admin"]), JAN, "regions")
    assert [row["key"] for row in regions] == ["R2", "R1"]
    weeks = complaints.series(Scope(people["admin"]), JAN, "week")
    assert sum(row["opened"] for row in weeks) == 6
