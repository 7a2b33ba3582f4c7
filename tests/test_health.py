"""The health score: hand-computed cases of the pure function (no database)."""

import math

import pytest

from metrics.health import HealthInputs, band_of, owner_summary, score


def test_every_driver_present_scores_the_weighted_sum():
    health = score(HealthInputs(membership_roi=5, term_elapsed=1, gmv_yoy_growth=0,
                                pickup_48h_rate=0.88, open_complaints=1,
                                breached_complaints=0, days_since_visit=60, csat=4))
    points = {d.name: d.points for d in health.drivers}
    # 30*log10(5) + 20*0.6 + 10*0.72 + 15*0.8 + 10*0.5 + 15*0.75 = 68.419
    assert points["membership_roi"] == pytest.approx(30 * math.log10(5))
    assert points["gmv_yoy_growth"] == pytest.approx(12)
    assert points["pickup_48h_rate"] == pytest.approx(7.2)
    assert points["complaints"] == pytest.approx(12)
    assert points["days_since_visit"] == pytest.approx(5)
    assert points["csat"] == pytest.approx(11.25)
    assert health.score == 68 and health.band == "watch"
    assert sum(d.share for d in health.drivers) == pytest.approx(1)
    assert health.driver("csat").share == pytest.approx(11.25 / 68.419, rel=1e-4)
    assert [d.name for d in health.strongest] == ["membership_roi", "complaints"]
    assert health.driver("complaints").value == (1, 0)


def test_missing_drivers_scale_the_others_weights():
    health = score(HealthInputs(membership_roi=0.8, pickup_48h_rate=0.95,
                                open_complaints=2, breached_complaints=1,
                                days_since_visit=None))
    # Present: ROI 30, pickup 10, complaints 15, visit 10 = 65 -> scaled to 100.
    assert [d.name for d in health.drivers] == [
        "membership_roi", "pickup_48h_rate", "complaints", "days_since_visit"]
    assert health.driver("membership_roi").weight == pytest.approx(3000 / 65)
    assert health.driver("membership_roi").points == 0  # the fee is not covered
    assert health.driver("pickup_48h_rate").points == pytest.approx(1000 / 65)
    assert health.driver("complaints").points == pytest.approx(1500 / 65 * 0.3)
    assert health.driver("days_since_visit").points == 0  # never visited
    assert health.score == 22 and health.band == "at_risk"  # 22.31
    assert [d.name for d in health.strongest] == ["membership_roi", "pickup_48h_rate"]


def test_roi_is_scored_on_its_pace_through_the_term():
    health = score(HealthInputs(membership_roi=2.5, term_elapsed=0.25, days_since_visit=10))
    # A quarter through the term at 2.5x is on pace for 10x: full points.
    assert health.score == 100 and health.band == "healthy"
    assert health.driver("membership_roi").share == pytest.approx(30 / 55)
    assert health.driver("membership_roi").value == 2.5


@pytest.mark.parametrize("growth, fraction", [(-0.5, 0), (-0.3, 0), (-0.05, 0.5), (0.2, 1),
                                              (0.9, 1)])
def test_growth_earns_linearly_between_minus_30_and_plus_20_percent(growth, fraction):
    health = score(HealthInputs(gmv_yoy_growth=growth, days_since_visit=0))
    # Present: growth 20, complaints 15 (none: full), visit 10 (full) = 45.
    assert health.driver("gmv_yoy_growth").points == pytest.approx(2000 / 45 * fraction)


def test_bands_edges():
    # Complaints 15 + visit 10 present: 3 open earn 0.4 of 60, a visit 30 days ago all 40.
    assert score(HealthInputs(open_complaints=3, days_since_visit=30)).score == 64
    assert [band_of(n) for n in (100, 70, 69, 40, 39, 0)] == [
        "healthy", "healthy", "watch", "watch", "at_risk", "at_risk"]


def test_owner_summary_says_facts_not_scores():
    facts = owner_summary(HealthInputs(membership_roi=3.2, gmv_yoy_growth=0.12,
                                       open_complaints=2, days_since_visit=5))
    assert facts == [("roi_covered", 3.2), ("gmv_yoy", 0.12), ("complaints_open", 2)]
    assert owner_summary(HealthInputs(membership_roi=0.64))[0] == ("roi_share", 0.64)
