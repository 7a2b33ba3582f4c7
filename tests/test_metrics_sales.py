"""Sales KPIs computed by hand on small data and compared (SPEC section 4)."""

import datetime
from decimal import Decimal

import pytest

from metrics import ParameterError, ScopeError, sales
from metrics.api_format import format_kpis
from metrics.period import Period
from metrics.scoping import Scope, scope_from_args
from tests.builders import make_factory, make_membership, make_region, make_sales, make_user

D = datetime.date
JAN = Period(D(2026, 1, 1), D(2026, 1, 31))


@pytest.fixture
def world(app):
    """Two regions; rep A has F1 and F2 in R1, rep B has F3 in R2."""
    r1, r2 = make_region("R1"), make_region("R2")
    rep_a = make_user("rep", "rep_a", regions=[r1])
    rep_b = make_user("rep", "rep_b", regions=[r2])
    f1 = make_factory(r1, rep_a, "F1")
    f2 = make_factory(r1, rep_a, "F2")
    f3 = make_factory(r2, rep_b, "F3")
    admin = make_user("admin", "admin")
    manager = make_user("manager", "mgr1", regions=[r1])
    owner = make_user("owner", "owner1", factory=f1)
    # F1: two days in January, F2: one day with shipments but no orders,
    # F3: one day; plus rows outside January that must not count.
    make_sales(f1, D(2026, 1, 1), gmv_fen=100_00, orders=4, new_buyers=2, repeat_orders=1,
               dropship_orders=2, shipments=4, shipments_picked_48h=3)
    make_sales(f1, D(2026, 1, 31), gmv_fen=50_50, orders=1, new_buyers=1, repeat_orders=1,
               dropship_orders=0, shipments=1, shipments_picked_48h=1)
    make_sales(f2, D(2026, 1, 15), gmv_fen=0, orders=0, shipments=2, shipments_picked_48h=0)
    make_sales(f3, D(2026, 1, 10), gmv_fen=1000_00, orders=10, new_buyers=5,
               repeat_orders=5, dropship_orders=5, shipments=10, shipments_picked_48h=10)
    make_sales(f1, D(2025, 12, 31), gmv_fen=999_00, orders=9)
    make_sales(f1, D(2026, 2, 1), gmv_fen=999_00, orders=9)
    make_sales(f3, D(2025, 1, 10), gmv_fen=500_00, orders=5)  # last year
    return dict(r1=r1, r2=r2, rep_a=rep_a, rep_b=rep_b, f1=f1, f2=f2, f3=f3,
                admin=admin, manager=manager, owner=owner)


def test_admin_sees_every_factory(world):
    k = sales.kpis(Scope(world["admin"]), JAN)
    assert k["gmv_cny"] == Decimal("1150.50")
    assert k["orders"] == 15
    assert k["aov_cny"] == Decimal("1150.50") / 15
    assert k["new_buyers"] == 8
    assert k["repeat_order_rate"] == Decimal(7) / 15
    assert k["dropship_share"] == Decimal(7) / 15
    assert k["pickup_48h_rate"] == Decimal(14) / 17
    # Last January only F3 sold ¥500: 1150.50 / 500 - 1.
    assert k["gmv_yoy_growth"] == Decimal("1150.50") / 500 - 1
    assert k["active_factories"] == 2  # F2 shipped but had no orders
    assert "membership_roi" not in k


def test_each_role_sees_its_own_scope(world):
    manager = sales.kpis(Scope(world["manager"]), JAN)
    rep_b = sales.kpis(Scope(world["rep_b"]), JAN)
    owner = sales.kpis(Scope(world["owner"]), JAN)
    assert manager["gmv_cny"] == Decimal("150.50") and manager["active_factories"] == 1
    assert rep_b["gmv_cny"] == Decimal("1000.00") and rep_b["gmv_yoy_growth"] == 1
    assert owner["gmv_cny"] == Decimal("150.50") and owner["orders"] == 5
    # The owner's factory had no sales last January: YoY has no base.
    assert owner["gmv_yoy_growth"] is None
    assert "membership_roi" in owner and owner["membership_roi"] is None
    anonymous = sales.kpis(Scope(None), JAN)
    assert anonymous["orders"] == 0


def test_zero_denominators_are_null_never_zero(world):
    k = sales.kpis(Scope(world["admin"]), Period(D(2028, 1, 1), D(2028, 1, 31)))
    assert k["gmv_cny"] == 0 and k["orders"] == 0 and k["active_factories"] == 0
    for name in ("aov_cny", "repeat_order_rate", "dropship_share", "pickup_48h_rate",
                 "gmv_yoy_growth"):
        assert k[name] is None, name
    # F2 alone: shipments but no orders.
    k = sales.kpis(Scope(world["admin"], factory=world["f2"]), JAN)
    assert k["aov_cny"] is None and k["repeat_order_rate"] is None
    assert k["pickup_48h_rate"] == 0


def test_a_period_crossing_the_year_boundary(world):
    k = sales.kpis(Scope(world["owner"]), Period(D(2025, 12, 31), D(2026, 1, 1)))
    assert k["gmv_cny"] == Decimal("1099.00") and k["orders"] == 13


def test_filters_narrow_the_scope(world):
    admin = world["admin"]
    assert sales.kpis(Scope(admin, region=world["r2"]), JAN)["gmv_cny"] == 1000
    assert sales.kpis(Scope(admin, rep=world["rep_a"]), JAN)["gmv_cny"] == Decimal("150.5")
    make_membership(world["f3"], D(2025, 6, 1), tier="cxt")
    make_membership(world["f1"], D(2025, 6, 1), tier="super")
    assert sales.kpis(Scope(admin, tier="cxt"), JAN)["gmv_cny"] == 1000
    assert sales.kpis(Scope(admin, tier="super"), JAN)["gmv_cny"] == Decimal("150.5")
    # A term ending before `to` does not give a tier on `to`.
    assert sales.kpis(Scope(admin, tier="super"), Period(D(2026, 6, 1), D(2026, 6, 2)))[
        "active_factories"] == 0


def test_membership_roi_uses_the_current_term_up_to_to(world):
    f1 = world["f1"]
    make_membership(f1, D(2025, 1, 1), end=D(2025, 12, 31), tier="cxt", outcome="renewed")
    make_membership(f1, D(2026, 1, 1), tier="cxt", fee_fen=200_00)
    # The term runs 2026-01-01..2026-12-31; to = 2026-01-31 so the row of
    # 2026-02-01 is not counted, nor the one of 2025-12-31 (previous term).
    k = sales.kpis(Scope(world["owner"]), JAN)
    assert k["membership_roi"] == Decimal("150.50") / 200
    card = sales.roi_card(Scope(world["owner"]), JAN)
    assert card["fee_cny"] == 200 and card["gmv_cny"] == Decimal("150.5")
    assert card["fee_covered_on"] is None
    assert card["days_to_renewal"] == (D(2026, 12, 31) - D(2026, 1, 31)).days
    feb = Period(D(2026, 2, 1), D(2026, 2, 1))
    card = sales.roi_card(Scope(world["owner"]), feb)
    assert card["fee_covered_on"] == D(2026, 2, 1)
    assert card["membership_roi"] == Decimal("1149.50") / 200


def _peer(region, gmv_fen, tier="super", start=D(2025, 6, 1)):
    factory = make_factory(region)
    make_membership(factory, start, tier=tier)
    if gmv_fen is not None:
        make_sales(factory, D(2026, 1, 5), gmv_fen=gmv_fen, orders=1)
    return factory


def test_peers_need_five_and_are_never_named(world):
    f1, r1 = world["f1"], world["r1"]
    make_membership(f1, D(2025, 6, 1), tier="super")
    for gmv in (10_00, 20_00, 30_00):
        _peer(r1, gmv)
    _peer(r1, 99_00, tier="cxt")          # other tier: not a peer
    _peer(world["r2"], 99_00)             # other region: not a peer
    _peer(r1, 99_00, start=D(2024, 1, 1))  # term ended before `to`: not a peer
    k = sales.kpis(Scope(world["owner"]), JAN)
    assert k["peer_median_gmv_cny"] is None and k["peer_percentile"] is None
    # F2 (no term) is not a peer either; a fifth peer with no sales has GMV 0.
    _peer(r1, None)
    benchmark = sales.peer_benchmark(f1.id, JAN)
    assert benchmark["peer_count"] == 4 and benchmark["peer_median_gmv_cny"] is None
    _peer(r1, 500_00)
    benchmark = sales.peer_benchmark(f1.id, JAN)
    # Peers: 0, 10, 20, 30, 500 -> median 20 (odd count); F1 sold 150.50:
    # 4 of 5 peers are strictly below.
    assert benchmark["peer_count"] == 5
    assert benchmark["peer_median_gmv_cny"] == 20
    assert benchmark["peer_percentile"] == Decimal("0.8")
    assert benchmark["peers_without_sales"] == 1  # the peer with no sales, counted as 0
    assert set(benchmark) == {"peer_count", "gmv_cny", "peer_median_gmv_cny", "peer_percentile",
                              "peers_without_sales"}
    _peer(r1, 150_50)  # a tie is not strictly below
    k = sales.kpis(Scope(world["owner"]), JAN)
    # Peers: 0, 10, 20, 30, 150.50, 500 -> median (20 + 30) / 2 (even count).
    assert k["peer_median_gmv_cny"] == 25
    assert k["peer_percentile"] == Decimal(4) / 6


def test_compare_gives_previous_period_and_last_year(world):
    f3 = world["f3"]
    make_sales(f3, D(2025, 12, 5), gmv_fen=400_00, orders=8, repeat_orders=2)
    result = sales.compare(Scope(world["rep_b"]), JAN)
    gmv = result["gmv_cny"]
    assert gmv["value"] == 1000 and gmv["previous"] == 400 and gmv["last_year"] == 500
    assert gmv["vs_previous"] == Decimal("1.5") and gmv["vs_last_year"] == 1
    rate = result["repeat_order_rate"]
    assert rate["value"] == Decimal("0.5") and rate["previous"] == Decimal("0.25")
    assert rate["vs_previous"] == Decimal("0.25") and rate["kind"] == "rate"
    assert result["aov_cny"]["vs_last_year"] == 0  # 100 per order both years


def test_series_sums_each_bucket(world):
    rows = sales.series(Scope(world["admin"]), Period(D(2025, 12, 31), D(2026, 2, 1)), "month")
    assert [(row["start"], row["end"]) for row in rows] == [
        (D(2025, 12, 31), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 1))]
    assert [row["gmv_cny"] for row in rows] == [999, Decimal("1150.50"), 999]
    days = sales.series(Scope(world["owner"]), JAN, "day")
    assert len(days) == 31 and days[0]["orders"] == 4 and days[1]["aov_cny"] is None


def test_rankings_by_region_rep_and_factory(world):
    admin = Scope(world["admin"])
    regions = sales.rankings(admin, JAN, "regions")
    assert [row["key"] for row in regions] == ["R2", "R1"]
    assert regions[1]["factories"] == 2 and regions[1]["kpis"]["active_factories"] == 1
    # December (the previous 31 days) F1 sold 999.
    assert regions[1]["previous"]["gmv_cny"] == 999
    assert regions[1]["change"]["gmv_cny"] == Decimal("150.50") / 999 - 1
    reps = sales.rankings(admin, JAN, "reps")
    assert [row["key"] for row in reps] == ["rep_b", "rep_a"]
    owner_rows = sales.rankings(Scope(world["owner"]), JAN, "factories")
    assert [row["key"] for row in owner_rows] == ["F1"]


def test_api_rounding(world):
    values = format_kpis(sales.kpis(Scope(world["admin"]), JAN))
    assert values["aov_cny"] == 76.70 and values["repeat_order_rate"] == 0.4667
    assert values["orders"] == 15 and values["gmv_cny"] == 1150.5


def test_scope_from_args_checks_each_parameter(world):
    admin, manager, owner, rep_a = (world[k] for k in ("admin", "manager", "owner", "rep_a"))
    scope = scope_from_args(admin, {"region": "R1", "rep": "rep_a", "factory": "F1",
                                    "tier": "super"})
    assert scope.as_dict()["region"] == "R1" and scope.factory.code == "F1"
    for args, param in (({"region": "NOPE"}, "region"), ({"rep": "nobody"}, "rep"),
                        ({"rep": "admin"}, "rep"), ({"factory": "F404"}, "factory"),
                        ({"tier": "gold"}, "tier")):
        with pytest.raises(ParameterError) as error:
            scope_from_args(admin, args)
        assert error.value.param == param and error.value.status == 400
    for user, args in ((owner, {"factory": "F3"}), (owner, {"region": "R2"}),
                       (manager, {"region": "R2"}), (manager, {"factory": "F3"}),
                       (manager, {"rep": "rep_b"}), (rep_a, {"factory": "F3"})):
        with pytest.raises(ScopeError) as error:
            scope_from_args(user, args)
        assert error.value.status == 403
    assert scope_from_args(owner, {"factory": "F1"}).single_factory_id == world["f1"].id
    assert scope_from_args(manager, {"region": "R1", "rep": "rep_a"}).rep.username == "rep_a"
