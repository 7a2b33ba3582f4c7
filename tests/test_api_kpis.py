"""The KPI API of SPEC section 5: real sessions and real bearer tokens, the
same scope as the pages, 400s that name the bad parameter."""

import datetime

import pytest

from access import issue_api_token
from metrics import complaints, onboarding, renewals, sales
from metrics.api_format import format_kpis
from metrics.period import Period, default_period
from metrics.scoping import Scope
from models import db
from tests.builders import (make_complaint, make_factory, make_membership, make_sales,
                            make_stage)

D = datetime.date
JAN = {"from": "2026-01-01", "to": "2026-01-31"}


@pytest.fixture
def data(users):
    """Sales, a term, a stage and a complaint for both factories of ``users``."""
    for factory, gmv in ((users.factory, 100_00), (users.other_factory, 300_00)):
        make_sales(factory, D(2026, 1, 5), gmv_fen=gmv, orders=2, repeat_orders=1,
                   shipments=2, shipments_picked_48h=1)
        make_membership(factory, D(2025, 6, 1))
        make_stage(factory, "lead", D(2026, 1, 2))
        make_complaint(factory, datetime.datetime(2026, 1, 3), resolved_at=datetime.datetime(
            2026, 1, 4), satisfaction=4)
    return users


def _token(user, admin):
    with db.atomic():
        return issue_api_token(user, "spreadsheet", admin)[1]


def _get(client, dashboard, token=None, **args):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1/kpis/{dashboard}", query_string=args, headers=headers)


def test_anonymous_gets_401(client, data):
    response = _get(client, "sales", **JAN)
    assert response.status_code == 401 and response.is_json
    assert _get(client, "sales", token="sf_not-a-token", **JAN).status_code == 401


@pytest.mark.parametrize("module", [sales, onboarding, renewals, complaints])
def test_answers_the_same_numbers_as_the_data_layer(client_as, data, module):
    dashboard = module.__name__.split(".")[-1]
    response = _get(client_as("admin"), dashboard, **JAN)
    assert response.status_code == 200
    body = response.get_json()
    assert body["dashboard"] == dashboard
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-01-31")
    assert body["scope"]["role"] == "admin" and body["scope"]["region"] is None
    period = Period(D(2026, 1, 1), D(2026, 1, 31))
    assert body["kpis"] == format_kpis(module.kpis(Scope(data.admin), period))


def test_sales_values_are_rounded_numbers(client_as, data):
    kpis = _get(client_as("admin"), "sales", **JAN).get_json()["kpis"]
    assert kpis["gmv_cny"] == 400.0 and kpis["orders"] == 4 and kpis["aov_cny"] == 100.0
    assert kpis["repeat_order_rate"] == 0.5 and kpis["pickup_48h_rate"] == 0.5
    assert kpis["gmv_yoy_growth"] is None and kpis["active_factories"] == 2


def test_bearer_token_carries_the_owners_scope(app, data):
    token = _token(data.owner, data.admin)
    client = app.test_client()
    body = _get(client, "sales", token=token, **JAN).get_json()
    assert body["kpis"]["gmv_cny"] == 100.0 and body["scope"]["user"] == "owner"
    assert body["kpis"]["peer_median_gmv_cny"] is None  # fewer than 5 peers
    assert body["kpis"]["membership_roi"] == round(100 / 106800, 4)
    mine = _get(client, "sales", token=token, factory="F-OWN", **JAN)
    assert mine.status_code == 200
    for dashboard in ("sales", "complaints", "renewals", "onboarding"):
        response = _get(client, dashboard, token=token, factory="F-OTHER", **JAN)
        assert response.status_code == 403, dashboard
        assert "kpis" not in response.get_json()
    assert _get(client, "sales", token=token, region="ST-UNDER", **JAN).status_code == 403


@pytest.mark.parametrize("role, args", [
    ("manager", {"region": "ST-UNDER"}),
    ("manager", {"factory": "F-OTHER"}),
    ("manager", {"rep": "other_rep"}),
    ("rep", {"factory": "F-OTHER"}),
    ("owner", {"factory": "F-OTHER"}),
    ("owner", {"rep": "other_rep"}),
])
def test_outside_the_scope_is_forbidden(client_as, data, role, args):
    response = _get(client_as(role), "sales", **JAN, **args)
    assert response.status_code == 403
    assert response.get_json()["parameter"] == next(iter(args))


def test_each_role_sees_its_own_numbers(client_as, data):
    expected = {"admin": 400.0, "manager": 100.0, "rep": 100.0, "owner": 100.0}
    for role, gmv in expected.items():
        assert _get(client_as(role), "sales", **JAN).get_json()["kpis"]["gmv_cny"] == gmv
    body = _get(client_as("manager"), "sales", region="GZ-WOMEN", rep="rep", **JAN).get_json()
    assert body["scope"]["region"] == "GZ-WOMEN" and body["kpis"]["gmv_cny"] == 100.0


@pytest.mark.parametrize("args, param", [
    ({"from": "2026-13-01"}, "from"),
    ({"to": "31/01/2026"}, "to"),
    ({"from": "2026-02-01", "to": "2026-01-31"}, "from"),
    ({"region": "NOWHERE"}, "region"),
    ({"rep": "nobody"}, "rep"),
    ({"factory": "F-NONE"}, "factory"),
    ({"tier": "gold"}, "tier"),
    ({"regoin": "GZ-WOMEN"}, "regoin"),
])
def test_bad_parameters_get_400_naming_them(client_as, data, args, param):
    response = _get(client_as("admin"), "sales", **args)
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == param and param in body["message"]


def test_messages_follow_the_users_language(client_as, data):
    body = _get(client_as("admin"), "sales", region="NOWHERE").get_json()
    assert "区域" in body["message"]  # zh-CN is the default language


def test_unknown_dashboard_is_404(client_as, data):
    assert _get(client_as("admin"), "revenue").status_code == 404


def test_default_period_is_the_90_days_ending_today(client_as, data):
    body = _get(client_as("rep"), "renewals").get_json()
    period = default_period()
    assert (body["from"], body["to"]) == (period.start.isoformat(), period.end.isoformat())
    assert set(body["kpis"]) == set(renewals.KPI_NAMES)


def test_me_names_the_token_user(app, data):
    token = _token(data.rep, data.admin)
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json() == {"username": "rep", "role": "rep"}


def test_query_count_header_only_when_enabled(client_as, data, database_url):
    assert "X-Query-Count" not in _get(client_as("admin"), "sales", **JAN).headers


def test_every_kpi_request_runs_at_most_10_queries(data, database_url):
    from app import create_app

    counted = create_app({"TESTING": True, "DATABASE_URL": database_url,
                          "SECRET_KEY": "test-secret-key", "RATELIMIT_STORAGE_URI": "memory://",
                          "QUERY_COUNT_HEADER": True})
    for make in range(5):  # enough peers for the owner's benchmark to run
        factory = make_factory(data.region)
        make_membership(factory, D(2025, 6, 1))
    client = counted.test_client()
    for role in ("admin", "manager", "rep", "owner"):
        token = _token(data[role], data.admin)
        for dashboard in ("sales", "onboarding", "renewals", "complaints"):
            for args in (JAN, dict(JAN, tier="super"), {}):
                response = _get(client, dashboard, token=token, **args)
                assert response.status_code == 200
                assert int(response.headers["X-Query-Count"]) <= 10, (role, dashboard, args)


@pytest.mark.parametrize("role, param, unknown, hidden", [
    ("owner", "rep", "rep_nobody", "other_rep"),
    ("owner", "region", "NOWHERE", "ST-UNDER"),
    ("owner", "factory", "F-NONE", "F-OTHER"),
    ("rep", "rep", "rep_nobody", "other_rep"),
    ("rep", "factory", "F-NONE", "F-OTHER"),
    ("manager", "rep", "rep_nobody", "other_rep"),
    ("manager", "region", "NOWHERE", "ST-UNDER"),
    ("manager", "factory", "F-NONE", "F-OTHER"),
])
def test_unknown_and_out_of_scope_codes_get_the_same_answer(client_as, data, role, param,
                                                            unknown, hidden):
    client = client_as(role)
    answers = []
    for value in (unknown, hidden):
        response = _get(client, "sales", **{param: value}, **JAN)
        body = response.get_json()
        answers.append((response.status_code, body["error"],
                        body["message"].replace(value, "<code>")))
    assert answers[0] == answers[1] and answers[0][0] == 403
    page = [client.get(f"/sales/?{param}={value}").status_code for value in (unknown, hidden)]
    assert page[0] == page[1]
