"""Due lists, review queue, churn reasons, forecast and cohorts on small,
hand-computed data."""

import datetime
from decimal import Decimal

import pytest

from metrics import renewals
from metrics.period import Period
from metrics.renewal_lists import (band_rates, churn_reasons, due_terms, forecast,
                                   review_queue, waiting_count)
from metrics.scoping import Scope
from models import RenewalCase
from tests.builders import make_factory, make_membership

D = datetime.date
PERIOD = Period(D(2025, 4, 1), D(2025, 6, 30))


@pytest.fixture
def terms(users):
    a = make_membership(users.factory, D(2024, 7, 21), fee_fen=100_000_00)  # ends 2025-07-20
    RenewalCase.create(membership=a, status="proposed", proposed_tier="super",
                       proposed_fee_fen=96_120_00, proposed_by=users.rep,
                       proposed_at=datetime.datetime(2025, 6, 1, 2))
    b_factory = make_factory(region=users.region, rep=users.rep, code="F-B")
    b = make_membership(b_factory, D(2024, 9, 16), tier="cxt")  # ends 2025-09-15
    make_membership(users.other_factory, D(2024, 7, 11))  # ends 2025-07-10, out of scope
    past = []
    for code, end, outcome, band, reason in (
            ("F-C", D(2025, 3, 1), "renewed", "at_risk", None),
            ("F-D", D(2025, 4, 1), "churned", "at_risk", "low_roi"),
            ("F-E", D(2025, 5, 1), "renewed", "healthy", None)):
        factory = make_factory(region=users.region, rep=users.rep, code=code)
        term = make_membership(factory, D(end.year - 1, end.month, end.day + 1), end=end,
                               outcome=outcome)
        past.append(RenewalCase.create(membership=term, status=outcome, health_band=band,
                                       health_score=30 if band == "at_risk" else 80,
                                       churn_reason=reason))
    return a, b


def test_due_lists_by_window_with_health_and_case_status(users, terms):
    a, b = terms
    rows = due_terms(Scope(users.manager), PERIOD, 90)
    assert [row["term_id"] for row in rows] == [a.id, b.id]
    assert rows[0]["days_left"] == 20 and rows[0]["case_status"] == "proposed"
    assert rows[1]["days_left"] == 77 and rows[1]["case_status"] == "none"
    assert rows[1]["fee_cny"] == Decimal("6688") and rows[0]["rep"] == "rep"
    assert rows[0]["health"].band == "at_risk"  # no sales, never visited
    assert [r["term_id"] for r in due_terms(Scope(users.manager), PERIOD, 30)] == [a.id]
    assert len(due_terms(Scope(users.admin), PERIOD, 30)) == 2  # the other region's too
    assert [r["term_id"] for r in due_terms(Scope(users.manager, tier="cxt"), PERIOD)] == [b.id]


def test_review_queue_shows_discount_and_who_may_decide(users, terms):
    a, _b = terms
    (row,) = review_queue(Scope(users.manager), D(2025, 6, 30))
    assert row["term_id"] == a.id and row["discount"] == Decimal("0.1")
    assert row["list_fee_cny"] == Decimal("106800") and row["days_to_end"] == 20
    assert review_queue(Scope(users.other_rep), D(2025, 6, 30)) == []
    assert waiting_count(users.manager, D(2025, 6, 30)) == 1
    assert waiting_count(users.rep, D(2025, 6, 30)) == 0  # their own proposal


def test_churn_reasons_and_band_rates(users, terms):
    assert churn_reasons(Scope(users.manager), PERIOD) == [("low_roi", 1)]
    rates = band_rates(Scope(users.manager), PERIOD)
    assert rates["at_risk"] == {"renewed": 1, "churned": 1, "rate": Decimal("0.5")}
    assert rates["healthy"]["rate"] == 1 and rates["watch"]["rate"] is None


def test_forecast_counts_each_due_term_at_its_bands_rate(users, terms):
    result = forecast(Scope(users.manager), PERIOD)
    assert result["due"] == 2 and result["bands"]["at_risk"]["due"] == 2
    assert result["expected_renewals"] == Decimal("1")
    assert result["fee_retained_cny"] == Decimal("53344")  # half of 100,000 + 6,688
    assert result["fee_at_stake_cny"] == Decimal("106688")


def test_renewal_rate_by_cohort(users, terms):
    rows = renewals.rankings(Scope(users.manager), Period(D(2025, 1, 1), D(2025, 6, 30)),
                             "cohorts")
    by_key = {row["key"]: row["kpis"] for row in rows}
    assert by_key[2024]["renewed"] == 2 and by_key[2024]["churned"] == 1
    assert by_key[2024]["renewal_rate"] == Decimal(2) / 3
