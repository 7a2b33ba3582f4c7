"""The manager's review queue ``/renewals/queue``: what waits, in which
order, with which figures, and deciding inline through the one decision
action (htmx and plain HTTP), on a real database."""

import datetime
from decimal import Decimal

import pytest

from metrics.period import shanghai_today
from models import AuditLog, Notification, RenewalCase
from tests.builders import make_factory, make_membership, make_user
from tests.helpers import page_soup

TODAY = shanghai_today()
HTMX = {"HX-Request": "true"}


def _propose(client, term, fee="96120", note="老客户"):
    response = client.post(f"/renewals/{term.id}/proposal", data={
        "tier": "super", "fee_cny": fee, "note": note, "risk_note": "ROI 偏低",
        "csrf_token": client.csrf_token})
    assert response.status_code == 303
    return RenewalCase.get(RenewalCase.membership == term.id)


@pytest.fixture
def waiting(users, client_as):
    """Two proposals by the rep in the manager's region (the older one ends
    later), one in the other region, one the manager made themself."""
    rep = client_as("rep")
    older = make_membership(users.factory, TODAY - datetime.timedelta(days=300))  # 65 days left
    second = make_factory(region=users.region, rep=users.rep, code="F-TWO", name="第二工厂")
    newer = make_membership(second, TODAY - datetime.timedelta(days=355))  # 10 days left
    own = make_membership(make_factory(region=users.region, rep=users.rep, code="F-OWNP"),
                          TODAY - datetime.timedelta(days=330))
    far = make_membership(users.other_factory, TODAY - datetime.timedelta(days=340))
    case = _propose(rep, older)
    RenewalCase.update(proposed_at=case.proposed_at - datetime.timedelta(hours=1)).where(
        RenewalCase.id == case.id).execute()
    _propose(rep, newer, fee="106800")
    _propose(client_as("manager"), own)
    _propose(client_as("other_rep"), far)
    return older, newer, own, far


def _rows(response):
    return page_soup(response, 200).select("tr[data-term]")


def test_the_queue_lists_waiting_proposals_oldest_first_with_figures(client_as, waiting):
    older, newer, _own, _far = waiting
    rows = _rows(client_as("manager").get("/renewals/queue"))
    # Not the other region's, not the manager's own proposal (someone else decides it).
    assert [int(row["data-term"]) for row in rows] == [older.id, newer.id]
    first = rows[0]
    # (106,800 - 96,120) / 106,800 = 10% below the super-factory list fee.
    assert Decimal(first.select_one("[data-discount]")["data-discount"]) == Decimal("0.1")
    assert "10.0%" in first.get_text()
    assert first.select_one("[data-days-to-end]")["data-days-to-end"] == str(
        (older.end - TODAY).days)
    assert first.select_one("[data-health]")["data-health"].isdigit()
    assert "老客户" in first.get_text() and "ROI 偏低" in first.get_text()
    assert Decimal(rows[1].select_one("[data-discount]")["data-discount"]) == 0
    admin_rows = _rows(client_as("admin").get("/renewals/queue"))
    assert len(admin_rows) == 4  # every region, and the manager's own proposal


def test_the_queue_is_in_the_managers_navigation_only(client_as, waiting):
    def nav_links(role):
        page = page_soup(client_as(role).get("/renewals/", follow_redirects=True))
        return [a["href"] for a in page.select(".site-nav a")]
    assert "/renewals/queue" in nav_links("manager") and "/renewals/queue" in nav_links("admin")
    assert "/renewals/queue" not in nav_links("rep")
    assert client_as("rep").get("/renewals/queue").status_code == 403


def test_a_region_parameter_narrows_the_queue(client_as, users, waiting):
    admin = client_as("admin")
    rows = _rows(admin.get("/renewals/queue", query_string={"region": users.other_region.code}))
    assert [int(row["data-term"]) for row in rows] == [waiting[3].id]
    assert client_as("manager").get("/renewals/queue", query_string={
        "region": users.other_region.code}).status_code == 403


def _decide(client, term, version, htmx=True, **fields):
    return client.post(f"/renewals/{term.id}/decision?view=queue",
                       headers=HTMX if htmx else {},
                       data=dict(fields, version=str(version), csrf_token=client.csrf_token))


def test_approving_inline_removes_the_row_and_tells_the_rep(client_as, users, waiting):
    older, newer, _own, _far = waiting
    case = RenewalCase.get(RenewalCase.membership == older.id)
    response = _decide(client_as("manager"), older, case.version, decision="approved")
    assert response.status_code == 200
    soup = page_soup(response)
    assert not soup.select("tr")  # nothing in the row's place: it leaves the queue
    assert soup.select_one("#queue-count[hx-swap-oob]")["data-waiting"] == "1"
    assert soup.select_one("#queue-status[hx-swap-oob]")["data-decided"] == str(older.id)
    case = RenewalCase.get_by_id(case.id)
    assert (case.status, case.decided_by_id) == ("approved", users.manager.id)
    note = Notification.get(Notification.recipient == users.rep.id,
                            Notification.kind == "renewal_decided")
    assert note.link == f"/renewals/{older.id}"
    assert AuditLog.select().where(AuditLog.action == "renewal.approved").count() == 1
    remaining = _rows(client_as("manager").get("/renewals/queue"))
    assert [int(row["data-term"]) for row in remaining] == [newer.id]


def test_the_last_decision_empties_the_queue(client_as, users, waiting):
    manager = client_as("manager")
    for term in waiting[:2]:
        version = RenewalCase.get(RenewalCase.membership == term.id).version
        response = _decide(manager, term, version, decision="approved")
    soup = page_soup(response, 200)
    assert soup.select_one("#queue[hx-swap-oob] [data-waiting]")["data-waiting"] == "0"


def test_a_reject_without_a_note_shows_the_error_in_the_row(client_as, waiting):
    older = waiting[0]
    case = RenewalCase.get(RenewalCase.membership == older.id)
    response = _decide(client_as("manager"), older, case.version, decision="rejected")
    assert response.status_code == 422
    row = page_soup(response).select_one("tr")
    assert row["id"] == f"queue-row-{older.id}"
    assert row.select_one("#note-%d-errors .field-error" % older.id)
    assert row.select_one("input[name=note]")["aria-invalid"] == "true"
    assert RenewalCase.get_by_id(case.id).status == "proposed"
    response = _decide(client_as("manager"), older, case.version, decision="rejected",
                       note="折扣太大")
    assert response.status_code == 200
    assert RenewalCase.get_by_id(case.id).decision_note == "折扣太大"


def test_the_second_manager_is_told_someone_decided_first(client_as, users, waiting):
    older = waiting[0]
    version = RenewalCase.get(RenewalCase.membership == older.id).version
    second = make_user("manager", username="manager_two", regions=[users.region],
                       display_name="赵经理")
    assert _decide(client_as("manager"), older, version, decision="approved").status_code == 200
    response = _decide(client_as(second), older, version, decision="rejected", note="太便宜")
    assert response.status_code == 409
    row = page_soup(response).select_one("tr")
    assert row["data-gone"] == "approved" and "王经理" in row.get_text()
    assert not row.select("form")
    case = RenewalCase.get(RenewalCase.membership == older.id)
    assert (case.status, case.decided_by_id, case.decision_note) == (
        "approved", users.manager.id, "")


def test_without_javascript_the_queue_answers_303_and_422_pages(client_as, waiting):
    older = waiting[0]
    version = RenewalCase.get(RenewalCase.membership == older.id).version
    manager = client_as("manager")
    response = _decide(manager, older, version, htmx=False, decision="rejected", note="  ")
    assert response.status_code == 422
    page = page_soup(response)
    assert page.select_one("h1") and page.select_one(f"#note-{older.id}-errors")
    response = _decide(manager, older, version, htmx=False, decision="approved")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/renewals/queue")


def test_a_long_queue_is_paged_oldest_first(client_as, users):
    start = datetime.datetime(2026, 1, 1)
    terms = []
    for n in range(23):
        factory = make_factory(region=users.region, rep=users.rep, code=f"F-Q{n:02d}")
        term = make_membership(factory, TODAY - datetime.timedelta(days=300))
        RenewalCase.create(membership=term, status="proposed", proposed_tier="super",
                           proposed_fee_fen=100_000_00, proposed_by=users.rep,
                           proposed_at=start + datetime.timedelta(hours=n))
        terms.append(term.id)
    manager = client_as("manager")
    first = page_soup(manager.get("/renewals/queue"), 200)
    assert [int(row["data-term"]) for row in first.select("tr[data-term]")] == terms[:20]
    assert first.select_one("#queue-count")["data-waiting"] == "23"
    next_link = first.select_one(".pager a")["href"]
    assert next_link == "/renewals/queue?page=2"
    second = page_soup(manager.get(next_link), 200)
    assert [int(row["data-term"]) for row in second.select("tr[data-term]")] == terms[20:]
    assert manager.get("/renewals/queue?page=abc").status_code == 200
