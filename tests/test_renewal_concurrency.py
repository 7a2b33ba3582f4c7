"""Two people acting on one renewal case at once (SPEC section 9, issue 13
item 6), with two real database connections: two threads, each sending its
request through the app with its own connection (SQLite's WAL file, or
PostgreSQL with DATABASE_URL).

Both requests read the case (the form's version check) before either
writes: a barrier holds each one after its form validated, just before its
transaction. The winner then keeps its transaction open a moment (a pause
while it writes the history), so the loser's write really waits on the
winner's lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's row lock) instead of
merely following it. Exactly one decision stands, the other is told (409
with a stale form, 422 without a version), nothing is half-written.
"""

import datetime
import threading
import time

import pytest

from actions import renewals as renewal_actions
from metrics.period import shanghai_today
from models import AuditLog, Notification, RenewalCase, RenewalEvent
from tests.builders import make_membership, make_user

HOLD_SECONDS = 0.3


@pytest.fixture
def proposed(client_as, users):
    """A term of the team's factory whose case waits for a decision."""
    term = make_membership(users.factory, shanghai_today() - datetime.timedelta(days=330))
    rep = client_as("rep")
    response = rep.post(f"/renewals/{term.id}/proposal", data={
        "tier": "super", "fee_cny": "96120", "csrf_token": rep.csrf_token})
    assert response.status_code == 303
    return term


@pytest.fixture
def race(monkeypatch):
    """``race(*requests)``: run each request (a function answering a
    response) in its own thread, all released together once each has
    validated its form; returns their status codes in order."""
    def run(*requests):
        barrier = threading.Barrier(len(requests), timeout=20)
        for form_class in (renewal_actions.DecisionForm, renewal_actions.ProposalForm):
            original = form_class.validate

            def validate(self, *args, _original=original, **kwargs):
                valid = _original(self, *args, **kwargs)
                barrier.wait()
                return valid
            monkeypatch.setattr(form_class, "validate", validate)
        original_event = renewal_actions._event

        def slow_event(*args, **kwargs):
            time.sleep(HOLD_SECONDS)  # the winner's transaction stays open meanwhile
            return original_event(*args, **kwargs)
        monkeypatch.setattr(renewal_actions, "_event", slow_event)

        statuses = [None] * len(requests)
        errors = []

        def worker(index, request):
            try:
                statuses[index] = request().status_code
            except Exception as error:  # noqa: BLE001 (reported by the test below)
                errors.append(error)
        threads = [threading.Thread(target=worker, args=(index, request))
                   for index, request in enumerate(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        return statuses
    return run


def _decision(client, term, version, **fields):
    data = dict(fields, csrf_token=client.csrf_token)
    if version is not None:
        data["version"] = str(version)
    return lambda: client.post(f"/renewals/{term.id}/decision", data=data)


def _second_manager(users):
    return make_user("manager", username="manager_two", regions=[users.region],
                     display_name="赵经理")


def _one_decision_stands(term):
    case = RenewalCase.get(RenewalCase.membership == term.id)
    events = [e.kind for e in RenewalEvent.select().where(RenewalEvent.case == case.id)
              .order_by(RenewalEvent.id)]
    decided = AuditLog.select().where(AuditLog.action.in_(
        ["renewal.approved", "renewal.rejected"])).count()
    assert len(events) == 2 and events[0] == "proposed" and events[1] == case.status
    assert decided == 1 and case.version == 2
    return case


def test_two_managers_with_the_same_form_one_wins_the_other_gets_409(
        client_as, users, proposed, race):
    version = RenewalCase.get(RenewalCase.membership == proposed.id).version
    first, second = client_as("manager"), client_as(_second_manager(users))
    statuses = race(_decision(first, proposed, version, decision="approved"),
                    _decision(second, proposed, version, decision="rejected", note="太便宜"))
    assert sorted(statuses) == [303, 409]
    case = _one_decision_stands(proposed)
    if statuses[0] == 303:  # the first manager won: their approval stands, untouched
        assert (case.status, case.decided_by_id, case.decision_note) == (
            "approved", users.manager.id, "")
    else:
        assert (case.status, case.decision_note) == ("rejected", "太便宜")
    # The proposer hears of the one decision that stands, once.
    assert Notification.select().where(Notification.recipient == users.rep.id,
                                       Notification.kind == "renewal_decided").count() == 1


def test_two_managers_without_a_version_one_wins_the_other_gets_422(
        client_as, users, proposed, race):
    first, second = client_as("manager"), client_as(_second_manager(users))
    statuses = race(_decision(first, proposed, None, decision="approved"),
                    _decision(second, proposed, None, decision="approved"))
    assert sorted(statuses) == [303, 422]
    _one_decision_stands(proposed)


def test_a_rep_sending_new_terms_while_the_case_is_decided_changes_nothing(
        client_as, users, proposed, race):
    version = RenewalCase.get(RenewalCase.membership == proposed.id).version
    manager, rep = client_as("manager"), client_as("rep")

    def new_terms():
        return rep.post(f"/renewals/{proposed.id}/proposal", data={
            "tier": "super", "fee_cny": "50000", "version": str(version),
            "csrf_token": rep.csrf_token})
    statuses = race(_decision(manager, proposed, version, decision="approved"), new_terms)
    assert statuses[0] == 303 and statuses[1] in (409, 422)
    case = _one_decision_stands(proposed)
    # The approved terms are the ones the manager saw, never the rep's late ones.
    assert (case.status, case.proposed_fee_fen) == ("approved", 96_120_00)
