"""The renewals dashboard over HTTP: tiles equal the KPI API, the due list
with health, scope, htmx partials, export."""

import datetime

import pytest
from bs4 import BeautifulSoup

from models import RenewalCase
from tests.builders import make_factory, make_membership

D = datetime.date
QUERY = "period=custom&from=2025-04-01&to=2025-06-30"


@pytest.fixture
def terms(users):
    a = make_membership(users.factory, D(2024, 7, 21), fee_fen=100_000_00)  # ends 2025-07-20
    RenewalCase.create(membership=a, status="proposed", proposed_tier="super",
                       proposed_fee_fen=96_120_00, proposed_by=users.rep,
                       proposed_at=datetime.datetime(2025, 6, 1, 2))
    b = make_membership(make_factory(region=users.region, rep=users.rep, code="F-B"),
                        D(2024, 9, 16), tier="cxt")  # ends 2025-09-15
    churned = make_membership(make_factory(region=users.region, rep=users.rep, code="F-D"),
                              D(2024, 4, 2), end=D(2025, 4, 1), outcome="churned")
    RenewalCase.create(membership=churned, status="churned", churn_reason="low_roi",
                       health_band="at_risk", health_score=20)
    make_membership(users.other_factory, D(2024, 7, 11))  # another region's
    return a, b


def _soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_tiles_carry_the_api_numbers(client_as, terms, role):
    client = client_as(role)
    soup = _soup(client.get(f"/renewals/?{QUERY}"))
    tiles = {t["data-kpi"]: t["data-value"] for t in soup.select("[data-kpi]")}
    api = client.get("/api/v1/kpis/renewals?from=2025-04-01&to=2025-06-30").get_json()["kpis"]
    assert set(tiles) == set(api)
    for name, value in api.items():
        assert (tiles[name] == "") if value is None else float(tiles[name]) == value
    assert api["due_90"] == (3 if role == "admin" else 2)
    assert api["churned"] == 1


def test_due_list_shows_health_status_and_scope(client_as, terms):
    soup = _soup(client_as("manager").get(f"/renewals/?{QUERY}&due=30"))
    rows = soup.select("#due tbody tr")
    assert len(rows) == 1
    text = rows[0].get_text(" ", strip=True)
    assert "广州锦绣服饰厂" in text and "已提交方案" in text and "高风险" in text  # zh default
    assert "汕头秘密内衣厂" not in soup.get_text()
    soup = _soup(client_as("manager").get(f"/renewals/?{QUERY}"))
    assert len(soup.select("#due tbody tr")) == 2
    assert "回报太低" in soup.select_one("#reasons-heading").find_parent("section").get_text()


def test_htmx_swaps_the_dashboard_and_the_table(client_as, terms):
    client = client_as("manager")
    partial = client.get(f"/renewals/?{QUERY}", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.get_data(as_text=True)
    table = client.get(f"/renewals/due?{QUERY}&due_sort=fee", headers={"HX-Request": "true"})
    body = table.get_data(as_text=True)
    assert table.status_code == 200 and "<html" not in body and "<table" in body


def test_export_lists_every_due_term(client_as, terms):
    response = client_as("manager").get(f"/renewals/due.csv?{QUERY}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "F-OWN" in body and "F-B" in body and "F-OTHER" not in body


def test_owner_and_out_of_scope_filters_are_refused(client_as, users, terms):
    assert client_as("owner").get("/renewals/").status_code == 403
    other = users.other_region.code
    assert client_as("manager").get(f"/renewals/?region={other}").status_code == 403


def test_owner_sees_membership_health_in_plain_words(client_as, users):
    from tests.builders import make_complaint, make_sales

    today = datetime.date.today()
    make_membership(users.factory, today - datetime.timedelta(days=200), fee_fen=100_000_00)
    make_sales(users.factory, today - datetime.timedelta(days=10), gmv_fen=320_000_00)
    make_complaint(users.factory, datetime.datetime.utcnow() - datetime.timedelta(hours=3))
    make_complaint(users.factory, datetime.datetime.utcnow() - datetime.timedelta(hours=5))
    soup = _soup(client_as("owner").get("/my-factory"))
    section = soup.select_one("#membership-health-heading").find_parent("section")
    text = section.get_text(" ", strip=True)
    assert "会员费已回本 3.2 倍" in text and "2 条吐槽处理中" in text
    assert "健康度" not in text and "高风险" not in text


def test_factory_page_shows_the_health_to_staff_only(client_as, users):
    today = datetime.date.today()
    make_membership(users.factory, today - datetime.timedelta(days=200))
    staff = _soup(client_as("rep").get(f"/factories/{users.factory.code}"))
    assert staff.select_one("[data-health]")["data-health"].isdigit()
    owner = _soup(client_as("owner").get(f"/factories/{users.factory.code}"))
    assert owner.select_one("[data-health]") is None
