"""The sales dashboards: the owner's page (ROI card, peer benchmark) and the
staff dashboard (tiles, charts, ranking with drill-down, export), checked
against hand-computed numbers and against the KPI API for the same URL."""

import csv
import datetime
import io
import json

import pytest

from tests.builders import make_factory, make_membership, make_sales, make_user
from tests.helpers import page_soup, tiles_of

JAN = "from=2026-01-01&to=2026-01-31"
DAY = datetime.date(2026, 1, 1)


def _soup(response):
    return page_soup(response, status=200)


_tiles = tiles_of


def _api(client, query):
    response = client.get(f"/api/v1/kpis/sales?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["kpis"]


def _same_number(page_value, api_value):
    if api_value is None:
        return page_value == ""
    return page_value != "" and float(page_value) == pytest.approx(float(api_value), abs=1e-9)


@pytest.fixture
def owner_world(users):
    """The owner's factory: a super term for 2026 (fee ¥106,800) and ¥20,000 a
    day on 1-10 January; five peers in the same region and tier with known
    January GMV; one factory of another tier that is not a peer."""
    factory = users.factory
    make_membership(factory, start=DAY, end=datetime.date(2026, 12, 31))
    for n in range(10):
        make_sales(factory, DAY + datetime.timedelta(days=n), gmv_fen=2_000_000, orders=10,
                   new_buyers=2, repeat_orders=4, dropship_orders=5, shipments=10,
                   shipments_picked_48h=9)
    peers = []
    for n, gmv_fen in enumerate((1_000_000, 3_000_000, 5_000_000, 30_000_000, 40_000_000)):
        peer = make_factory(region=users.region, name=f"同行秘密工厂{n}")
        make_membership(peer, start=DAY, end=datetime.date(2026, 12, 31))
        make_sales(peer, DAY + datetime.timedelta(days=n), gmv_fen=gmv_fen, orders=1)
        peers.append(peer)
    basic = make_factory(region=users.region, name="基础版工厂")
    make_membership(basic, start=DAY, tier="cxt")
    make_sales(basic, DAY, gmv_fen=1, orders=1)
    return peers


def test_owner_page_answers_does_the_fee_pay_off(client_as, users, owner_world):
    soup = _soup(client_as("owner").get(f"/my-factory?period=custom&{JAN}"))
    tiles = _tiles(soup)
    # ¥200,000 of GMV in the term so far / ¥106,800 fee
    assert tiles["membership_roi"] == str(round(200_000 / 106_800, 4))
    assert tiles["gmv_cny"] == "200000.0"
    assert tiles["orders"] == "100"
    assert tiles["aov_cny"] == "2000.0"
    assert tiles["repeat_order_rate"] == "0.4"
    assert tiles["dropship_share"] == "0.5"
    assert tiles["pickup_48h_rate"] == "0.9"
    roi = soup.find(id="roi-heading").find_parent("section").get_text(" ", strip=True)
    assert "2026年1月6日" in roi  # cumulative GMV reached the fee on day 6
    assert "334" in roi  # days from 31 January to the term's end


def test_owner_sees_peer_benchmark_without_names(client_as, owner_world):
    soup = _soup(client_as("owner").get(f"/my-factory?period=custom&{JAN}"))
    tiles = _tiles(soup)
    assert tiles["peer_median_gmv_cny"] == "50000.0"  # median of 10k, 30k, 50k, 300k, 400k
    assert tiles["peer_percentile"] == "0.6"  # 3 of 5 peers below ¥200,000
    text = soup.get_text()
    assert "同行秘密工厂" not in text and "基础版工厂" not in text


def _benchmark_text(soup):
    return " ".join(soup.find(id="peer-benchmark").get_text(" ", strip=True).split())


def test_benchmark_says_how_many_peers_and_how_many_sold_nothing(client_as, users, owner_world):
    # Two more peers with nothing sold in January (one sold in December):
    # 7 peers, 5 of them below the owner's ¥200,000 (¥10k, ¥30k, ¥50k, 0, 0).
    for n, december_fen in enumerate((None, 9_000_000)):
        peer = make_factory(region=users.region, name=f"同行零成交{n}")
        make_membership(peer, start=datetime.date(2025, 6, 1))
        if december_fen:
            make_sales(peer, datetime.date(2025, 12, 20), gmv_fen=december_fen, orders=1)
    soup = _soup(client_as("owner").get(f"/my-factory?period=custom&{JAN}"))
    assert _tiles(soup)["peer_percentile"] == "0.7143"  # 5 / 7
    text = _benchmark_text(soup)
    assert "7 家工厂中的 71.4% 高" in text
    assert "其中 2 家本期无成交，按 0 元计入" in text
    assert "不会透露" in text


def test_benchmark_says_when_every_peer_sold(client_as, owner_world):
    client = client_as("owner")
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": client.csrf_token})
    text = _benchmark_text(_soup(client.get(f"/my-factory?period=custom&{JAN}")))
    assert "above 60.0% of the 5 other factories" in text
    assert "Every one of them had sales in the period." in text
    assert "Peers are never named." in text


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_staff_do_not_read_the_owners_copy(client_as, users, owner_world, role):
    soup = _soup(client_as(role).get(
        f"/sales/factories/{users.factory.code}?period=custom&{JAN}"))
    text = _benchmark_text(soup)
    assert text.startswith("该工厂本期成交额")
    assert "不会透露" not in soup.get_text() and "您" not in text
    assert soup.select_one('[data-kpi="peer_percentile"]').get_text().count("低于该工厂") == 1


def test_no_benchmark_with_fewer_than_five_peers(client_as, users):
    make_membership(users.factory, start=DAY)
    for n in range(4):
        peer = make_factory(region=users.region, name=f"同行{n}")
        make_membership(peer, start=DAY)
    tiles = _tiles(_soup(client_as("owner").get(f"/my-factory?period=custom&{JAN}")))
    assert tiles["peer_median_gmv_cny"] == "" and tiles["peer_percentile"] == ""


@pytest.mark.parametrize("role", ["owner", "rep", "manager", "admin"])
def test_factory_page_tiles_equal_the_api(client_as, users, owner_world, role):
    client = client_as(role)
    query = f"factory={users.factory.code}&{JAN}"
    page = _tiles(_soup(client.get(f"/sales/factories/{users.factory.code}?period=custom&{JAN}")))
    api = _api(client, query)
    for name, value in page.items():
        assert _same_number(value, api[name]), (name, value, api[name])


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_dashboard_tiles_equal_the_api(client_as, users, owner_world, role):
    client = client_as(role)
    page = _tiles(_soup(client.get(f"/sales/?period=custom&{JAN}&tier=super")))
    api = _api(client, f"{JAN}&tier=super")
    assert set(page) == {"gmv_cny", "orders", "aov_cny", "new_buyers", "repeat_order_rate",
                         "dropship_share", "pickup_48h_rate", "gmv_yoy_growth",
                         "active_factories"}
    for name, value in page.items():
        assert _same_number(value, api[name]), (name, value, api[name])


def test_charts_add_up_to_the_tiles(client_as, owner_world):
    soup = _soup(client_as("manager").get(f"/sales/?period=custom&{JAN}&grain=week"))
    figure = json.loads(soup.find("script", attrs={"data-chart-for": "chart-gmv"}).string)
    this_period = figure["data"][0]
    assert sum(this_period["y"]) == pytest.approx(float(_tiles(soup)["gmv_cny"]))
    orders = json.loads(soup.find("script", attrs={"data-chart-for": "chart-orders"}).string)
    assert sum(orders["data"][0]["y"]) == int(_tiles(soup)["orders"])


def test_every_chart_has_a_text_alternative(client_as, owner_world):
    soup = _soup(client_as("owner").get(f"/my-factory?period=custom&{JAN}"))
    charts = soup.select("figure.chart")
    assert len(charts) == 3
    for chart in charts:
        assert chart.find("figcaption").get_text(strip=True)
        assert chart.select("noscript table tbody tr")


def test_owner_cannot_open_another_factory(client_as, users):
    client = client_as("owner")
    response = client.get(f"/sales/factories/{users.other_factory.code}")
    assert response.status_code == 404
    assert users.other_factory.name not in response.get_data(as_text=True)
    assert client.get("/sales/").status_code == 403
    assert client.get("/sales/ranking.csv").status_code == 403


def test_rep_sees_only_their_book(client_as, users):
    assert client_as("rep").get(f"/sales/factories/{users.other_factory.code}").status_code == 404
    page = client_as("rep").get("/sales/").get_data(as_text=True)
    assert users.other_factory.name not in page


def test_manager_cannot_filter_by_a_region_outside_their_scope(client_as, users):
    response = client_as("manager").get(f"/sales/?region={users.other_region.code}")
    assert response.status_code == 403
    assert users.other_region.name_zh not in response.get_data(as_text=True)


def test_ranking_drills_down_keeping_the_filters(client_as, users, owner_world):
    soup = _soup(client_as("admin").get(f"/sales/?period=custom&{JAN}&tier=super"))
    region_link = soup.select_one("table.ranking tbody th a")["href"]
    assert "region=GZ-WOMEN" in region_link and "tier=super" in region_link
    assert "from=2026-01-01" in region_link and "to=2026-01-31" in region_link
    reps = _soup(client_as("admin").get(region_link))
    rep_link = reps.select_one("table.ranking tbody th a")["href"]
    assert "rep=rep" in rep_link and "region=GZ-WOMEN" in rep_link
    factories = _soup(client_as("admin").get(rep_link))
    names = [a.get_text() for a in factories.select("table.ranking tbody th a")]
    assert users.factory.name in names
    factory_link = factories.select_one("table.ranking tbody th a")["href"]
    assert factory_link == f"/factories/{users.factory.code}"  # the factory's own page


def test_ranking_sorts_and_pages(client_as, users):
    for n in range(25):
        factory = make_factory(region=users.region, rep=users.rep, name=f"排行工厂{n:02d}")
        make_sales(factory, DAY, gmv_fen=(n + 1) * 100, orders=25 - n)
    client = client_as("rep")
    first = _soup(client.get(f"/sales/ranking?period=custom&{JAN}&sort=orders&dir=asc"))
    names = [a.get_text() for a in first.select("table.ranking tbody th a")]
    # fewest orders first: the rep's own factory has no sales at all
    assert len(names) == 20 and names[:2] == [users.factory.name, "排行工厂24"]
    second = _soup(client.get(f"/sales/ranking?period=custom&{JAN}&sort=orders&dir=asc&page=2"))
    assert len(second.select("table.ranking tbody tr")) == 6  # 25 + the rep's own factory


def test_filter_change_returns_only_the_dashboard_block(client_as, owner_world):
    response = client_as("manager").get(f"/sales/?period=custom&{JAN}",
                                        headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'data-kpi="gmv_cny"' in body
    assert "HX-Request" in response.headers["Vary"]
    ranking = client_as("manager").get(f"/sales/ranking?period=custom&{JAN}",
                                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in ranking and "<table" in ranking and "data-kpi" not in ranking


def test_a_bad_date_is_shown_next_to_its_field(client_as):
    soup = _soup(client_as("manager").get("/sales/?period=custom&from=2026-13-01&to=2026-01-31"))
    field = soup.find(id="f-from")
    assert field["aria-invalid"] == "true"
    assert soup.find(id="f-from-error").get_text(strip=True)
    assert soup.select("[data-kpi]")  # the default period is shown meanwhile


def test_ranking_export_holds_the_whole_table(client_as, users, owner_world):
    response = client_as("manager").get(f"/sales/ranking.csv?period=custom&{JAN}&level=factories")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 7  # the owner's factory, five peers, the basic one
    own = next(row for row in rows if row[0] == users.factory.code)
    assert own[2] == "200000.00"
    xlsx = client_as("manager").get(f"/sales/ranking.xlsx?period=custom&{JAN}")
    assert xlsx.data[:2] == b"PK"
    xlsx.close()


def test_hostile_factory_names_are_escaped(client_as, users):
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    factory = make_factory(region=users.region, rep=users.rep, name=hostile)
    make_sales(factory, DAY, gmv_fen=100, orders=1)
    owner = make_user("owner", factory=factory)
    for client, path in ((client_as("rep"), f"/sales/?period=custom&{JAN}"),
                         (client_as(owner), f"/my-factory?period=custom&{JAN}")):
        body = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(1)" in body


def test_pages_are_chinese_first_with_money_in_wan(client_as, owner_world):
    soup = _soup(client_as("owner").get(f"/my-factory?period=custom&{JAN}"))
    gmv = soup.select_one('[data-kpi="gmv_cny"] .tile-value').get_text(strip=True)
    assert gmv == "¥20.00 万"
    assert "会员费回本了吗" in soup.get_text()


def test_a_start_after_the_end_keeps_the_typed_dates_and_the_last_good_period(client_as,
                                                                               owner_world):
    client = client_as("manager")
    good = _tiles(_soup(client.get(f"/sales/?period=custom&{JAN}")))
    response = client.get("/sales/?period=custom&from=2026-02-10&to=2026-02-01",
                          headers={"HX-Request": "true",
                                   "HX-Current-URL": f"http://localhost/sales/?period=custom&{JAN}"})
    soup = _soup(response)
    start, end = soup.find(id="f-from"), soup.find(id="f-to")
    assert start["value"] == "2026-02-10" and end["value"] == "2026-02-01"
    assert not start.has_attr("disabled") and start["aria-invalid"] == "true"
    message = soup.find(id="f-from-error").get_text(strip=True)
    assert message == "开始日期晚于结束日期。" and "from" not in message
    assert _tiles(soup) == good  # January, the page's last good period
    assert "2026年1月1日" in soup.select_one(".period-note").get_text()


def test_a_bad_date_without_a_previous_page_shows_the_default_period(client_as):
    soup = _soup(client_as("manager").get("/sales/?period=custom&from=2026-02-10&to=2026-02-01"))
    assert soup.select_one(".period-note") and soup.find(id="f-from-error")
