"""The onboarding dashboard /onboarding/: tiles equal the KPI API for every
role and filter; the funnel, the pipeline table and the stalled list agree
with the tiles; links keep the filters; exports hold every row; a rep sees
their book only and no rep speed; htmx gets only the dashboard block."""

import csv
import datetime
import io
import json

import pytest
from bs4 import BeautifulSoup

from tests.builders import make_factory, make_membership, make_stage, make_visit

D = datetime.date
MARCH = "period=custom&from=2026-03-01&to=2026-03-31"


def _soup(response):
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _tiles(soup):
    return {tile["data-kpi"]: tile["data-value"] for tile in soup.select("[data-kpi]")}


def _same(page_value, api_value):
    if api_value is None:
        return page_value == ""
    return float(page_value) == pytest.approx(float(api_value))


@pytest.fixture
def pipeline(users):
    """In the rep's region: A live (lead 1 March, live 20 March), B stalled
    in contacted since 11 March, C a fresh lead, D lost; in the other
    region: E stalled in signed since 1 February (other_rep's)."""
    m = lambda day: D(2026, 3, day)  # noqa: E731
    made = {}
    for key, region, rep, stages in (
            ("a", users.region, users.rep, dict(lead=m(1), contacted=m(2), live=m(20))),
            ("b", users.region, users.rep, dict(lead=m(10), contacted=m(11))),
            ("c", users.region, users.rep, dict(lead=m(28))),
            ("d", users.region, users.rep, dict(lead=m(3), lost=m(9))),
            ("e", users.other_region, users.other_rep,
             dict(lead=D(2026, 1, 5), signed=D(2026, 2, 1)))):
        factory = make_factory(region, rep, code=f"F-{key.upper()}", name=f"工厂{key.upper()}")
        for stage, day in stages.items():
            make_stage(factory, stage, day)
        made[key] = factory
    make_membership(made["a"], D(2026, 3, 20), tier="super")
    make_visit(made["b"], users.rep, datetime.datetime(2026, 3, 20, 2), next_action_on=m(27))
    return made


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
@pytest.mark.parametrize("query", [MARCH, MARCH + "&tier=super", "period=custom&from=2026-01-01&to=2026-03-31",
                                   MARCH + "&region=GZ-WOMEN"])
def test_tiles_equal_the_api(client_as, pipeline, role, query):
    client = client_as(role)
    page = _tiles(_soup(client.get(f"/onboarding/?{query}")))
    api_query = query.replace("period=custom&", "")
    api = client.get(f"/api/v1/kpis/onboarding?{api_query}").get_json()["kpis"]
    assert set(page) == set(api)
    for name, value in page.items():
        assert _same(value, api[name]), (name, value, api[name])


def test_by_hand_and_the_parts_agree(client_as, pipeline):
    soup = _soup(client_as("admin").get(f"/onboarding/?{MARCH}"))
    tiles = _tiles(soup)
    # Leads in March: A, B, C, D; A went live after 19 days.
    assert tiles["leads"] == "4" and tiles["reached_live"] == "1"
    assert tiles["lead_to_live_rate"] == "0.25" and float(tiles["median_days_to_live"]) == 19
    assert tiles["stalled"] == "2"
    funnel = json.loads(soup.select_one('[data-chart-for="chart-funnel"]').string)
    assert funnel["data"][0]["x"] == [4, 2, 0, 0, 0, 0, 1]
    assert soup.select_one("#chart-funnel").find_parent("figure").select("noscript table")
    stalled = soup.select("#stalled tbody tr")
    assert [row.th.get_text(strip=True) for row in stalled] == ["工厂E", "工厂B"]
    assert stalled[0].th.a["href"] == "/factories/F-E"
    pipeline_table = soup.select_one("table.pipeline")
    assert pipeline_table.tfoot.select("td")[-1].get_text() == "5"


def test_pipeline_counts_link_to_their_factories_with_the_filters(client_as, pipeline):
    client = client_as("manager")
    soup = _soup(client.get(f"/onboarding/?{MARCH}"))
    links = soup.select("table.pipeline tbody a")
    lost = next(a for a in links if "stage=lost" in a["href"])
    assert "from=2026-03-01" in lost["href"] and "region=GZ-WOMEN" in lost["href"]
    listed = _soup(client.get(lost["href"]))
    assert [row.th.get_text(strip=True) for row in listed.select("#factories tbody tr")] == ["工厂D"]


def test_rep_sees_their_book_and_no_rep_speed(client_as, pipeline):
    soup = _soup(client_as("rep").get(f"/onboarding/?{MARCH}"))
    assert _tiles(soup)["stalled"] == "1"
    assert "工厂E" not in soup.get_text()
    assert soup.select_one("#speed") is None
    assert soup.select_one("#stalled") is not None


def test_rep_speed_drills_down_keeping_the_filters(client_as, pipeline):
    client = client_as("admin")
    soup = _soup(client.get(f"/onboarding/?{MARCH}"))
    region_link = soup.select_one("#speed tbody th a")
    assert "speed_level=reps" in region_link["href"] and "from=2026-03-01" in region_link["href"]
    reps = _soup(client.get(region_link["href"]))
    rep_link = reps.select_one("#speed tbody th a")
    assert "speed_level=factories" in rep_link["href"] and "to=2026-03-31" in rep_link["href"]
    factories = _soup(client.get(rep_link["href"]))
    assert factories.select_one("#speed tbody th a")["href"].startswith("/factories/")


def test_stalled_export_holds_every_row(client_as, pipeline):
    response = client_as("admin").get(f"/onboarding/stalled.csv?{MARCH}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["F-E", "F-B"]
    assert rows[2][4] == "20" and rows[2][7] == "2026-03-27"


def test_filter_change_returns_only_the_dashboard_block(client_as, pipeline):
    response = client_as("admin").get(f"/onboarding/?{MARCH}", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'data-kpi="stalled"' in body
    assert "HX-Request" in response.headers.get("Vary", "")


def test_manager_cannot_filter_outside_their_regions(client_as, pipeline):
    assert client_as("manager").get("/onboarding/?region=ST-UNDER").status_code == 403
