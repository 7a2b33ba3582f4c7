"""The two SLA clocks of a complaint (SPEC section 4) and what is urgent.

Pure functions of a complaint's timestamps and "now", so every page shows
the right clock whether or not ``flask sla-sweep`` ran:

* the **first-response** clock runs from ``created_at`` for 4 h (critical,
  high) or 24 h; it stops at ``first_response_at`` (or, with no response, at
  ``resolved_at``);
* the **resolution** clock runs from ``created_at`` for 24/72/168/336 h by
  severity; it stops at ``resolved_at``.

A running clock is ``running``, ``due_soon`` (at most ``WARNING`` left:
the sweep warns the assignee) or ``breached`` (past its target: the sweep
tells the region's managers). A stopped one is ``met`` or ``missed``.
Exactly at the target counts as within it, as in the KPIs.
"""

import datetime
from dataclasses import dataclass

from models import FIRST_RESPONSE_TARGET_HOURS, RESOLUTION_TARGET_HOURS

WARNING = datetime.timedelta(hours=2)
RESOLUTION = {severity: datetime.timedelta(hours=hours)
              for severity, hours in RESOLUTION_TARGET_HOURS.items()}
FIRST_RESPONSE = {severity: datetime.timedelta(hours=hours)
                  for severity, hours in FIRST_RESPONSE_TARGET_HOURS.items()}
CLOCK_STATES = ("breached", "due_soon", "running", "missed", "met")


@dataclass(frozen=True)
class Clock:
    """One SLA clock: ``name`` (``first_response`` or ``resolution``),
    when it is due, when it stopped (``None`` while running) and the
    instant it is read at."""

    name: str
    due_at: datetime.datetime
    stopped_at: datetime.datetime | None
    now: datetime.datetime

    @property
    def running(self):
        return self.stopped_at is None

    @property
    def left(self):
        """Time left to the target (negative: how long past it), up to now
        for a running clock, up to when it stopped for a stopped one."""
        return self.due_at - (self.now if self.running else self.stopped_at)

    @property
    def state(self):
        """One of ``CLOCK_STATES``."""
        if not self.running:
            return "met" if self.left >= datetime.timedelta(0) else "missed"
        if self.left < datetime.timedelta(0):
            return "breached"
        return "due_soon" if self.left <= WARNING else "running"


@dataclass(frozen=True)
class Clocks:
    """Both clocks of one complaint."""

    first_response: Clock
    resolution: Clock

    def __iter__(self):
        return iter((self.first_response, self.resolution))


def clocks(severity, created_at, first_response_at, resolved_at, now):
    """Both ``Clock`` objects of a complaint, read at ``now`` (all naive UTC)."""
    return Clocks(
        first_response=Clock("first_response", created_at + FIRST_RESPONSE[severity],
                             first_response_at or resolved_at, now),
        resolution=Clock("resolution", created_at + RESOLUTION[severity], resolved_at, now),
    )


def least_time_left(severity, created_at, first_response_at, resolved_at, now):
    """The least time left on a running clock at ``now`` (negative: how long
    past its target), or ``None`` when both clocks have stopped: the board's
    urgency, the same as ``min(clock.left for running clocks)`` without
    building the clocks (the board computes it for thousands of rows)."""
    if resolved_at is not None:
        return None
    left = created_at + RESOLUTION[severity] - now
    if first_response_at is None:
        left = min(left, created_at + FIRST_RESPONSE[severity] - now)
    return left


def alerts_due(clocks_):
    """The (clock name, stage) alerts a sweep reading these clocks owes:
    ``due_soon`` for a running clock with at most ``WARNING`` left,
    ``breached`` for one past its target. A clock first seen already past
    its target gets only its breach alert (a warning would come too late)."""
    due = []
    for clock in clocks_:
        if clock.state in ("due_soon", "breached"):
            due.append((clock.name, clock.state))
    return due


def split_duration(delta):
    """``(days, hours, minutes)`` of the absolute length of ``delta``, for
    the clock's words ("2 天 3 小时", "45 分钟")."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return days, hours, minutes
