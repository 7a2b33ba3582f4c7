"""Which SLA alerts are owed right now, and to whom (read only).

``flask sla-sweep`` asks ``pending_alerts(now)`` and sends each one (see
``actions/sla_sweep.py``); what it sent is recorded as ``ComplaintAlert``
rows, which this module leaves out, so a second sweep owes nothing new.

* ``due_soon`` (a running clock with at most ``metrics.sla.WARNING`` left)
  goes to the complaint's assignee; with none, to the factory's rep; with
  neither, to the region's managers.
* ``breached`` (a running clock past its target) goes to the managers of
  the factory's region; a region nobody manages by name falls to the
  managers who look after every region (those with no regions listed).

Only unresolved complaints have running clocks; a reopened one runs again
from its original ``created_at``, and an alert it already had is not sent
again.
"""

from dataclasses import dataclass

from models import Complaint, ComplaintAlert, Factory, User, UserRegion
from metrics import rawrows, sla


@dataclass(frozen=True)
class Alert:
    """One alert owed: about ``clock`` of complaint ``complaint_id``
    (``code``, ``title``) at ``stage``, to the users ``recipients`` (ids)."""

    complaint_id: int
    code: str
    title: str
    clock: str
    stage: str
    left: object  # timedelta: time left to the target (negative: past it)
    recipients: tuple


def managers_by_region():
    """``({region id: [manager ids]}, [ids of managers of every region])``
    over active managers."""
    by_region = {}
    query = (UserRegion.select(UserRegion.region, UserRegion.user)
             .join(User, on=(UserRegion.user == User.id))
             .where(User.role == "manager", User.is_active == True)  # noqa: E712
             .order_by(UserRegion.user))
    for region_id, user_id in query.tuples():
        by_region.setdefault(region_id, []).append(user_id)
    linked = UserRegion.select(UserRegion.user)
    everywhere = [user_id for (user_id,) in
                  User.select(User.id).where(User.role == "manager",
                                             User.is_active == True,  # noqa: E712
                                             User.id.not_in(linked))
                  .order_by(User.id).tuples()]
    return by_region, everywhere


def pending_alerts(now):
    """Every alert owed at ``now`` (naive UTC) and not yet sent, oldest
    complaint first."""
    query = (Complaint.select(Complaint.id, Complaint.code, Complaint.title, Complaint.severity,
                              Complaint.created_at, Complaint.first_response_at,
                              Complaint.assignee, Factory.region, Factory.rep)
             .join(Factory, on=(Complaint.factory == Factory.id))
             .where(Complaint.resolved_at.is_null(), Complaint.created_at <= now)
             .order_by(Complaint.created_at, Complaint.id))
    owed = []
    for complaint_id, code, title, severity, created, responded, assignee, region, rep \
            in rawrows.rows(query):
        clocks = sla.clocks(severity, rawrows.to_datetime(created),
                            rawrows.to_datetime(responded), None, now)
        for clock_name, stage in sla.alerts_due(clocks):
            left = getattr(clocks, clock_name).left
            owed.append((complaint_id, code, title, clock_name, stage, left, assignee,
                         region, rep))
    if not owed:
        return []
    ids = sorted({row[0] for row in owed})
    sent = set()
    for start in range(0, len(ids), 500):
        sent.update(ComplaintAlert.select(ComplaintAlert.complaint, ComplaintAlert.clock,
                                          ComplaintAlert.stage)
                    .where(ComplaintAlert.complaint.in_(ids[start:start + 500])).tuples())
    active = {user_id for (user_id,) in User.select(User.id).where(
        User.is_active == True).tuples()}  # noqa: E712
    by_region, everywhere = managers_by_region()
    alerts = []
    for complaint_id, code, title, clock_name, stage, left, assignee, region, rep in owed:
        if (complaint_id, clock_name, stage) in sent:
            continue
        managers = tuple(by_region.get(region) or everywhere)
        if stage == "breached":
            recipients = managers
        elif assignee in active:
            recipients = (assignee,)
        elif rep in active:
            recipients = (rep,)
        else:
            recipients = managers
        alerts.append(Alert(complaint_id, code, title, clock_name, stage, left, recipients))
    return alerts
