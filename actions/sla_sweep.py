"""``flask sla-sweep``: send the SLA alerts owed now, each exactly once.

What is owed and to whom is ``metrics.escalation.pending_alerts`` (a
complaint two hours before a target: its assignee; past a target: the
managers of its region). Each alert is one transaction: its
``ComplaintAlert`` marker (unique per complaint, clock and stage) and its
notifications. A marker another sweep wrote first (two servers' timers at
once) makes this one skip the alert, so nothing is ever sent twice; run it
as often as you like (every 5-15 minutes from cron or a systemd timer, see
docs/complaints.md). The pages never wait for it: their clocks are computed
from the timestamps.
"""

import click
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from actions.notifications import notify, register
from metrics.escalation import pending_alerts
from models import ComplaintAlert, User, db, utcnow
from labels import SLA_CLOCK_LABELS

register("sla_due_soon", _l("Complaint %(code)s: %(clock)s due in under 2 hours: %(title)s"),
         clock=SLA_CLOCK_LABELS)
register("sla_breached", _l("Complaint %(code)s breached its %(clock)s target: %(title)s"),
         clock=SLA_CLOCK_LABELS)


def sweep(now=None):
    """Send every alert owed at ``now`` (default: now, naive UTC); returns
    ``(alerts sent, notifications written)``."""
    now = now or utcnow()
    alerts = notes = 0
    for alert in pending_alerts(now):
        recipients = list(User.select().where(User.id.in_(alert.recipients))
                          .order_by(User.id)) if alert.recipients else []
        try:
            with db.atomic():
                ComplaintAlert.create(complaint=alert.complaint_id, clock=alert.clock,
                                      stage=alert.stage, sent_at=now)
                sent = [notify(user, "sla_" + alert.stage, f"/complaints/{alert.code}",
                               code=alert.code, clock=alert.clock, title=alert.title)
                        for user in recipients]
        except IntegrityError:
            continue  # another sweep sent this one first
        alerts += 1
        notes += sum(1 for row in sent if row is not None)
    return alerts, notes


@click.command("sla-sweep")
def sla_sweep_command():
    """Notify assignees of complaints about to breach and managers of breaches
    (idempotent: run it every few minutes)."""
    alerts, notes = sweep()
    click.echo(f"SLA sweep: {alerts} alerts, {notes} notifications.")
