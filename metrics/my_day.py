"""My day (SPEC section 3): everything in a rep's book that needs them today,
as one list, most urgent first, with a count per kind on top. Pure data:
``Item`` rows of plain values; the words and links are the view's.

Five kinds of item (a factory may bring several):

* ``complaint``: an unresolved complaint with a running SLA clock past its
  target or running out within ``COMPLAINT_HORIZON`` (24 hours): the
  clock with the least time left (``metrics.sla``);
* ``renewal``: an open term ending within ``RENEWAL_DAYS`` (30) days, or
  already ended with no outcome yet, unless its proposal is waiting for the
  manager's decision (then the move is theirs); with its fee and health
  (``metrics.health_data``);
* ``next_action``: the next action the factory's latest visit set, due
  today or overdue;
* ``stalled``: onboarding stalled by ``metrics.onboarding``'s one rule (a
  stage other than live or lost, entered more than 14 days ago);
* ``not_visited``: no visit for ``NOT_VISITED_DAYS`` (30) days, or never,
  unless the factory has a ``next_action`` item (that one already says
  "go and see them").

A lost factory brings only its complaints. The order is ``priority``'s.
"""

import datetime
from dataclasses import dataclass

from peewee import JOIN

from models import LOST_STAGE, Complaint, Factory, Membership, RenewalCase, StageSpan
from metrics import rawrows, sla
from metrics.health_data import health_of_terms
from metrics.numbers import fen_to_yuan
from metrics.onboarding import stalled_spans
from metrics.period import Period, shanghai_date
from metrics.stage_spans import factories_in_stage
from metrics.visits import last_visits
from scope import visible_factories, visible_factory_ids

KINDS = ("complaint", "renewal", "next_action", "stalled", "not_visited")
COMPLAINT_HORIZON = datetime.timedelta(hours=24)
RENEWAL_DAYS = 30
NOT_VISITED_DAYS = 30
THIS_WEEK_DAYS = 7
# The order's bands (see ``priority``).
NOW, THIS_WEEK, THIS_MONTH, FOLLOW_UP = range(4)
NEVER = 10 ** 6  # "never visited" waits longer than any number of days


@dataclass(frozen=True)
class Item:
    """One thing to do. ``kind`` is one of ``KINDS``; the factory's code and
    name always; the rest only for the kinds that have them:

    * complaint: ``complaint_code``, ``title``, ``severity``, ``clock``
      (``first_response`` / ``resolution``) and ``left`` (a timedelta,
      negative when past the target);
    * renewal: ``term_id``, ``end``, ``days_left`` (negative: ended),
      ``tier``, ``fee_cny``, ``health`` (``metrics.health.Health`` or
      None), ``case_status`` (``open``, ``rejected``, ``approved``);
    * next_action: ``next_action_on``, ``days_overdue`` (0: due today),
      ``last_visit`` (naive UTC);
    * stalled: ``stage``, ``entered_on``, ``days_in_stage``;
    * not_visited: ``days_since_visit`` (None: never), ``last_visit``.
    """

    kind: str
    factory_code: str
    factory_name: str
    complaint_code: str = ""
    title: str = ""
    severity: str = ""
    clock: str = ""
    left: datetime.timedelta = None
    term_id: int = None
    end: datetime.date = None
    days_left: int = None
    tier: str = ""
    fee_cny: object = None
    health: object = None
    case_status: str = ""
    next_action_on: datetime.date = None
    days_overdue: int = None
    last_visit: datetime.datetime = None
    stage: str = ""
    entered_on: datetime.date = None
    days_in_stage: int = None
    days_since_visit: int = None

    @property
    def key(self):
        """A stable id for the page (``complaint-C000123``, ``renewal-42``,
        ``stalled-F00017``...)."""
        if self.kind == "complaint":
            return f"complaint-{self.complaint_code}"
        if self.kind == "renewal":
            return f"renewal-{self.term_id}"
        return f"{self.kind}-{self.factory_code}"

    @property
    def band(self):
        """Which of ``priority``'s bands the item is in (``NOW``..``FOLLOW_UP``)."""
        return priority(self)[0]


def priority(item):
    """The sort key of ``item`` (smaller first): four bands, then an order
    within each band.

    1. **Now**: complaints past their SLA target or due within 24 hours,
       the least time left first (the longest past its target on top).
    2. **This week**: renewals ending within 7 days (or ended with no
       outcome), soonest first; next actions due today or at most 7 days
       overdue, counted as due today. On the same day a renewal goes
       before a next action, then the weakest health / the longest overdue.
    3. **This month**: renewals ending in 8-30 days, weakest health first
       (unknown health counts as the weakest), then the soonest.
    4. **Follow up**: stalled onboarding, then next actions more than 7 days
       overdue (stale), then factories not visited for 30+ days; each the
       longest waiting first (never visited: longest of all).

    So a breach outranks a renewal a month away, and a next action months
    overdue never outranks a renewal ending in six days. Ties: factory code,
    then the item's key.
    """
    if item.kind == "complaint":
        key = (NOW, item.left.total_seconds(), 0, 0)
    elif item.kind == "renewal":
        weakest = item.health.score if item.health is not None else -1
        if item.days_left <= THIS_WEEK_DAYS:
            key = (THIS_WEEK, max(item.days_left, 0), 0, weakest)
        else:
            key = (THIS_MONTH, weakest, item.days_left, 0)
    elif item.kind == "next_action" and item.days_overdue <= THIS_WEEK_DAYS:
        key = (THIS_WEEK, 0, 1, -item.days_overdue)
    elif item.kind == "stalled":
        key = (FOLLOW_UP, 0, -item.days_in_stage, 0)
    elif item.kind == "next_action":
        key = (FOLLOW_UP, 1, -item.days_overdue, 0)
    elif item.kind == "not_visited":
        waited = NEVER if item.days_since_visit is None else item.days_since_visit
        key = (FOLLOW_UP, 2, -waited, 0)
    else:
        raise ValueError(f"unknown kind {item.kind!r}")
    return key + (item.factory_code, item.key)


def ordered(items):
    """``items`` in My day's order (``priority``)."""
    return sorted(items, key=priority)


def counts(items):
    """``{"all": n, kind: n for each of KINDS}``: the filters on top."""
    result = dict.fromkeys(KINDS, 0)
    for item in items:
        result[item.kind] += 1
    result["all"] = len(items)
    return result


# --- reading the book ------------------------------------------------------------

def _complaints(ids, names, now):
    """Complaint items: running clocks past target or within the horizon."""
    C = Complaint
    query = (C.select(C.code, C.title, C.severity, C.factory, C.created_at,
                      C.first_response_at)
             .where(C.factory.in_(ids) & C.resolved_at.is_null() & (C.created_at <= now)))
    items = []
    for code, title, severity, factory, created, responded in rawrows.rows(query):
        clocks = sla.clocks(severity, rawrows.to_datetime(created),
                            rawrows.to_datetime(responded), None, now)
        clock = min((c for c in clocks if c.running), key=lambda c: c.left)
        if clock.left <= COMPLAINT_HORIZON:
            items.append(Item("complaint", *names[factory], complaint_code=code, title=title,
                              severity=severity, clock=clock.name, left=clock.left))
    return items


def _renewals(ids, names, lost, today):
    """Renewal items: open terms ending within the window, not waiting for
    a decision, with their health as of ``today``."""
    M, R = Membership, RenewalCase
    query = (M.select(M.id, M.factory, M.tier, M.fee_fen, M.end, R.status)
             .join(R, JOIN.LEFT_OUTER)
             .where(M.factory.in_(ids) & M.outcome.is_null()
                    & (M.end <= today + datetime.timedelta(days=RENEWAL_DAYS))))
    rows = [row for row in rawrows.rows(query)
            if row[5] != "proposed" and row[1] not in lost]
    health = health_of_terms([row[0] for row in rows], today) if rows else {}
    items = []
    for term, factory, tier, fee, end, status in rows:
        end = rawrows.to_date(end)
        items.append(Item("renewal", *names[factory], term_id=term, end=end,
                          days_left=(end - today).days, tier=tier, fee_cny=fen_to_yuan(fee),
                          health=health.get(term), case_status=status or "open"))
    return items


def _visits(ids, names, lost, today):
    """Next-action and not-visited items from each factory's latest visit."""
    visits = last_visits(ids)
    items = []
    for factory, name in names.items():
        if factory in lost:
            continue
        last_visit, next_on = visits.get(factory, (None, None))
        if next_on is not None and next_on <= today:
            items.append(Item("next_action", *name, next_action_on=next_on,
                              days_overdue=(today - next_on).days, last_visit=last_visit))
            continue
        days = None if last_visit is None else (today - shanghai_date(last_visit)).days
        if days is None or days >= NOT_VISITED_DAYS:
            items.append(Item("not_visited", *name, days_since_visit=days,
                              last_visit=last_visit))
    return items


def _stalled(ids, names, today):
    """Stalled items: ``metrics.onboarding``'s rule as of the end of today."""
    S = StageSpan
    query = stalled_spans(ids, Period(today, today), (S.factory, S.stage, S.entered_on))
    items = []
    for factory, stage, entered_on in rawrows.rows(query):
        entered_on = rawrows.to_date(entered_on)
        items.append(Item("stalled", *names[factory], stage=stage, entered_on=entered_on,
                          days_in_stage=(today - entered_on).days))
    return items


def collect(user, today, now):
    """Every item of ``user``'s book (unordered): ``today`` is the
    Asia/Shanghai date, ``now`` naive UTC. A fixed handful of queries,
    however large the book (no query per factory)."""
    ids = visible_factory_ids(user)
    names = {factory: (code, name) for factory, code, name in rawrows.rows(
        visible_factories(user, Factory.select(Factory.id, Factory.code, Factory.name)))}
    if not names:
        return []
    lost = {factory for factory, in rawrows.rows(Factory.select(Factory.id).where(
        Factory.id.in_(ids) & Factory.id.in_(factories_in_stage(LOST_STAGE))))}
    return (_complaints(ids, names, now) + _renewals(ids, names, lost, today)
            + _visits(ids, names, lost, today) + _stalled(ids, names, today))


def rep_day(user, today, now):
    """``(items in priority order, counts)`` of ``user``'s day."""
    items = ordered(collect(user, today, now))
    return items, counts(items)
