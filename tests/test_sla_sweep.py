"""``flask sla-sweep``: warns the assignee two hours before a target, tells
the region's managers of a breach, and never sends anything twice."""


import datetime

from actions.sla_sweep import sweep
from models import ComplaintAlert, Notification, db, utcnow
from tests.builders import make_complaint, make_user

H = datetime.timedelta(hours=1)


def told(user):
    return sorted((n.kind, n.link) for n in
                  Notification.select().where(Notification.recipient == user.id))


def test_sweep_warns_breaches_and_is_idempotent(runner, users):
    now = utcnow()
    soon = make_complaint(users.factory, now - 3 * H, "high", assignee=users.rep)
    late = make_complaint(users.factory, now - 30 * H, "critical", assignee=users.rep,
                          first_response_at=now - 29 * H)
    make_complaint(users.factory, now - H, "low", assignee=users.rep)  # nothing due
    make_complaint(users.factory, now - 100 * H, "critical", assignee=users.rep,
                   first_response_at=now - 99 * H, resolved_at=now - 98 * H)  # resolved
    result = runner.invoke(args=["sla-sweep"])
    assert result.exit_code == 0, result.output
    assert "2 alerts, 2 notifications" in result.output
    assert told(users.rep) == [("sla_due_soon", f"/complaints/{soon.code}")]
    assert told(users.manager) == [("sla_breached", f"/complaints/{late.code}")]
    assert ComplaintAlert.select().count() == 2
    again = runner.invoke(args=["sla-sweep"])
    assert "0 alerts, 0 notifications" in again.output
    assert Notification.select().count() == 2
    # Two hours on, "soon" has breached its first-response target: that is new.
    assert sweep(now + 2 * H) == (1, 1)
    assert told(users.manager) == sorted([("sla_breached", f"/complaints/{late.code}"),
                                          ("sla_breached", f"/complaints/{soon.code}")])


def test_an_alert_another_sweep_sent_first_is_skipped(users):
    now = utcnow()
    late = make_complaint(users.factory, now - 30 * H, "critical", assignee=users.rep,
                          first_response_at=now - 29 * H)
    with db.atomic():
        ComplaintAlert.create(complaint=late, clock="resolution", stage="breached")
    assert sweep(now) == (0, 0)
    assert Notification.select().count() == 0


def test_a_breach_in_a_region_nobody_manages_goes_to_the_all_region_managers(users):
    everywhere = make_user("manager", username="manager_all")
    now = utcnow()
    late = make_complaint(users.other_factory, now - 30 * H, "critical",
                          assignee=users.other_rep, first_response_at=now - 29 * H)
    assert sweep(now) == (1, 1)
    assert told(everywhere) == [("sla_breached", f"/complaints/{late.code}")]
    assert told(users.manager) == []
