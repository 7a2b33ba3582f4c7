"""The renewals dashboard's charts: renewal rate by region, tier and cohort
and renewed vs churned per month, each drawing exactly the numbers of its
table, on hand-computed data."""

import datetime
import json

import pytest

from tests.builders import make_factory, make_membership
from tests.helpers import page_soup

D = datetime.date
QUERY = "period=custom&from=2025-04-01&to=2025-06-30"


@pytest.fixture
def ended(users):
    """Terms ending in the period: in the team's region 2 super renewed,
    1 super churned, 1 CXT churned; in the other region 1 CXT renewed.
    Earlier, in January 2025 (inside the last 12 months, outside the
    period): 1 super renewed in the team's region."""
    def term(region, rep, tier, end, outcome):
        factory = make_factory(region=region, rep=rep)
        return make_membership(factory, D(end.year - 1, end.month, end.day) + datetime.timedelta(
            days=1), tier=tier, end=end, outcome=outcome)
    here, there = (users.region, users.rep), (users.other_region, users.other_rep)
    term(*here, "super", D(2025, 4, 10), "renewed")
    term(*here, "super", D(2025, 5, 20), "renewed")
    term(*here, "super", D(2025, 5, 21), "churned")
    term(*here, "cxt", D(2025, 6, 3), "churned")
    term(*there, "cxt", D(2025, 6, 30), "renewed")
    term(*here, "super", D(2025, 1, 15), "renewed")


def _figure(soup, chart_id):
    return json.loads(soup.select_one(f'[data-chart-for="{chart_id}"]').string)


def _table(soup, level):
    rows = []
    for tr in soup.select(f'table[data-rates="{level}"] tbody tr'):
        cells = [cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])]
        rows.append((cells[0], int(cells[1]), int(cells[2]), cells[3]))
    return rows


@pytest.mark.parametrize("level", ["regions", "tiers", "cohorts"])
def test_each_rate_chart_draws_its_tables_numbers(client_as, ended, level):
    soup = page_soup(client_as("admin").get(f"/renewals/?{QUERY}"), 200)
    (bars,) = _figure(soup, f"chart-rate-{level}")["data"]
    table = _table(soup, level)
    assert bars["y"] == [label for label, *_counts in table]
    assert bars["x"] == [None if renewed + churned == 0 else
                         round(renewed / (renewed + churned) * 100, 2)
                         for _label, renewed, churned, _rate in table]
    assert bars["text"] == [rate if rate == "—" else f"{rate} ({renewed}/{renewed + churned})"
                            for _label, renewed, churned, rate in table]


def test_the_rate_charts_numbers_by_hand(client_as, ended):
    soup = page_soup(client_as("admin").get(f"/renewals/?{QUERY}"), 200)
    assert _table(soup, "regions") == [("广州女装", 2, 2, "50.0%"), ("汕头内衣", 1, 0, "100.0%")]
    tiers = dict((label, (renewed, churned)) for label, renewed, churned, _r in
                 _table(soup, "tiers"))
    assert tiers == {"诚信通": (1, 1), "超级工厂": (2, 1)}
    assert _figure(soup, "chart-rate-tiers")["data"][0]["x"] == [50.0, 66.67]


def test_the_monthly_chart_covers_12_months_and_equals_its_table(client_as, ended):
    soup = page_soup(client_as("admin").get(f"/renewals/?{QUERY}"), 200)
    renewed, churned = _figure(soup, "chart-monthly")["data"]
    # July 2024 .. June 2025: the 12 months ending with the period's last month.
    assert renewed["x"][0] == "2024-07-01" and renewed["x"][-1] == "2025-06-01"
    assert len(renewed["x"]) == 12
    by_month = dict(zip(renewed["x"], zip(renewed["y"], churned["y"])))
    assert {month: counts for month, counts in by_month.items() if counts != (0, 0)} == {
        "2025-01-01": (1, 0), "2025-04-01": (1, 0), "2025-05-01": (1, 1),
        "2025-06-01": (1, 1)}
    figure_table = soup.select_one("#chart-monthly").find_parent("figure").select(
        "noscript table tbody tr")
    assert [(int(tr.find_all("td")[1].get_text()), int(tr.find_all("td")[2].get_text()))
            for tr in figure_table] == list(zip(renewed["y"], churned["y"]))


def test_a_manager_sees_only_their_regions_in_the_charts(client_as, ended):
    soup = page_soup(client_as("manager").get(f"/renewals/?{QUERY}"), 200)
    assert _figure(soup, "chart-rate-regions")["data"][0]["y"] == ["广州女装"]
    renewed, _churned = _figure(soup, "chart-monthly")["data"]
    assert sum(renewed["y"]) == 3
