"""The renewal case page ``/renewals/<id>`` and its three actions (SPEC
section 9), over real HTTP on a real database (SQLite, or PostgreSQL with
DATABASE_URL): each rule, each role, the successor term counted by the KPI
API at once, stale forms, the audit log and the notifications."""

import datetime
import json

import pytest

from actions.renewals import next_term_dates
from metrics.period import shanghai_today
from models import (TIER_FEES_FEN, AuditLog, Membership, Notification, RenewalCase,
                    RenewalEvent)
from tests.builders import make_membership, make_user

TODAY = shanghai_today()


@pytest.fixture
def term(users):
    """``users.factory``'s open super-factory term, ending in about 20 days."""
    return make_membership(users.factory, TODAY - datetime.timedelta(days=345))


def _post(client, term, action, **fields):
    return client.post(f"/renewals/{term.id}/{action}",
                       data=dict(fields, csrf_token=client.csrf_token))


def _case(term):
    return RenewalCase.get(RenewalCase.membership == term.id)


def _propose(client, term, **fields):
    return _post(client, term, "proposal", **{"tier": "super", "fee_cny": "98000.50",
                                              "note": "老客户", "risk_note": "ROI 偏低",
                                              **fields})


def test_the_page_shows_term_factory_health_and_links(client_as, users, term):
    response = client_as("rep").get(f"/renewals/{term.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert users.factory.name in page and 'data-case-status="open"' in page
    assert f'action="/renewals/{term.id}/proposal"' in page
    factory_page = client_as("rep").get("/factories/F-OWN").get_data(as_text=True)
    assert f'href="/renewals/{term.id}"' in factory_page
    due = client_as("rep").get("/renewals/due").get_data(as_text=True)
    assert f'/renewals/{term.id}"' in due


@pytest.mark.parametrize("role, status", [("owner", 403), ("other_rep", 404), ("rep", 200),
                                          ("manager", 200), ("admin", 200)])
def test_who_may_open_the_case(client_as, users, term, role, status):
    assert client_as(role).get(f"/renewals/{term.id}").status_code == status


def test_a_missing_term_is_404(client_as):
    assert client_as("admin").get("/renewals/999999").status_code == 404


def test_a_proposal_makes_the_case_proposed_and_tells_the_managers(client_as, users, term):
    response = _propose(client_as("rep"), term)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/renewals/{term.id}")
    case = _case(term)
    assert (case.status, case.proposed_tier, case.proposed_fee_fen, case.proposed_by_id) == (
        "proposed", "super", 9_800_050, users.rep.id)
    assert case.risk_note == "ROI 偏低" and case.version == 1
    events = list(RenewalEvent.select().where(RenewalEvent.case == case.id))
    assert [(e.kind, e.fee_fen, e.actor_name) for e in events] == [
        ("proposed", 9_800_050, "陈小二")]
    note = Notification.get(Notification.recipient == users.manager.id)
    assert note.kind == "renewal_proposed" and note.link == f"/renewals/{term.id}"
    log = AuditLog.get(AuditLog.action == "renewal.proposed")
    assert log.object_id == str(term.id) and json.loads(log.after)["status"] == "proposed"
    page = client_as("manager").get(f"/renewals/{term.id}").get_data(as_text=True)
    # (1,068,000.00 - 98,000.50) / 1,068,000.00 = 8.24% below the list fee
    assert "8.2%" in page
    assert 'action="/renewals/%d/decision"' % term.id in page


@pytest.mark.parametrize("fee", ["0", "-5", "12.345", "abc", ""])
def test_a_bad_fee_is_422_with_the_input_kept(client_as, term, fee):
    response = _propose(client_as("rep"), term, fee_cny=fee, note="保留这句话")
    assert response.status_code == 422
    assert "保留这句话" in response.get_data(as_text=True)
    assert not RenewalCase.select().where(RenewalCase.status == "proposed").exists()


def test_no_second_proposal_while_one_waits(client_as, term):
    assert _propose(client_as("rep"), term).status_code == 303
    assert _propose(client_as("manager"), term, fee_cny="1000", version="1").status_code == 422
    assert _case(term).proposed_fee_fen == 9_800_050


@pytest.mark.parametrize("role, status", [("owner", 403), ("other_rep", 404)])
def test_outsiders_cannot_propose(client_as, term, role, status):
    assert _propose(client_as(role), term).status_code == status
    assert not RenewalCase.select().exists()


def test_the_proposer_cannot_decide(client_as, users, term):
    manager = client_as("manager")
    assert _propose(manager, term).status_code == 303
    assert _post(manager, term, "decision", decision="approved").status_code == 403
    assert _case(term).status == "proposed"


def test_a_rep_cannot_decide(client_as, term):
    assert _propose(client_as("rep"), term).status_code == 303
    assert _post(client_as("rep"), term, "decision", decision="approved").status_code == 403
    assert _post(client_as("other_rep"), term, "decision",
                 decision="approved").status_code == 403


def test_rejecting_needs_a_note_and_tells_the_proposer(client_as, users, term):
    assert _propose(client_as("rep"), term).status_code == 303
    manager = client_as("manager")
    assert _post(manager, term, "decision", decision="rejected").status_code == 422
    assert _case(term).status == "proposed"
    assert _post(manager, term, "decision", decision="rejected",
                 note="折扣太大").status_code == 303
    case = _case(term)
    assert (case.status, case.decided_by_id, case.decision_note) == (
        "rejected", users.manager.id, "折扣太大")
    note = Notification.get(Notification.recipient == users.rep.id)
    assert note.kind == "renewal_decided"
    assert AuditLog.select().where(AuditLog.action == "renewal.rejected").count() == 1
    # A rejected case goes back to the rep, who may propose again.
    assert _propose(client_as("rep"), term, fee_cny="100000").status_code == 303
    assert [e.kind for e in RenewalEvent.select().order_by(RenewalEvent.id)] == [
        "proposed", "rejected", "proposed"]


def test_a_decision_needs_a_waiting_proposal(client_as, term):
    assert _post(client_as("manager"), term, "decision",
                 decision="approved").status_code == 422


def test_outcome_is_blocked_while_a_proposal_waits(client_as, term):
    assert _propose(client_as("rep"), term).status_code == 303
    assert _post(client_as("rep"), term, "outcome", outcome="renewed").status_code == 422
    assert Membership.get_by_id(term.id).outcome is None


def _kpis(client, term):
    response = client.get("/api/v1/kpis/renewals", query_string={
        "from": (term.end - datetime.timedelta(days=1)).isoformat(),
        "to": term.end.isoformat()})
    assert response.status_code == 200
    return response.get_json()["kpis"]


def test_renewed_after_approval_creates_the_successor_counted_at_once(client_as, users, term):
    admin = client_as("admin")
    assert _kpis(admin, term)["renewed"] == 0
    assert _propose(client_as("rep"), term).status_code == 303
    assert _post(client_as("manager"), term, "decision", decision="approved").status_code == 303
    response = _post(client_as("rep"), term, "outcome", outcome="renewed")
    assert response.status_code == 303
    assert Membership.get_by_id(term.id).outcome == "renewed"
    successor = Membership.get(Membership.factory == users.factory.id, Membership.start > term.end)
    start, end = next_term_dates(term.end)
    assert (successor.tier, successor.fee_fen, successor.start, successor.end,
            successor.outcome) == ("super", 9_800_050, start, end, None)
    assert start == term.end + datetime.timedelta(days=1)
    assert _case(term).status == "renewed"
    kpis = _kpis(admin, term)
    assert kpis["renewed"] == 1
    assert float(kpis["renewed_revenue_cny"]) == 98000.50
    log = AuditLog.get(AuditLog.action == "renewal.renewed")
    before, after = json.loads(log.before), json.loads(log.after)
    assert before["term"]["outcome"] is None and after["term"]["outcome"] == "renewed"
    assert after["successor"]["fee_fen"] == 9_800_050 and after["case"]["status"] == "renewed"
    # The closed term takes no more actions.
    assert _propose(client_as("rep"), term, version="3").status_code == 422
    assert _post(client_as("rep"), term, "outcome", outcome="churned",
                 churn_reason="other").status_code == 422


def test_renewed_without_approval_is_the_same_tier_at_list_fee(client_as, users):
    term = make_membership(users.factory, TODAY - datetime.timedelta(days=300), tier="cxt",
                           fee_fen=500_000)
    assert _post(client_as("manager"), term, "outcome", outcome="renewed").status_code == 303
    successor = Membership.get(Membership.factory == users.factory.id, Membership.start > term.end)
    assert (successor.tier, successor.fee_fen) == ("cxt", TIER_FEES_FEN["cxt"])


def test_churned_needs_a_reason(client_as, term):
    rep = client_as("rep")
    response = _post(rep, term, "outcome", outcome="churned")
    assert response.status_code == 422 and Membership.get_by_id(term.id).outcome is None
    assert _post(rep, term, "outcome", outcome="churned",
                 churn_reason="fee_too_high").status_code == 303
    case = _case(term)
    assert (case.status, case.churn_reason) == ("churned", "fee_too_high")
    assert Membership.get_by_id(term.id).outcome == "churned"
    assert Membership.select().where(Membership.factory == term.factory_id).count() == 1
    assert AuditLog.select().where(AuditLog.action == "renewal.churned").count() == 1
    assert RenewalEvent.get().churn_reason == "fee_too_high"


def test_a_stale_version_is_409_and_nothing_changes(client_as, term):
    assert _propose(client_as("rep"), term).status_code == 303  # version 0 -> 1
    response = _post(client_as("manager"), term, "decision", decision="approved", version="0")
    assert response.status_code == 409
    case = _case(term)
    assert case.status == "proposed" and case.version == 1
    assert RenewalEvent.select().count() == 1
    assert not AuditLog.select().where(AuditLog.action == "renewal.approved").exists()


def test_htmx_gets_the_case_block(client_as, term):
    client = client_as("rep")
    response = client.post(f"/renewals/{term.id}/proposal", headers={"HX-Request": "true"},
                           data={"tier": "super", "fee_cny": "100000",
                                 "csrf_token": client.csrf_token})
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#case"
    assert 'id="case"' in response.get_data(as_text=True)


def test_a_manager_of_another_region_gets_404(client_as, users, term):
    outsider = make_user("manager", username="far_manager", regions=[users.other_region])
    assert client_as(outsider).get(f"/renewals/{term.id}").status_code == 404
    assert _propose(client_as(outsider), term).status_code == 404


def test_next_term_dates_over_a_leap_day():
    assert next_term_dates(datetime.date(2027, 2, 28)) == (datetime.date(2027, 3, 1),
                                                           datetime.date(2028, 2, 29))
    assert next_term_dates(datetime.date(2028, 2, 28)) == (datetime.date(2028, 2, 29),
                                                           datetime.date(2029, 2, 28))
