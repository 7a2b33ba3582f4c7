"""The health score's inputs from a real database, hand-computed."""

import datetime
from decimal import Decimal

import pytest

from metrics.health_data import health_for_factory, health_of_terms, inputs_of_terms
from tests.builders import (make_complaint, make_factory, make_membership, make_region,
                            make_sales, make_user, make_visit)

D = datetime.date
AS_OF = D(2025, 6, 30)


@pytest.fixture
def world(app):
    region = make_region()
    rep = make_user("rep", regions=[region])
    factory = make_factory(region=region, rep=rep)
    term = make_membership(factory, D(2024, 10, 1), fee_fen=100_000_00)  # ends 2025-09-30
    make_membership(factory, D(2023, 10, 1), outcome="renewed", fee_fen=100_000_00)
    # In the term: 2024-12-31 300k, 2025-06-30 200k; one day before it 999k.
    make_sales(factory, D(2024, 9, 30), gmv_fen=999_000_00)
    make_sales(factory, D(2024, 12, 31), gmv_fen=300_000_00)
    make_sales(factory, D(2025, 6, 30), gmv_fen=200_000_00, shipments=10,
               shipments_picked_48h=9)
    # The same 90 days a year earlier: 100k in total.
    make_sales(factory, D(2024, 6, 1), gmv_fen=100_000_00)
    # Complaints: one open and breached (critical, 3 days old), one open in
    # time, one resolved and rated 4 in the past year, one rated 1 long ago.
    now = datetime.datetime(2025, 6, 30, 10)
    make_complaint(factory, now - datetime.timedelta(days=3), severity="critical")
    make_complaint(factory, now - datetime.timedelta(hours=2), severity="low")
    make_complaint(factory, now - datetime.timedelta(days=40), resolved_at=now - datetime.timedelta(days=39), satisfaction=4)
    make_complaint(factory, datetime.datetime(2023, 1, 1), resolved_at=datetime.datetime(2023, 1, 2), satisfaction=1)
    make_visit(factory, rep, datetime.datetime(2025, 5, 16, 2))  # 45 days before
    return factory, term


def test_inputs_are_the_drivers_as_of_the_date(world):
    factory, term = world
    (factory_id, inputs), = inputs_of_terms([term.id], AS_OF).values()
    assert factory_id == factory.id
    assert inputs.membership_roi == 5  # 500k / 100k
    assert inputs.term_elapsed == pytest.approx(273 / 365)
    assert inputs.gmv_yoy_growth == 1  # 200k against 100k
    assert inputs.pickup_48h_rate == Decimal("0.9")
    assert (inputs.open_complaints, inputs.breached_complaints) == (2, 1)
    assert inputs.csat == 4
    assert inputs.days_since_visit == 45


def test_health_for_factory_scores_its_open_term(world):
    factory, term = world
    found, inputs, health = health_for_factory(factory.id, AS_OF)
    assert found.id == term.id
    assert health == health_of_terms([term.id], AS_OF)[term.id]
    assert 0 <= health.score <= 100


def test_roi_counts_only_the_term_and_stops_at_as_of(world):
    _factory, term = world
    (_f, inputs), = inputs_of_terms([term.id], D(2025, 1, 15)).values()
    assert inputs.membership_roi == 3  # only the 300k of 2024-12-31 so far
    assert inputs.days_since_visit is None  # the visit came later


def test_a_factory_without_sales_or_visits_still_scores(app):
    factory = make_factory()
    term = make_membership(factory, D(2025, 1, 1))
    (_f, inputs), = inputs_of_terms([term.id], AS_OF).values()
    assert inputs.membership_roi == 0 and inputs.gmv_yoy_growth is None
    assert health_of_terms([term.id], AS_OF)[term.id].band == "at_risk"
