"""metrics.cache: dashboard answers kept in the database under the versions
of the tables they read (migration 011). A cached answer equals the
computed one exactly, and no page shows a stale number after any write:
forms, model writes, an import (row triggers and the bulk path), a scope
change."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from metrics import cache, onboarding, sales, sales_data
from metrics.period import Period
from metrics.scoping import Scope
from models import (Complaint, DataVersion, Factory, Membership, MetricCache, Region, SalesDaily,
                    StageEvent, User, UserRegion, Visit, db)
from tests.builders import (make_complaint, make_factory, make_membership, make_region,
                            make_sales, make_stage, make_visit)
from tests.helpers import page_soup, tiles_of

JAN = Period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
JAN_ARGS = "period=custom&from=2026-01-01&to=2026-01-31"


def _versions():
    return dict(DataVersion.select(DataVersion.name, DataVersion.n).tuples())


def test_values_round_trip_exactly():
    value = {"money": Decimal("1234.50"), "none": None, "day": datetime.date(2026, 1, 31),
             "at": datetime.datetime(2026, 1, 31, 8, 30, 5), "rate": Decimal("0.3333333333"),
             "by_id": {1: {"stage": 3}, None: [1, 2]}, "rows": [{"n": 1, "ok": True}],
             "pair": (1, "a"), "by_pair": {(1, "2026-01-01"): 3},
             "text": "广州女装"}
    assert cache.loads(cache.dumps(value)) == value
    with pytest.raises(TypeError):
        cache.dumps({"x": object()})


def test_only_registered_dataclasses_are_stored():
    @dataclasses.dataclass(frozen=True)
    class Unregistered:
        n: int

    with pytest.raises(TypeError, match="not registered"):
        cache.dumps([{"x": Unregistered(1)}])
    value = {"wait": datetime.timedelta(days=2, seconds=5), "flag": False, "n": 0}
    assert cache.loads(cache.dumps(value)) == value


@pytest.mark.parametrize("table", ["factory", "sales_daily", "stage_event", "visit",
                                   "membership", "user_region", "region", "complaint"])
def test_every_write_to_a_tracked_table_bumps_its_version(users, table):
    factory = users.factory
    day = datetime.date(2026, 1, 5)
    writes = {
        "factory": (lambda: make_factory(region=users.region),
                    lambda row: Factory.update(name="新名字").where(Factory.id == row.id),
                    lambda row: Factory.delete().where(Factory.id == row.id)),
        "sales_daily": (lambda: make_sales(factory, day, gmv_fen=100, orders=1),
                        lambda row: SalesDaily.update(orders=2).where(SalesDaily.id == row.id),
                        lambda row: SalesDaily.delete().where(SalesDaily.id == row.id)),
        "stage_event": (lambda: make_stage(factory, "lead", day),
                        lambda row: StageEvent.update(entered_on=day + datetime.timedelta(1))
                        .where(StageEvent.id == row.id),
                        lambda row: StageEvent.delete().where(StageEvent.id == row.id)),
        "visit": (lambda: make_visit(factory, users.rep, datetime.datetime(2026, 1, 5, 2)),
                  lambda row: Visit.update(notes="改").where(Visit.id == row.id),
                  lambda row: Visit.delete().where(Visit.id == row.id)),
        "membership": (lambda: make_membership(factory, start=day),
                       lambda row: Membership.update(fee_fen=1).where(Membership.id == row.id),
                       lambda row: Membership.delete().where(Membership.id == row.id)),
        "user_region": (lambda: UserRegion.create(user=users.admin, region=users.other_region),
                        lambda row: UserRegion.update(region=users.region)
                        .where(UserRegion.id == row.id),
                        lambda row: UserRegion.delete().where(UserRegion.id == row.id)),
        "complaint": (lambda: make_complaint(factory, datetime.datetime(2026, 1, 5, 2)),
                      lambda row: Complaint.update(title="改").where(Complaint.id == row.id),
                      lambda row: Complaint.delete().where(Complaint.id == row.id)),
        "region": (lambda: make_region(),
                   lambda row: Region.update(name_zh="新").where(Region.id == row.id),
                   lambda row: Region.delete().where(Region.id == row.id)),
    }
    insert, update, delete = writes[table]
    before = _versions().get(table, 0)
    row = insert()
    after_insert = _versions()[table]
    update(row).execute()
    after_update = _versions()[table]
    delete(row).execute()
    assert before < after_insert < after_update < _versions()[table]


def test_a_sign_in_does_not_bump_the_users_version_but_a_rename_does(users):
    before = _versions().get("user", 0)
    User.update(last_login_at=datetime.datetime(2026, 1, 1)).where(
        User.id == users.rep.id).execute()
    assert _versions().get("user", 0) == before
    User.update(display_name="陈大二").where(User.id == users.rep.id).execute()
    assert _versions()["user"] > before


def test_a_write_rolled_back_leaves_the_version_as_it_was(users):
    before = _versions().get("sales_daily", 0)
    with pytest.raises(RuntimeError):
        with db.atomic():
            make_sales(users.factory, datetime.date(2026, 1, 3), gmv_fen=5, orders=1)
            raise RuntimeError("give up")
    assert _versions().get("sales_daily", 0) == before


def test_a_cached_answer_is_the_computed_one_and_is_stored_once(users):
    make_sales(users.factory, datetime.date(2026, 1, 3), gmv_fen=123_456, orders=7,
               shipments=3, shipments_picked_48h=2)
    for role in ("admin", "manager", "rep", "owner"):
        scope = Scope(user=users[role])
        fresh = sales.compare.uncached(scope, JAN)
        assert sales.compare(scope, JAN) == fresh  # computed and stored
        assert sales.compare(scope, JAN) == fresh  # read back
    assert MetricCache.select().count() == 4


def _dashboard(client, path):
    soup = page_soup(client.get(path), status=200)
    table = [row.get_text(" ", strip=True) for row in soup.select("table tr")]
    return tiles_of(soup), table


def _fresh(client, path):
    """The page computed with nothing remembered."""
    MetricCache.delete().execute()
    return _dashboard(client, path)


def _gmv_fen(ids):
    return sales_data.raw_period_totals(ids, JAN)["gmv_fen"]


def test_the_sales_dashboard_never_shows_a_stale_number(client_as, users, tmp_path,
                                                        monkeypatch):
    """After each kind of write the page (and its ranking partial) read
    through the cache equals the page computed afresh, and the GMV tile is
    the raw rows' sum."""
    from exchange.importer import run_import
    from exchange.kinds import KINDS
    from tests.exchange_files import write_csv

    admin = client_as("admin")
    paths = [f"/sales/?{JAN_ARGS}", f"/sales/ranking?{JAN_ARGS}&level=factories"]
    row = make_sales(users.factory, datetime.date(2026, 1, 3), gmv_fen=100_00, orders=1)
    every = Factory.select(Factory.id)

    def check():
        for path in paths:
            admin.get(path)  # remembered now
            seen = _dashboard(admin, path)
            assert seen == _fresh(admin, path), path
        tiles = _dashboard(admin, paths[0])[0]
        assert Decimal(tiles["gmv_cny"]) * 100 == _gmv_fen(every)

    check()
    make_sales(users.other_factory, datetime.date(2026, 1, 4), gmv_fen=250_00, orders=2)
    check()
    SalesDaily.update(gmv_fen=300_00).where(SalesDaily.id == row.id).execute()
    check()
    SalesDaily.delete().where(SalesDaily.id == row.id).execute()
    check()
    for bulk_rows in (10**9, 1):  # row triggers, then the bulk path
        monkeypatch.setattr(KINDS["sales"], "BULK_ROWS", bulk_rows)
        day = 10 if bulk_rows > 1 else 20
        path = write_csv(tmp_path / f"sales-{day}.csv", "sales",
                         [["F-OWN", f"2026-01-{day + n:02d}", "12.34", "3", "1", "1", "0", "3",
                           "2"] for n in range(3)])
        assert run_import("sales", path, user=users.admin).ok
        check()


def test_a_managers_page_follows_a_change_of_their_regions_and_a_moved_factory(client_as,
                                                                               users):
    make_sales(users.factory, datetime.date(2026, 1, 3), gmv_fen=100_00, orders=1)
    make_sales(users.other_factory, datetime.date(2026, 1, 3), gmv_fen=900_00, orders=1)
    manager = client_as("manager")
    path = f"/sales/?{JAN_ARGS}"
    assert _dashboard(manager, path)[0]["gmv_cny"] == "100.0"
    UserRegion.create(user=users.manager, region=users.other_region)
    assert _dashboard(manager, path)[0]["gmv_cny"] == "1000.0"
    UserRegion.delete().where((UserRegion.user == users.manager.id)
                              & (UserRegion.region == users.other_region.id)).execute()
    Factory.update(region=users.region).where(Factory.id == users.other_factory.id).execute()
    assert _dashboard(manager, path)[0]["gmv_cny"] == "1000.0"


def test_the_onboarding_dashboard_follows_a_stage_move_and_a_visit(client_as, users):
    today = datetime.date.today()
    make_stage(users.factory, "lead", today - datetime.timedelta(days=40))
    rep = client_as("rep")
    path = "/onboarding/?period=last_90"
    tiles, table = _dashboard(rep, path)
    assert tiles["stalled"] == "1" and tiles["reached_visited"] == "0"
    response = rep.post(f"/factories/{users.factory.code}/stage",
                        data={"stage": "visited", "entered_on": today.isoformat(),
                              "csrf_token": rep.csrf_token})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    tiles, table = _dashboard(rep, path)
    assert tiles["stalled"] == "0" and tiles["reached_visited"] == "1"
    assert (tiles, table) == _fresh(rep, path)
    StageEvent.delete().where(StageEvent.stage == "visited").execute()
    stalled = "/onboarding/stalled?period=last_90"
    before = _dashboard(rep, stalled)[1]
    make_visit(users.factory, users.rep, datetime.datetime.utcnow())
    after = _dashboard(rep, stalled)
    assert after[1] != before and after == _fresh(rep, stalled)


def test_the_onboarding_api_follows_a_stage_move_a_delete_and_a_moved_factory(client_as,
                                                                               users):
    """The remembered onboarding KPIs (``metrics.onboarding.kpis``) answer
    the stage history as it is after each write, for the API and the data
    layer alike; a logged visit leaves them remembered."""
    admin = client_as("admin")
    scope = Scope(user=users.admin)
    path = "/api/v1/kpis/onboarding?from=2026-01-01&to=2026-01-31"

    def api():
        response = admin.get(path)
        assert response.status_code == 200
        return response.get_json()["kpis"]

    make_stage(users.factory, "lead", datetime.date(2026, 1, 2))
    assert api()["leads"] == 1 and api()["reached_contacted"] == 0
    response = admin.post(f"/factories/{users.factory.code}/stage",
                          data={"stage": "contacted", "entered_on": "2026-01-05",
                                "csrf_token": admin.csrf_token})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert api()["reached_contacted"] == 1
    assert onboarding.kpis(scope, JAN) == onboarding.kpis.uncached(scope, JAN)
    make_stage(users.other_factory, "lead", datetime.date(2026, 1, 9))
    assert api()["leads"] == 2
    StageEvent.delete().where(StageEvent.stage == "contacted").execute()
    assert api()["reached_contacted"] == 0
    rep = client_as("rep")
    rep_path = path.replace("?", "?rep=" + users.rep.username + "&")
    assert rep.get(rep_path).get_json()["kpis"]["leads"] == 1
    Factory.update(rep=users.rep).where(Factory.id == users.other_factory.id).execute()
    assert rep.get(rep_path).get_json()["kpis"]["leads"] == 2
    assert api()["leads"] == 2
    stored = list(MetricCache.select(MetricCache.key, MetricCache.versions).tuples())
    make_visit(users.factory, users.rep, datetime.datetime(2026, 1, 20, 3))
    assert api()["leads"] == 2
    assert list(MetricCache.select(MetricCache.key, MetricCache.versions).tuples()) == stored


def test_the_renewals_dashboard_follows_a_proposal_a_complaint_and_a_sale(client_as, users):
    """The due list (with each term's health) and the tiles, read through
    the cache, equal the page computed afresh after each write."""
    from models import RenewalCase

    term = make_membership(users.factory, datetime.date(2024, 7, 21), fee_fen=100_000_00)
    admin = client_as("admin")
    paths = ["/renewals/?period=custom&from=2025-04-01&to=2025-06-30",
             "/renewals/due?period=custom&from=2025-04-01&to=2025-06-30&due_sort=health"]

    def charts():
        soup = page_soup(admin.get(paths[0]), status=200)
        return [script.get_text() for script in soup.select("script[type='application/json']")]

    def check():
        for path in paths:
            admin.get(path)
            assert _dashboard(admin, path) == _fresh(admin, path), path
        admin.get(paths[0])
        remembered = charts()
        MetricCache.delete().execute()
        assert remembered == charts()  # the remembered charts are the fresh ones
        return _dashboard(admin, paths[1])[1]

    before = check()
    RenewalCase.create(membership=term, status="proposed", proposed_tier="super",
                       proposed_fee_fen=96_120_00, proposed_by=users.rep,
                       proposed_at=datetime.datetime(2025, 6, 1, 2))
    proposed = check()
    assert proposed != before
    make_complaint(users.factory, datetime.datetime(2025, 6, 20, 2))
    complained = check()
    assert complained != proposed
    make_sales(users.factory, datetime.date(2025, 6, 1), gmv_fen=900_000_00, orders=10)
    assert check() != complained
    # A term ending in the period recorded as churned: the rates and the
    # monthly chart move.
    ended = make_membership(users.other_factory, datetime.date(2024, 5, 10),
                            fee_fen=100_000_00)
    shown = charts()
    Membership.update(outcome="churned").where(Membership.id == ended.id).execute()
    check()
    assert charts() != shown


def test_a_health_in_an_answer_round_trips_exactly():
    import metrics.renewal_lists  # noqa: F401 (registers Health and Driver with the cache)
    from metrics.health import HealthInputs, score

    health = score(HealthInputs(membership_roi=Decimal("2.5"), term_elapsed=0.5,
                                pickup_48h_rate=Decimal("0.8"), open_complaints=1,
                                days_since_visit=12, csat=Decimal("4.5")))
    assert cache.loads(cache.dumps({"health": health})) == {"health": health}


def test_the_owners_page_follows_a_sale_and_a_complaint(client_as, users):
    """The owner's page (ROI card, peers, membership health) read through the
    cache equals the page computed afresh after each write."""
    today = datetime.date.today()
    make_membership(users.factory, today - datetime.timedelta(days=200), fee_fen=100_000_00)
    owner = client_as("owner")
    path = "/my-factory?period=last_90"

    def check():
        owner.get(path)
        seen = page_soup(owner.get(path), status=200).select_one("main").get_text(" ", strip=True)
        MetricCache.delete().execute()
        fresh = page_soup(owner.get(path), status=200).select_one("main").get_text(" ", strip=True)
        assert seen == fresh
        return seen

    before = check()
    make_sales(users.factory, today - datetime.timedelta(days=3), gmv_fen=320_000_00, orders=4)
    sold = check()
    assert sold != before
    make_complaint(users.factory, datetime.datetime.utcnow() - datetime.timedelta(hours=2))
    assert check() != sold


def _main_text(client, path):
    """The page's main content as text (the numbers a user reads)."""
    soup = page_soup(client.get(path), status=200)
    return (soup.find("main") or soup).get_text(" ", strip=True)


def test_the_managers_home_follows_a_factory_a_stage_a_visit_and_a_proposal(client_as,
                                                                             users):
    """``/regions`` read through the cache (counts per region, what needs
    the manager today) equals the page computed afresh after each write."""
    from models import RenewalCase

    today = datetime.date.today()
    admin = client_as("admin")

    def check():
        text = _main_text(admin, "/regions")
        assert text == _main_text(admin, "/regions")  # read again: remembered
        MetricCache.delete().execute()
        assert text == _main_text(admin, "/regions")
        return text

    before = check()
    make_factory(region=users.region, rep=users.rep)
    added = check()
    assert added != before
    make_stage(users.factory, "lead", today - datetime.timedelta(days=40))
    staged = check()
    assert staged != added
    make_visit(users.other_factory, users.rep,
               datetime.datetime.utcnow() - datetime.timedelta(days=3), next_action_on=today - datetime.timedelta(days=1))
    visited = check()
    assert visited != staged
    term = make_membership(users.factory, today - datetime.timedelta(days=300))
    termed = check()
    RenewalCase.create(membership=term, status="proposed", proposed_tier="super",
                       proposed_fee_fen=96_120_00, proposed_by=users.rep,
                       proposed_at=datetime.datetime.utcnow())
    assert check() != termed


def test_the_complaint_board_follows_a_complaint_a_response_and_a_resolution(client_as,
                                                                              users):
    """``/complaints/``'s tiles and charts are remembered, its board is read
    at ``now``: after each write the page equals the page computed afresh."""
    admin = client_as("admin")
    path = "/complaints/?period=last_90"
    now = datetime.datetime.utcnow()

    def numbers():
        soup = page_soup(admin.get(path), status=200)
        return tiles_of(soup), [figure.get_text(" ", strip=True)
                                for figure in soup.select("figure.chart")]

    def check():
        seen = numbers()
        assert seen == numbers()  # read again: remembered
        MetricCache.delete().execute()
        assert seen == numbers()
        return seen

    before = check()
    complaint = make_complaint(users.factory, now - datetime.timedelta(days=10), severity="high")
    filed = check()
    assert filed != before
    Complaint.update(first_response_at=now - datetime.timedelta(days=9)).where(
        Complaint.id == complaint.id).execute()
    responded = check()
    assert responded != filed
    Complaint.update(resolved_at=now - datetime.timedelta(days=8), status="resolved").where(
        Complaint.id == complaint.id).execute()
    assert check() != responded


def test_the_review_queue_follows_a_proposal_a_decision_and_a_sale(client_as, users):
    """``/renewals/queue`` (its rows, their health, the count) read through
    the cache equals the page computed afresh after each write."""
    from models import RenewalCase

    today = datetime.date.today()
    term = make_membership(users.factory, today - datetime.timedelta(days=330),
                           fee_fen=100_000_00)
    admin = client_as("admin")

    def check():
        text = _main_text(admin, "/renewals/queue")
        assert text == _main_text(admin, "/renewals/queue")  # read again: remembered
        MetricCache.delete().execute()
        assert text == _main_text(admin, "/renewals/queue")
        return text

    before = check()
    case = RenewalCase.create(membership=term, status="proposed", proposed_tier="super",
                              proposed_fee_fen=96_120_00, proposed_by=users.rep,
                              proposed_at=datetime.datetime.utcnow())
    proposed = check()
    assert proposed != before
    make_sales(users.factory, today - datetime.timedelta(days=3), gmv_fen=900_000_00, orders=10)
    sold = check()
    assert sold != proposed
    RenewalCase.update(status="approved").where(RenewalCase.id == case.id).execute()
    assert check() == before


def _api(client, **filters):
    """The sales KPIs of January through the API, as the client's user."""
    response = client.get("/api/v1/kpis/sales", query_string={
        "from": "2026-01-01", "to": "2026-01-31", **filters})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["kpis"]


@pytest.mark.parametrize("bulk_rows", [1, 10**9], ids=["bulk-path", "row-triggers"])
def test_an_import_changing_and_adding_days_is_read_fresh_by_page_and_api(
        client_as, users, tmp_path, monkeypatch, bulk_rows):
    """An import that changes some existing days, leaves others, and adds
    new ones (to two factories in two regions) is seen at once, exactly, by
    the dashboard, its ranking partial and the API, for admin and for a
    manager of one region: each equals its answer computed afresh and the
    GMV is the raw rows' sum. Both write paths: triggers per row, and the
    bulk path that drops them and rebuilds the rollup once."""
    from exchange.importer import run_import
    from exchange.kinds import KINDS
    from tests.exchange_files import write_csv

    for day, gmv_fen in ((3, 100_00), (4, 200_00), (5, 300_00)):
        make_sales(users.factory, datetime.date(2026, 1, day), gmv_fen=gmv_fen, orders=1)
    make_sales(users.other_factory, datetime.date(2026, 1, 4), gmv_fen=50_00, orders=1)
    clients = {role: client_as(role) for role in ("admin", "manager")}
    paths = [f"/sales/?{JAN_ARGS}", f"/sales/ranking?{JAN_ARGS}&level=factories"]
    for client in clients.values():  # remember every answer before the import
        for path in paths:
            _dashboard(client, path)
        _api(client)
    monkeypatch.setattr(KINDS["sales"], "BULK_ROWS", bulk_rows)
    csv_path = write_csv(tmp_path / "sales.csv", "sales", [
        ["F-OWN", "2026-01-03", "111.11", "4", "1", "1", "0", "4", "3"],    # changed
        ["F-OWN", "2026-01-04", "200.00", "1", "0", "0", "0", "0", "0"],    # unchanged
        ["F-OWN", "2026-01-02", "7.00", "0", "0", "0", "0", "0", "0"],      # before the span
        ["F-OWN", "2026-01-09", "9.99", "2", "1", "0", "0", "1", "1"],      # after the span
        ["F-OTHER", "2026-01-04", "0.01", "0", "0", "0", "0", "0", "0"],    # changed
    ])
    result = run_import("sales", csv_path, user=users.admin)
    assert result.ok and (result.inserted, result.updated, result.unchanged) == (2, 2, 1)
    expected_gmv = {"admin": _gmv_fen(Factory.select(Factory.id)),
                    "manager": _gmv_fen(Factory.select(Factory.id)
                                        .where(Factory.region == users.region.id))}
    own = 7_00 + 111_11 + 200_00 + 300_00 + 9_99
    assert expected_gmv == {"admin": own + 1, "manager": own}
    for role, client in clients.items():
        seen = [_dashboard(client, path) for path in paths]
        api = _api(client)
        assert Decimal(str(api["gmv_cny"])) * 100 == expected_gmv[role], role
        assert Decimal(seen[0][0]["gmv_cny"]) * 100 == expected_gmv[role], role
        assert seen == [_fresh(client, path) for path in paths], role
        MetricCache.delete().execute()
        assert api == _api(client), role
