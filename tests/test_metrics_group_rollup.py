"""Grouped sums from the rollup (the ranking and its sparklines) equal the
same sums added up from the raw rows, for every grouping, after inserts,
edits and deletes, with factories whose sales start late or stop early."""

import datetime
import random

import pytest

from metrics import rollup, sales_data
from metrics.period import Period
from models import Factory, SalesDaily, db
from tests.builders import make_factory, make_region, make_sales, make_user

D = datetime.date
PERIODS = [Period(D(2026, 1, 1), D(2026, 1, 31)), Period(D(2025, 12, 2), D(2025, 12, 31)),
           Period(D(2026, 1, 10), D(2026, 1, 10)), Period(D(2026, 2, 1), D(2026, 2, 20))]


def _normal(groups):
    """Groups whose sums are all zero may be absent from either side."""
    return {key: rows for key, rows in groups.items()
            if any(value for row in rows for value in row.values())}


def _check():
    ids = Factory.select(Factory.id)
    for group in (Factory.region, Factory.rep, Factory.id):
        assert _normal(rollup.group_totals(ids, group, PERIODS)) == \
            _normal(sales_data.raw_group_totals(ids, group, PERIODS)), group


@pytest.fixture
def world(app):
    rng = random.Random(7)
    regions = [make_region() for _ in range(2)]
    reps = [make_user("rep"), make_user("rep"), None]
    factories = []
    for n in range(7):
        factory = make_factory(region=regions[n % 2], rep=reps[n % 3])
        factories.append(factory)
        # sales spans that start late, stop early, or cover everything
        first = D(2025, 11, 20) + datetime.timedelta(days=rng.randrange(0, 60))
        last = first + datetime.timedelta(days=rng.randrange(0, 60))
        with db.atomic():
            day = first
            while day <= last:
                orders = rng.choice((0, 0, 1, 3))
                make_sales(factory, day, gmv_fen=rng.randrange(0, 10_000), orders=orders,
                           shipments=orders, shipments_picked_48h=orders)
                day += datetime.timedelta(days=rng.choice((1, 1, 3)))
    # spans ending exactly on a period's first day, the day before it and its last day
    for last in (D(2025, 12, 31), D(2026, 1, 1), D(2026, 1, 31)):
        factory = make_factory(region=regions[0], rep=reps[0])
        make_sales(factory, last - datetime.timedelta(days=3), gmv_fen=500, orders=1)
        make_sales(factory, last, gmv_fen=700, orders=2)
        factories.append(factory)
    return factories


def test_grouped_rollup_equals_the_rows(world):
    _check()


def test_grouped_rollup_follows_edits_and_deletes(world):
    with db.atomic():
        row = SalesDaily.select().order_by(SalesDaily.date).first()
        SalesDaily.update(gmv_fen=row.gmv_fen + 123, orders=5).where(
            SalesDaily.id == row.id).execute()
        SalesDaily.delete().where(SalesDaily.factory == world[3].id).execute()
        make_sales(world[0], D(2026, 2, 25), gmv_fen=999, orders=2)
    _check()
