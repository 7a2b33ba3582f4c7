"""One factory's page data: its profile (stage, open term, recent sales) and
its timeline of everything that happened to it, newest first.

Pure functions of (factory, who is asking, today): ``staff`` decides what is
meant for staff only (stage notes, visit notes and check-ins, renewal cases
and decisions), so an owner's page never receives it at all.
"""

import datetime
from dataclasses import dataclass, field

from metrics import sales
from metrics.complaints import resolution_target
from metrics.period import SHANGHAI, Period, shanghai_date
from metrics.scoping import Scope
from metrics.stage_spans import current_stage
from models import Complaint, Membership, RenewalCase, StageEvent, User, Visit, utcnow

TIMELINE_KINDS = ("stage", "visit", "complaint", "term", "decision")
OWNER_KINDS = ("stage", "visit", "complaint", "term")
PER_PAGE = 20
GMV_DAYS = 30


@dataclass
class Entry:
    """One thing on the timeline. ``at`` orders it (naive Shanghai time;
    a date-only event sits at the end of its day unless it knows its time);
    ``day`` and ``moment`` are what the page shows."""

    kind: str
    at: datetime.datetime
    day: datetime.date
    moment: datetime.datetime = None  # naive UTC, when the time is known
    data: dict = field(default_factory=dict)


def _local(utc_naive):
    return utc_naive.replace(tzinfo=datetime.timezone.utc).astimezone(SHANGHAI).replace(
        tzinfo=None)


def _end_of(day):
    return datetime.datetime.combine(day, datetime.time(23, 59, 59))


def profile(factory, user, today):
    """The header: current stage and days in it, the open term (with days
    left and, for staff, its renewal case), and the last 30 days' GMV with
    its change against the 30 days before and the membership ROI."""
    stage = current_stage(factory.id)
    term = (Membership.select().where(Membership.factory == factory.id,
                                      Membership.outcome.is_null())
            .order_by(Membership.end.desc()).first())
    case = None
    if term is not None and user.is_staff:
        case = RenewalCase.get_or_none(RenewalCase.membership == term.id)
    period = Period(today - datetime.timedelta(days=GMV_DAYS - 1), today)
    gmv = sales.compare(Scope(user=user, factory=factory), period)["gmv_cny"]
    return {
        "stage": stage,
        "days_in_stage": (today - stage.entered_on).days if stage else None,
        "term": term,
        "days_left": (term.end - today).days if term else None,
        "renewal_case": case,
        "period": period,
        "gmv_cny": gmv["value"],
        "gmv_change": gmv["vs_previous"],
        "membership_roi": sales.membership_roi(factory.id, period),
    }


def timeline_kinds(staff):
    """The kinds this reader may filter by (and sees)."""
    return TIMELINE_KINDS if staff else OWNER_KINDS


def timeline(factory, staff, kind=None, page=1, per_page=PER_PAGE):
    """``(entries, has_more)``: page ``page`` (1-based) of the factory's
    timeline, newest first, of one ``kind`` or all the reader may see.
    Each kind is read newest first and only as far as the page needs, so a
    factory with years of history costs a few short queries."""
    kinds = [k for k in timeline_kinds(staff) if kind in (None, k)]
    limit = page * per_page + 1
    entries = []
    for name in kinds:
        entries.extend(_READERS[name](factory, staff, limit))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    start = (page - 1) * per_page
    return entries[start:start + per_page], len(entries) > start + per_page


def _names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(User.select(User.id, User.display_name).where(User.id.in_(ids)).tuples())


def _stages(factory, staff, limit):
    rows = list(StageEvent.select().where(StageEvent.factory == factory.id)
                .order_by(StageEvent.entered_on.desc(), StageEvent.id.desc()).limit(limit))
    names = _names(row.moved_by_id for row in rows)
    entries = []
    for row in rows:
        known = row.created_at and shanghai_date(row.created_at) == row.entered_on
        data = {"stage": row.stage, "pipeline": row.pipeline,
                "reopen": row.stage == "lead" and row.pipeline > 1}
        if staff:
            data.update(note=row.note, who=names.get(row.moved_by_id))
        entries.append(Entry("stage", _local(row.created_at) if known else _end_of(row.entered_on),
                             row.entered_on, row.created_at if known else None, data))
    return entries


def _visits(factory, staff, limit):
    rows = list(Visit.select().where(Visit.factory == factory.id)
                .order_by(Visit.visited_at.desc()).limit(limit))
    names = _names(row.rep_id for row in rows)
    entries = []
    for row in rows:
        data = {"purpose": row.purpose, "who": names.get(row.rep_id)}
        if staff:
            data.update(notes=row.notes, next_action_on=row.next_action_on,
                        latitude=row.latitude, longitude=row.longitude,
                        accuracy_m=row.accuracy_m)
        entries.append(Entry("visit", _local(row.visited_at), shanghai_date(row.visited_at),
                             row.visited_at, data))
    return entries


def sla_state(complaint, now):
    """``met``, ``breached`` or ``running``: the complaint against its
    resolution target (SPEC section 4)."""
    due = complaint.created_at + resolution_target(complaint.severity)
    if complaint.resolved_at is not None:
        return "met" if complaint.resolved_at <= due else "breached"
    return "breached" if now > due else "running"


def _complaints(factory, staff, limit):
    now = utcnow()
    rows = (Complaint.select().where(Complaint.factory == factory.id)
            .order_by(Complaint.created_at.desc()).limit(limit))
    return [Entry("complaint", _local(row.created_at), shanghai_date(row.created_at),
                  row.created_at,
                  {"code": row.code, "title": row.title, "status": row.status,
                   "severity": row.severity, "sla": sla_state(row, now)})
            for row in rows]


def _terms(factory, staff, limit):
    rows = (Membership.select().where(Membership.factory == factory.id)
            .order_by(Membership.start.desc()).limit(limit))
    return [Entry("term", datetime.datetime.combine(row.start, datetime.time()), row.start, None,
                  {"id": row.id, "tier": row.tier, "fee_fen": row.fee_fen, "start": row.start,
                   "end": row.end, "outcome": row.outcome})
            for row in rows]


def _decisions(factory, staff, limit):
    if not staff:
        return []
    rows = (RenewalCase.select(RenewalCase, Membership).join(Membership)
            .where(Membership.factory == factory.id, RenewalCase.decided_at.is_null(False))
            .order_by(RenewalCase.decided_at.desc()).limit(limit))
    rows = list(rows)
    names = _names(row.decided_by_id for row in rows)
    return [Entry("decision", _local(row.decided_at), shanghai_date(row.decided_at),
                  row.decided_at,
                  {"term_id": row.membership_id, "decision": row.decision,
                   "note": row.decision_note, "who": names.get(row.decided_by_id)})
            for row in rows]


_READERS = {"stage": _stages, "visit": _visits, "complaint": _complaints, "term": _terms,
            "decision": _decisions}
