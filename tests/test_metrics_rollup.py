"""The sales rollup agrees with the raw rows after inserts, edits and
deletes (kept by triggers), and after a rebuild."""

import datetime
import random

import psycopg2
import pytest

from metrics import rollup, sales_data
from metrics.period import Period
from models import Factory, SalesCumulative, SalesCumulativeEnd, SalesDaily, db
from tests.conftest import POSTGRES_URL, USE_POSTGRES
from tests.builders import make_factory, make_region, make_sales

D = datetime.date
START = D(2025, 12, 20)


def _normal(totals):
    """Per-factory totals without the all-zero entries (either may have them)."""
    return {key: value for key, value in totals.items() if any(value.values())}


def _snapshot():
    cumulative = sorted(SalesCumulative.select().tuples())
    ends = sorted(SalesCumulativeEnd.select().tuples())
    return cumulative, ends


def _check(periods, scopes):
    for ids in scopes:
        for period in periods:
            assert rollup.period_totals(ids, period) == \
                sales_data.raw_period_totals(ids, period), period
            assert _normal(rollup.factory_totals(ids, period)) == \
                _normal(sales_data.raw_factory_totals(ids, period)), period
    return True


def _bucket_check(ids):
    buckets = Period(START, START + datetime.timedelta(days=40)).buckets("week")
    expected = []
    for bucket in buckets:
        raw = sales_data.raw_period_totals(ids, bucket)
        del raw["active_factories"]
        expected.append(raw)
    assert rollup.bucket_totals(ids, buckets) == expected


@pytest.fixture
def factories(app):
    region = make_region()
    return [make_factory(region) for _ in range(4)]


def _row(rng):
    shipments = rng.randint(0, 9)
    return dict(gmv_fen=rng.randint(0, 100_000), orders=rng.choice([0, 0, 1, 3, 7]),
                new_buyers=rng.randint(0, 3), repeat_orders=rng.randint(0, 2),
                dropship_orders=rng.randint(0, 2), shipments=shipments,
                shipments_picked_48h=rng.randint(0, shipments))


def test_rollup_follows_inserts_edits_and_deletes(factories):
    rng = random.Random(7)
    ids_all = Factory.select(Factory.id)
    ids_two = Factory.select(Factory.id).where(Factory.id.in_([factories[0].id,
                                                               factories[2].id]))
    periods = [Period(START, START + datetime.timedelta(days=n)) for n in (0, 5, 30)]
    periods += [Period(D(2025, 12, 1), D(2026, 1, 31)), Period(D(2026, 1, 3), D(2026, 1, 9)),
                Period(D(2026, 3, 1), D(2026, 3, 5)), Period(D(2024, 1, 1), D(2024, 1, 2))]
    days = [START + datetime.timedelta(days=n) for n in range(45)]
    # Inserts out of order, with gaps, before and after each factory's span.
    for _ in range(120):
        factory, day = rng.choice(factories), rng.choice(days)
        if not SalesDaily.select().where((SalesDaily.factory == factory)
                                         & (SalesDaily.date == day)).exists():
            make_sales(factory, day, **_row(rng))
    _check(periods, [ids_all, ids_two])
    _bucket_check(ids_all)
    # Edits: values, a day moved, a row moved to another factory.
    rows = list(SalesDaily.select())
    for row in rng.sample(rows, 30):
        with db.atomic():
            SalesDaily.update(**_row(rng)).where(SalesDaily.id == row.id).execute()
    for row in rng.sample(rows, 10):
        new_day = D(2026, 2, 1) + datetime.timedelta(days=rng.randint(0, 20))
        target = rng.choice(factories)
        if not SalesDaily.select().where((SalesDaily.factory == target)
                                         & (SalesDaily.date == new_day)).exists():
            with db.atomic():
                SalesDaily.update(date=new_day, factory=target).where(
                    SalesDaily.id == row.id).execute()
    _check(periods, [ids_all, ids_two])
    # Deletes, including every row of one factory and a bulk delete.
    with db.atomic():
        SalesDaily.delete().where(SalesDaily.factory == factories[1]).execute()
        for row in rng.sample(list(SalesDaily.select()), 15):
            row.delete_instance()
    _check(periods, [ids_all, ids_two])
    _bucket_check(ids_two)
    # The triggers' tables hold what a rebuild computes: the same totals,
    # and the same running sums on every date of the rebuilt spans (spans
    # never shrink on a delete: the extra dates hold zeros or the totals).
    kept = _snapshot()
    rollup.rebuild_sales_rollups()
    rebuilt = _snapshot()
    gone = factories[1].id
    assert [row[:1] + row[3:] for row in kept[1] if row[0] != gone] == \
        [row[:1] + row[3:] for row in rebuilt[1]]
    assert set(rebuilt[0]) <= set(kept[0])
    _check(periods, [ids_all, ids_two])


def test_last_order_date_moves_back_when_an_order_day_goes(factories):
    factory = factories[0]
    make_sales(factory, D(2026, 1, 1), gmv_fen=1, orders=1)
    last = make_sales(factory, D(2026, 1, 10), gmv_fen=1, orders=2)
    make_sales(factory, D(2026, 1, 12), gmv_fen=1, orders=0)
    ids = Factory.select(Factory.id)
    assert rollup.period_totals(ids, Period(D(2026, 1, 5), D(2026, 1, 20)))["active_factories"] == 1
    with db.atomic():
        last.delete_instance()
    assert rollup.period_totals(ids, Period(D(2026, 1, 5), D(2026, 1, 20)))["active_factories"] == 0
    assert rollup.period_totals(ids, Period(D(2026, 1, 1), D(2026, 1, 20)))["active_factories"] == 1


def test_bulk_load_with_triggers_suspended(factories):
    rng = random.Random(3)
    with rollup.triggers_suspended():
        with db.atomic():
            for factory in factories:
                for n in range(0, 60, 3):
                    make_sales(factory, START + datetime.timedelta(days=n), **_row(rng))
        assert SalesCumulative.select().count() == 0  # nothing kept during the load
    ids = Factory.select(Factory.id)
    _check([Period(START, START + datetime.timedelta(days=n)) for n in (0, 10, 59, 90)], [ids])
    make_sales(factories[0], START + datetime.timedelta(days=100), gmv_fen=5, orders=1)
    _check([Period(START, START + datetime.timedelta(days=120))], [ids])


def test_deleting_a_factory_removes_its_rollup(factories):
    make_sales(factories[0], START, gmv_fen=10, orders=1)
    with db.atomic():
        factories[0].delete_instance(recursive=True)
    assert SalesCumulative.select().count() == 0
    assert SalesCumulativeEnd.select().count() == 0


def test_bulk_write_recomputes_the_touched_factories(factories):
    rng = random.Random(11)
    for factory in factories[:2]:
        for n in range(10, 20):
            make_sales(factory, START + datetime.timedelta(days=n), **_row(rng))
    touched = factories[0]
    with db.atomic():
        with rollup.bulk_sales_write(f"SELECT {touched.id}"):
            for n in (2, 15, 40):  # before, inside and after its span
                day = START + datetime.timedelta(days=n)
                SalesDaily.delete().where((SalesDaily.factory == touched)
                                          & (SalesDaily.date == day)).execute()
                make_sales(touched, day, **_row(rng))
    ids = Factory.select(Factory.id)
    _check([Period(START, START + datetime.timedelta(days=n)) for n in (0, 5, 15, 45)], [ids])
    # The triggers are back.
    make_sales(touched, START + datetime.timedelta(days=60), gmv_fen=7, orders=1)
    _check([Period(START, START + datetime.timedelta(days=70))], [ids])


@pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL's lock levels")
def test_readers_of_sales_go_on_during_a_bulk_write(factories):
    """A long import on PostgreSQL must not stop the dashboards: while a
    bulk write is open, another connection still reads ``sales_daily``."""
    make_sales(factories[0], START, gmv_fen=5, orders=1)
    reader = psycopg2.connect(POSTGRES_URL)
    try:
        with db.atomic():
            with rollup.bulk_sales_write(f"SELECT {factories[0].id}"):
                make_sales(factories[0], START + datetime.timedelta(days=1), gmv_fen=7, orders=1)
                with reader.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
                    cursor.execute('SELECT count(*) FROM "sales_daily"')
                    assert cursor.fetchone() == (1,)  # the import's row not yet committed
                reader.rollback()
    finally:
        reader.close()
    ids = Factory.select(Factory.id)
    _check([Period(START, START + datetime.timedelta(days=3))], [ids])
    # The triggers are on again.
    make_sales(factories[0], START + datetime.timedelta(days=2), gmv_fen=9, orders=1)
    _check([Period(START, START + datetime.timedelta(days=3))], [ids])


def test_a_large_sales_import_keeps_the_rollup(runner, tmp_path, monkeypatch, factories):
    from tests.exchange_files import write_csv

    from exchange.kinds import KINDS

    monkeypatch.setattr(KINDS["sales"], "BULK_ROWS", 1)
    make_sales(factories[0], START, gmv_fen=5, orders=1)
    rows = [[factory.code, (START + datetime.timedelta(days=n)).isoformat(), f"{n}.50",
             str(n % 3), "0", "0", "0", "1", "1"]
            for factory in factories[:3] for n in range(0, 30, 2)]
    path = write_csv(tmp_path / "sales.csv", "sales", rows)
    result = runner.invoke(args=["import", "sales", str(path)])
    assert result.exit_code == 0, result.output
    ids = Factory.select(Factory.id)
    _check([Period(START, START + datetime.timedelta(days=n)) for n in (0, 7, 29, 40)], [ids])


@pytest.mark.parametrize("scan_from", [0, 10**9])
def test_large_and_small_scopes_read_the_same(factories, monkeypatch, scan_from):
    monkeypatch.setattr(rollup, "SCAN_FROM_FACTORIES", scan_from)
    rng = random.Random(5)
    for factory in factories:
        for n in range(0, 40, 3):
            make_sales(factory, START + datetime.timedelta(days=n), **_row(rng))
    ids = Factory.select(Factory.id)
    _check([Period(START, START + datetime.timedelta(days=n)) for n in (0, 9, 30, 60)], [ids])
