"""The manager's home ``/regions``: what needs them today, counted over the
factories they may see, each count linking to the list that shows the same
things; region rows link to each dashboard of the region."""

import datetime

import pytest

from app import create_app
from metrics.period import shanghai_today
from models import RenewalCase, utcnow
from tests.builders import (make_complaint, make_factory, make_membership, make_stage,
                            make_user, make_visit)
from tests.helpers import login, page_soup

TODAY = shanghai_today()
DAY = datetime.timedelta(days=1)


def _visit(factory, rep, days_ago, next_in_days):
    make_visit(factory, rep, utcnow() - days_ago * DAY,
               next_action_on=TODAY + next_in_days * DAY)


@pytest.fixture
def work(users):
    """In the manager's region:

    * A (rep): latest visit's next action was yesterday (overdue); lead for
      30 days (stalled); a renewal proposal waiting.
    * B (rep): an overdue next action, then a later visit setting one in 3
      days (not overdue); live (never stalled).
    * C (rep_b): next action today (not yet overdue); contacted 20 days ago
      (stalled); two critical complaints 2 days old, unanswered (past SLA).
    * D (rep_b): lost, with a next action from last week (a lost factory
      needs none); lost (not stalled).

    In the other region, E (other_rep): overdue, stalled, past SLA: unseen.
    """
    rep_b = make_user("rep", username="rep_b", regions=[users.region], display_name="李小二")
    a = users.factory
    b = make_factory(region=users.region, rep=users.rep, code="F-B")
    c = make_factory(region=users.region, rep=rep_b, code="F-C")
    d = make_factory(region=users.region, rep=rep_b, code="F-D")
    e = users.other_factory
    _visit(a, users.rep, 3, -1)
    _visit(b, users.rep, 10, -5)
    _visit(b, users.rep, 2, 3)
    _visit(c, rep_b, 1, 0)
    _visit(d, rep_b, 9, -7)
    _visit(e, users.other_rep, 3, -2)
    make_stage(a, "lead", TODAY - 30 * DAY)
    make_stage(b, "live", TODAY - 40 * DAY)
    make_stage(c, "contacted", TODAY - 20 * DAY)
    make_stage(d, "lost", TODAY - 20 * DAY)
    make_stage(e, "signed", TODAY - 20 * DAY)
    for factory in (c, c, e):
        make_complaint(factory, utcnow() - 2 * DAY, severity="critical")
    term = make_membership(a, TODAY - 300 * DAY)
    RenewalCase.create(membership=term, status="proposed", proposed_tier="super",
                       proposed_fee_fen=100_000_00, proposed_by=users.rep, proposed_at=utcnow())
    return rep_b


def _needs(soup):
    return {tile["data-need"]: int(tile["data-value"]) for tile in soup.select("[data-need]")}


def _reps(soup):
    return [(row["data-rep"], {cell["data-count"]: int(cell.get_text()) for cell in
                               row.select("[data-count]")})
            for row in soup.select("tr[data-rep]")]


def test_the_home_counts_what_needs_the_manager_today(client_as, work):
    soup = page_soup(client_as("manager").get("/regions"), 200)
    assert _needs(soup) == {"proposals_waiting": 1, "complaints_breached": 2, "stalled": 2,
                            "overdue_actions": 1}
    assert _reps(soup) == [
        ("rep_b", {"overdue_actions": 0, "breached": 2, "stalled": 1, "total": 3}),
        ("rep", {"overdue_actions": 1, "breached": 0, "stalled": 1, "total": 2}),
    ]


def test_the_admin_counts_every_region(client_as, work):
    soup = page_soup(client_as("admin").get("/regions"), 200)
    assert _needs(soup) == {"proposals_waiting": 1, "complaints_breached": 3, "stalled": 3,
                            "overdue_actions": 2}
    assert [rep for rep, _counts in _reps(soup)] == ["rep_b", "other_rep", "rep"]


def _codes_in_table(client, url):
    soup = page_soup(client.get(url), 200)
    return sorted({a.get_text(strip=True) for a in soup.select("table tbody a")})


def test_each_count_links_to_the_list_showing_the_same(client_as, users, work):
    client = client_as("manager")
    soup = page_soup(client.get("/regions"), 200)
    links = {tile["data-need"]: tile.find_parent("a")["href"] for tile in soup.select("[data-need]")}
    assert links["proposals_waiting"] == "/renewals/queue"
    assert len(page_soup(client.get(links["proposals_waiting"])).select("tr[data-term]")) == 1
    stalled = page_soup(client.get(links["stalled"]), 200)
    assert {a["href"] for a in stalled.select("table tbody a")} == {
        "/factories/F-OWN", "/factories/F-C"}
    overdue = page_soup(client.get(links["overdue_actions"]), 200)
    assert {a["href"] for a in overdue.select("table tbody a[href^='/factories/']")} == {
        "/factories/F-OWN"}
    row = {rep: tr for rep, tr in ((tr["data-rep"], tr) for tr in soup.select("tr[data-rep]"))}
    rep_b = {cell["data-count"]: cell.a["href"] for cell in row["rep_b"].select("[data-count]")
             if cell.a}
    assert rep_b["stalled"] == "/onboarding/stalled?rep=rep_b"
    assert {a["href"] for a in page_soup(client.get(rep_b["stalled"])).select(
        "table tbody a")} == {"/factories/F-C"}
    board = page_soup(client.get(rep_b["breached"]), 200)
    assert len({a["href"] for a in board.select("a[href^='/complaints/C']")}) == 2
    rep_links = {cell["data-count"]: cell.a["href"] for cell in row["rep"].select("[data-count]")
                 if cell.a}
    overdue = page_soup(client.get(rep_links["overdue_actions"]), 200)
    assert {a["href"] for a in overdue.select("table tbody a[href^='/factories/']")} == {
        "/factories/F-OWN"}


def test_region_rows_link_to_every_dashboard_of_the_region(client_as, users, work):
    client = client_as("manager")
    soup = page_soup(client.get("/regions"), 200)
    links = [a["href"] for a in soup.select("table.regions-table .region-links a")]
    code = users.region.code
    assert links == [f"/sales/?region={code}", f"/onboarding/?region={code}",
                     f"/renewals/?region={code}", f"/complaints/?region={code}"]
    for link in links:
        assert client.get(link).status_code == 200


def test_the_home_runs_a_handful_of_queries_however_many_factories(database_url, users, work):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                      "SECRET_KEY": "test-secret-key", "RATELIMIT_STORAGE_URI": "memory://",
                      "QUERY_COUNT_HEADER": True})

    def count():
        client = login(app.test_client(), users.manager)
        response = client.get("/regions")
        assert response.status_code == 200
        return int(response.headers["X-Query-Count"])

    before = count()
    for n in range(20):
        factory = make_factory(region=users.region, rep=work, code=f"F-MORE{n}")
        _visit(factory, work, 2, -1)
        make_stage(factory, "visited", TODAY - 30 * DAY)
        make_complaint(factory, utcnow() - 3 * DAY, severity="high")
    assert count() == before  # the writes moved the versions: computed afresh again
    # computed: session, bell, regions, the counts, and metrics.cache's
    # version reads and stores; remembered: the counts come from the cache
    # (33 on PostgreSQL, 41 on SQLite, whose busy_timeout PRAGMAs count)
    assert before <= 45, before
    warm = count()
    assert warm < before and warm <= 20, warm
