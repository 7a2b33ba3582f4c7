"""The 吐槽板's rows and charts: every complaint of the scope that was open at
some time in the period, with both SLA clocks, most urgent first.

* ``BoardFilters``: the board's own filters beside the common ones
  (status, severity, category, channel, breached only, assigned to me).
* ``read(scope, period)``: one query for everything the page counts and
  lists (a ``PeriodRead``: the KPI facts keyed by region, and the board's
  rows); ``board(scope, period, filters, now)``: the board's rows, most
  urgent first (light: ids, severities, timestamps, urgency);
  ``details(rows)`` adds what a page or an export shows for just those
  rows, one more query; ``changes_at`` is when the clock alone would change
  a board (how long a remembered one stays true), ``at`` reads remembered
  rows at another instant.
* ``open_breaches(scope, now)``: every unresolved complaint past a target,
  whatever its age (the manager's home).
* ``by_category`` and ``by_region``: the chart rows (opened per category
  against the previous period; SLA attainment and breaches per region).

A complaint is "open at some time in the period" when it was created
before the period ended and was not resolved before it started. The clocks
are read at ``now`` (see ``metrics.sla``), not at the period's end: the
board is about what needs doing.
"""

import bisect
import dataclasses
import datetime
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from peewee import JOIN, fn

from models import (CHANNELS, COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, SEVERITIES, Complaint,
                    Factory, Region, User)
from metrics import cache, complaints, grouping, rawrows, sla
from metrics import period as period_module

CHOICES = {"status": COMPLAINT_STATUSES, "severity": SEVERITIES,
           "category": COMPLAINT_CATEGORIES, "channel": CHANNELS}
ZERO = datetime.timedelta(0)


@dataclass(frozen=True)
class BoardFilters:
    """The board's own filters; ``None`` / ``False`` means "any"."""

    status: str | None = None
    severity: str | None = None
    category: str | None = None
    channel: str | None = None
    breached: bool = False
    mine: bool = False


@cache.register
@dataclass
class BoardRow:
    """One complaint on the board, its clocks read at ``now``. ``urgency``
    (the least time left on a running clock, negative when past its target;
    ``None`` when both stopped) is computed for every row; ``clocks`` only
    for the rows shown. ``details`` fills ``code`` .. ``assignee``."""

    id: int
    severity: str
    status: str
    created_at: object
    first_response_at: object
    resolved_at: object
    now: object
    urgency: object
    code: str = ""
    title: str = ""
    category: str = ""
    channel: str = ""
    factory_code: str = ""
    factory_name: str = ""
    assignee: str | None = None

    @cached_property
    def clocks(self):
        return sla.clocks(self.severity, self.created_at, self.first_response_at,
                          self.resolved_at, self.now)

    @property
    def breached(self):
        return self.urgency is not None and self.urgency < ZERO

    @property
    def age(self):
        """How long since it was filed (until it was resolved, once it was)."""
        return (self.resolved_at or self.now) - self.created_at


@dataclass(frozen=True)
class PeriodRead:
    """One read of the complaints a period touches in a scope (the rows of
    ``metrics.complaints.facts``, with what the board needs): ``rows`` of
    (id, region id, severity, status, category, channel, assignee id,
    created_at, first_response_at, resolved_at, satisfaction)."""

    period: object
    rows: list

    def facts(self):
        """``metrics.complaints.facts``-shaped, keyed by region: for the KPI
        tiles (``complaints.compute``), the series and ``by_region``."""
        return {"complaints": [(row[1], row[2], row[7], row[8], row[9], row[10])
                               for row in self.rows]}


def read(scope, period):
    """The ``PeriodRead`` of ``scope`` and ``period``: one query."""
    query = (Complaint.select(Complaint.id, Factory.region, Complaint.severity,
                              Complaint.status, Complaint.category, Complaint.channel,
                              Complaint.assignee, Complaint.created_at,
                              Complaint.first_response_at, Complaint.resolved_at,
                              Complaint.satisfaction)
             .join(Factory, on=(Complaint.factory == Factory.id))
             .where(complaints.touching(scope.factory_ids(period.end), period)))
    to_datetime = rawrows.to_datetime
    rows = [row[:7] + (to_datetime(row[7]), to_datetime(row[8]), to_datetime(row[9]), row[10])
            for row in rawrows.rows(query)]
    return PeriodRead(period, rows)


def _sort(rows):
    """Most urgent first: breached (the longest past first), then the least
    time left, then the complaints with no running clock, newest first."""
    running = sorted((row for row in rows if row.urgency is not None),
                     key=lambda row: (row.urgency, row.id))
    stopped = sorted((row for row in rows if row.urgency is None),
                     key=lambda row: (row.created_at, -row.id), reverse=True)
    return running + stopped


def _candidates(read_, filters, user_id):
    """The rows of ``read_`` open at some time in its period that pass
    ``filters`` except "breached only" (the one filter the clock moves):
    (id, severity, status, created, responded, resolved)."""
    first, after = read_.period.utc_bounds()
    wanted = {name: getattr(filters, name) for name in CHOICES}
    for complaint_id, _region, severity, status, category, channel, assignee, created, \
            responded, resolved, _rating in read_.rows:
        if created >= after or (resolved is not None and resolved < first):
            continue  # touched the period (a late first response) but never open in it
        if (wanted["status"] and status != wanted["status"]) \
                or (wanted["severity"] and severity != wanted["severity"]) \
                or (wanted["category"] and category != wanted["category"]) \
                or (wanted["channel"] and channel != wanted["channel"]) \
                or (user_id is not None and assignee != user_id):
            continue
        yield complaint_id, severity, status, created, responded, resolved


def board(scope, period, filters, now, read_=None):
    """Every complaint of ``scope`` open at some time in ``period`` that
    passes ``filters``, as ``BoardRow`` objects, most urgent first (see
    ``_sort``). ``now``: naive UTC. ``read_``: the ``PeriodRead`` of the
    same scope and period, if already read (the page's tiles share it)."""
    read_ = read(scope, period) if read_ is None else read_
    user_id = scope.user.id if filters.mine else None
    rows = []
    for complaint_id, severity, status, created, responded, resolved in \
            _candidates(read_, filters, user_id):
        row = BoardRow(complaint_id, severity, status, created, responded, resolved, now,
                       sla.least_time_left(severity, created, responded, resolved, now))
        if filters.breached and not row.breached:
            continue
        rows.append(row)
    return _sort(rows)


def changes_at(scope, read_, filters, now, by_age=False):
    """The first moment at or after ``now`` when ``board(scope, read_.period,
    filters, ...)`` could list other rows or order them otherwise by the
    clock alone, or ``None`` if only a write changes it; a board read at
    ``now`` is still true at any instant before it.

    The order by urgency is the order of the due times (every running clock
    loses time at the same rate), so only "breached only" moves with the
    clock: a row joins when its earliest running target passes. Sorted by
    age (``by_age``), an open complaint's age grows past a resolved one's."""
    if not filters.breached and not by_age:
        return None
    user_id = scope.user.id if filters.mine else None
    moments, open_created, resolved_ages = [], [], set()
    for _id, severity, _status, created, responded, resolved in \
            _candidates(read_, filters, user_id):
        if resolved is not None:
            resolved_ages.add(resolved - created)
            continue
        open_created.append(created)
        if filters.breached:
            due = now + sla.least_time_left(severity, created, responded, None, now)
            if due >= now:
                moments.append(due)
    if by_age and resolved_ages:
        ages = sorted(resolved_ages)
        for created in open_created:
            index = bisect.bisect_left(ages, now - created)
            if index < len(ages):
                moments.append(created + ages[index])
    return min(moments, default=None)


def at(rows, now):
    """``rows`` (``BoardRow`` objects, perhaps read earlier) read at ``now``."""
    return [dataclasses.replace(row, now=now, urgency=sla.least_time_left(
        row.severity, row.created_at, row.first_response_at, row.resolved_at, now))
        for row in rows]


def open_breaches(scope, now):
    """The unresolved complaints of ``scope`` with a clock past its target
    at ``now``, however old, most overdue first (the manager's home)."""
    query = (Complaint.select(Complaint.id, Complaint.severity, Complaint.status,
                              Complaint.created_at, Complaint.first_response_at)
             .where(Complaint.factory.in_(scope.factory_ids(period_module.shanghai_date(now))),
                    Complaint.resolved_at.is_null(), Complaint.created_at <= now))
    to_datetime = rawrows.to_datetime
    rows = []
    for complaint_id, severity, status, created, responded in rawrows.rows(query):
        created, responded = to_datetime(created), to_datetime(responded)
        row = BoardRow(complaint_id, severity, status, created, responded, None, now,
                       sla.least_time_left(severity, created, responded, None, now))
        if row.breached:
            rows.append(row)
    return _sort(rows)


def details(rows):
    """Fill the display fields of ``rows`` (a page of the board, or all of it
    for an export) in one query per 500 rows; returns ``rows``."""
    by_id = {row.id: row for row in rows}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        query = (Complaint.select(Complaint.id, Complaint.code, Complaint.title,
                                  Complaint.category, Complaint.channel, Factory.code,
                                  Factory.name, User.display_name)
                 .join(Factory, on=(Complaint.factory == Factory.id))
                 .join(User, on=(Complaint.assignee == User.id), join_type=JOIN.LEFT_OUTER)
                 .where(Complaint.id.in_(chunk)))
        for complaint_id, code, title, category, channel, factory_code, factory_name, \
                assignee in query.tuples():
            row = by_id[complaint_id]
            row.code, row.title, row.category, row.channel = code, title, category, channel
            row.factory_code, row.factory_name, row.assignee = factory_code, factory_name, \
                assignee
    return rows


def by_category(scope, period, read_=None):
    """Complaints opened per category in the period and in the previous one
    (of the same length), every category listed::

        [{"category": "traffic", "opened": int, "previous": int}, ...]

    in ``COMPLAINT_CATEGORIES`` order. ``read_``: the period's
    ``PeriodRead``, if already read (then only the previous period is
    queried)."""
    def opened(span):
        first, after = span.utc_bounds()
        query = (Complaint.select(Complaint.category, fn.COUNT(Complaint.id))
                 .where(Complaint.factory.in_(scope.factory_ids(span.end)),
                        Complaint.created_at >= first, Complaint.created_at < after)
                 .group_by(Complaint.category))
        return dict(query.tuples())

    if read_ is None:
        now = opened(period)
    else:
        first, after = period.utc_bounds()
        now = Counter(row[4] for row in read_.rows if first <= row[7] < after)
    before = opened(period.previous())
    return [{"category": category, "opened": now.get(category, 0),
             "previous": before.get(category, 0)} for category in COMPLAINT_CATEGORIES]


def by_region(scope, period, facts=None):
    """Per region of the scope's factories (every one, with complaints or
    not): ``{"code", "name", "name_en", "resolved", "sla_attainment",
    "breached_open"}``, most breached first, then by code. ``facts``: the
    ``PeriodRead.facts()`` of the same scope and period, if already read."""
    facts = read(scope, period).facts() if facts is None else facts
    groups = grouping.split(facts, lambda row: row[0])
    region_ids = Factory.select(Factory.region).where(
        Factory.id.in_(scope.factory_ids(period.end))).distinct()
    result = []
    for region in Region.select().where(Region.id.in_(region_ids)):
        kpis = complaints.compute(groups.get(region.id, {}), period)
        result.append({"code": region.code, "name": region.name_zh, "name_en": region.name_en,
                       "resolved": kpis["resolved"], "sla_attainment": kpis["sla_attainment"],
                       "breached_open": kpis["breached_open"]})
    result.sort(key=lambda row: (-row["breached_open"], row["code"]))
    return result
