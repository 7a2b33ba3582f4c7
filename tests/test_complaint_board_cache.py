"""The 吐槽板's shown page is remembered (``metrics.cache``) under the
complaints' tables and until the first moment the clock alone would change
it: never served stale after a write, nor after the clock passes an SLA
target, and its clocks always read at the request's time."""

import datetime

import pytest
from bs4 import BeautifulSoup

from metrics import cache
from metrics.complaint_board import BoardFilters, changes_at, read
from metrics.period import Period, shanghai_date
from metrics.scoping import Scope
from models import Complaint, MetricCache, utcnow
from tests.builders import make_complaint

H = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
HTMX = {"HX-Request": "true"}


def board_codes(client, query=""):
    response = client.get(f"/complaints/board{query}", headers=HTMX)
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [row.th.get_text(" ", strip=True).split()[0] for row in page.select("tbody tr")]


def board_text(client, query=""):
    return client.get(f"/complaints/board{query}", headers=HTMX).get_data(as_text=True)


@pytest.fixture
def clock(monkeypatch):
    """Set the instant the board reads its clocks at: ``clock(moment)``."""
    def set_to(moment):
        monkeypatch.setattr("views.complaint_report.utcnow", lambda: moment)
    return set_to


def remembered_boards():
    return MetricCache.select().where(MetricCache.value.contains("BoardRow")).count()


def test_a_write_shows_at_once(client_as, users):
    now = utcnow()
    first = make_complaint(users.factory, now - 3 * H, "high", "after_sales", assignee=users.rep)
    rep = client_as("rep")
    assert board_codes(rep) == [first.code]
    assert board_codes(rep) == [first.code]
    assert remembered_boards() == 1  # the second view was the remembered page
    second = make_complaint(users.factory, now - 30 * H, "critical", "logistics",
                            assignee=users.rep)
    assert board_codes(rep) == [second.code, first.code]
    Complaint.update(resolved_at=now, status="resolved").where(
        Complaint.id == second.id).execute()
    assert board_codes(rep) == [first.code, second.code]
    assert board_codes(rep, "?status=open") == [first.code]


def test_the_clock_passing_a_target_joins_breached_only(client_as, users, clock):
    now = utcnow()
    # High, 3 h old, unanswered: 1 h to its first-response target.
    soon = make_complaint(users.factory, now - 3 * H, "high", "after_sales", assignee=users.rep)
    late = make_complaint(users.factory, now - 30 * H, "critical", "logistics",
                          first_response_at=now - 29 * H, assignee=users.rep)
    rep = client_as("rep")
    clock(now)
    assert board_codes(rep, "?breached=1") == [late.code]
    clock(now + 59 * MINUTE)
    assert board_codes(rep, "?breached=1") == [late.code]
    clock(now + H + MINUTE)  # no write: only the clock moved past the target
    assert board_codes(rep, "?breached=1") == [late.code, soon.code]


def test_a_remembered_page_shows_its_clocks_at_the_request_time(client_as, users, clock):
    now = utcnow()
    make_complaint(users.factory, now - 3 * H, "high", "after_sales", assignee=users.rep)
    rep = client_as("rep")
    clock(now)
    assert "1 小时 0 分钟" in board_text(rep)
    clock(now + 30 * MINUTE)
    text = board_text(rep)
    assert remembered_boards() == 1
    assert "⚑" in text and "30 分钟" in text and "1 小时 0 分钟" not in text
    clock(now + 2 * H)
    assert "⚠" in board_text(rep)


def test_sorted_by_age_an_open_complaint_overtakes_a_resolved_one(client_as, users, clock):
    now = utcnow()
    young = make_complaint(users.factory, now - 10 * H, "low", "tools", assignee=users.rep,
                           first_response_at=now - 9 * H)
    done = make_complaint(users.factory, now - 20 * H, "low", "tools", assignee=users.rep,
                          first_response_at=now - 19 * H, resolved_at=now - 9 * H)  # 11 h
    rep = client_as("rep")
    clock(now)
    assert board_codes(rep, "?sort=age") == [done.code, young.code]
    clock(now + 30 * MINUTE)
    assert board_codes(rep, "?sort=age") == [done.code, young.code]
    clock(now + 2 * H)
    assert board_codes(rep, "?sort=age") == [young.code, done.code]


def test_changes_at_is_the_next_target_a_breached_only_board_waits_for(users):
    now = utcnow().replace(microsecond=0)
    make_complaint(users.factory, now - 3 * H, "high", "after_sales")  # first response due +1 h
    make_complaint(users.factory, now - 10 * H, "normal", "fees")  # first response due +14 h
    make_complaint(users.factory, now - 30 * H, "critical", "logistics",
                   first_response_at=now - 29 * H)  # already breached
    scope = Scope(users.rep)
    today = shanghai_date(now)
    period = Period(today - datetime.timedelta(days=30), today)
    read_ = read(scope, period)
    assert changes_at(scope, read_, BoardFilters(breached=True), now) == now + H
    assert changes_at(scope, read_, BoardFilters(breached=True, severity="normal"), now) == \
        now + 14 * H
    assert changes_at(scope, read_, BoardFilters(), now) is None


def test_an_answer_with_a_moment_is_reused_only_before_it(users):
    now = datetime.datetime(2026, 3, 10, 2, 0)
    calls = []

    def compute():
        calls.append(1)
        return datetime.timedelta(hours=len(calls))

    def ask(at):
        return cache.remembered(("complaint",), "test.until", [1], compute, now=at,
                                until=lambda: now + H)

    assert ask(now) == H
    assert ask(now + 59 * MINUTE) == H
    assert ask(now + H) == 2 * H
    assert len(calls) == 2
