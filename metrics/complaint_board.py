"""The 吐槽板's rows and charts: every complaint of the scope that was open at
some time in the period, with both SLA clocks, most urgent first.

* ``BoardFilters`` / ``board_filters_from_args``: the board's own filters
  beside the common ones (status, severity, category, channel, breached
  only, assigned to me), parsed from the request like ``metrics.scoping``.
* ``board(scope, period, filters, now)``: the sorted rows (light: ids,
  severities, timestamps and clocks), one query; ``details(rows)`` adds
  what a page or an export shows for just those rows, one more query.
* ``open_breaches(scope, now)``: every unresolved complaint past a target,
  whatever its age (the manager's home).
* ``by_category`` and ``by_region``: the chart rows (opened per category
  against the previous period; SLA attainment and breaches per region).

A complaint is "open at some time in the period" when it was created
before the period ended and was not resolved before it started. The clocks
are read at ``now`` (see ``metrics.sla``), not at the period's end: the
board is about what needs doing.
"""

from dataclasses import asdict, dataclass

from peewee import JOIN, fn

from models import CHANNELS, COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, SEVERITIES, Complaint, \
    Factory, Region, User
from metrics import complaints, grouping, rawrows, sla
from metrics import period as period_module
from metrics.errors import ParameterError, _

CHOICES = {"status": COMPLAINT_STATUSES, "severity": SEVERITIES,
           "category": COMPLAINT_CATEGORIES, "channel": CHANNELS}
FLAGS = ("breached", "mine")
BOARD_PARAMS = tuple(CHOICES) + FLAGS


@dataclass(frozen=True)
class BoardFilters:
    """The board's own filters; ``None`` / ``False`` means "any"."""

    status: str | None = None
    severity: str | None = None
    category: str | None = None
    channel: str | None = None
    breached: bool = False
    mine: bool = False

    def as_args(self):
        """The filters as URL parameters (only those set), for links that
        keep them: pager, export, sorting."""
        args = {}
        for name, value in asdict(self).items():
            if value is True:
                args[name] = "1"
            elif value:
                args[name] = value
        return args


def board_filters_from_args(args):
    """``BoardFilters`` from request parameters; ``ParameterError`` (400)
    naming a parameter whose value is not one of its choices. The flags
    take ``1`` (on) or nothing."""
    values = {}
    for name, choices in CHOICES.items():
        value = (args.get(name) or "").strip() or None
        if value is not None and value not in choices:
            raise ParameterError(name, _("%(name)s must be one of %(choices)s, not %(value)s.",
                                         name=name, choices=", ".join(choices), value=value))
        values[name] = value
    for name in FLAGS:
        value = (args.get(name) or "").strip()
        if value not in ("", "0", "1"):
            raise ParameterError(name, _("%(name)s must be 1 or left out, not %(value)s.",
                                         name=name, value=value))
        values[name] = value == "1"
    return BoardFilters(**values)


@dataclass
class BoardRow:
    """One complaint on the board. ``details`` fills ``code`` .. ``assignee``."""

    id: int
    severity: str
    status: str
    created_at: object
    clocks: sla.Clocks
    code: str = ""
    title: str = ""
    category: str = ""
    channel: str = ""
    factory_code: str = ""
    factory_name: str = ""
    assignee: str | None = None

    @property
    def age(self):
        """How long since it was filed (until it was resolved, once it was)."""
        end = self.clocks.resolution.stopped_at or self.clocks.resolution.now
        return end - self.created_at


def board(scope, period, filters, now):
    """Every complaint of ``scope`` open at some time in ``period`` that
    passes ``filters``, as ``BoardRow`` objects sorted by ``sla.urgency_key``
    (breached first, then least time left; resolved ones last, newest
    first). ``now``: naive UTC."""
    first, after = period.utc_bounds()
    query = (Complaint.select(Complaint.id, Complaint.severity, Complaint.status,
                              Complaint.created_at, Complaint.first_response_at,
                              Complaint.resolved_at)
             .where(Complaint.factory.in_(scope.factory_ids(period.end)),
                    Complaint.created_at < after,
                    Complaint.resolved_at.is_null() | (Complaint.resolved_at >= first)))
    for name in CHOICES:
        value = getattr(filters, name)
        if value is not None:
            query = query.where(getattr(Complaint, name) == value)
    if filters.mine:
        query = query.where(Complaint.assignee == scope.user.id)
    return _sorted_rows(query, now, filters.breached)


def open_breaches(scope, now):
    """The unresolved complaints of ``scope`` with a clock past its target
    at ``now``, however old, most overdue first (the manager's home)."""
    query = (Complaint.select(Complaint.id, Complaint.severity, Complaint.status,
                              Complaint.created_at, Complaint.first_response_at,
                              Complaint.resolved_at)
             .where(Complaint.factory.in_(scope.factory_ids(scope_day(now))),
                    Complaint.resolved_at.is_null(), Complaint.created_at <= now))
    return _sorted_rows(query, now, breached_only=True)


def scope_day(now):
    """The Shanghai date of ``now``: the day whose active terms a tier
    filter reads."""
    return period_module.shanghai_date(now)


def _sorted_rows(query, now, breached_only):
    """``BoardRow`` objects of ``query`` (id, severity, status and the three
    timestamps), their clocks read at ``now``, most urgent first."""
    to_datetime = rawrows.to_datetime
    rows = []
    for complaint_id, severity, status, created, responded, resolved in rawrows.rows(query):
        created = to_datetime(created)
        clocks = sla.clocks(severity, created, to_datetime(responded), to_datetime(resolved),
                            now)
        if breached_only and not clocks.breached:
            continue
        rows.append(BoardRow(complaint_id, severity, status, created, clocks))
    rows.sort(key=lambda row: (sla.urgency_key(row.clocks, row.created_at), row.id))
    return rows


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


def counts(rows):
    """How many rows are breached, due soon, and unresolved (the board's
    summary line)."""
    result = {"breached": 0, "due_soon": 0, "unresolved": 0}
    for row in rows:
        if row.clocks.resolution.running:
            result["unresolved"] += 1
        states = {clock.state for clock in row.clocks}
        if "breached" in states:
            result["breached"] += 1
        elif "due_soon" in states:
            result["due_soon"] += 1
    return result


def by_category(scope, period):
    """Complaints opened per category in the period and in the previous one
    (of the same length), every category listed::

        [{"category": "traffic", "opened": int, "previous": int}, ...]

    in ``COMPLAINT_CATEGORIES`` order."""
    def opened(span):
        first, after = span.utc_bounds()
        query = (Complaint.select(Complaint.category, fn.COUNT(Complaint.id))
                 .where(Complaint.factory.in_(scope.factory_ids(span.end)),
                        Complaint.created_at >= first, Complaint.created_at < after)
                 .group_by(Complaint.category))
        return dict(query.tuples())

    now, before = opened(period), opened(period.previous())
    return [{"category": category, "opened": now.get(category, 0),
             "previous": before.get(category, 0)} for category in COMPLAINT_CATEGORIES]


def region_facts(scope, period):
    """``metrics.complaints.facts`` of the scope with the region id as each
    row's key: one read serves the KPI tiles (``complaints.compute``), the
    weekly series (``complaints.series_from_facts``) and ``by_region``."""
    return complaints.facts(scope.factory_ids(period.end), period, key=Factory.region)


def by_region(scope, period, facts=None):
    """Per region of the scope's factories (every one, with complaints or
    not): ``{"code", "name", "name_en", "resolved", "sla_attainment",
    "breached_open"}``, most breached first, then by code. ``facts``: the
    ``region_facts`` of the same scope and period, if already read."""
    facts = region_facts(scope, period) if facts is None else facts
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
