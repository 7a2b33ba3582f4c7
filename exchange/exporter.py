"""The rows of a kind, in the import's columns, narrowed to what a user may
see (scope.py), so that an export re-imports unchanged.

Rows stream in batches by id (keyset pagination): a million sales rows never
sit in memory at once, on SQLite or PostgreSQL. Values keep their types
(dates, integers, ``Decimal`` yuan) so an XLSX gets real numbers and dates;
``table_download`` turns them into text for CSV, typed by ``column_kinds``.

An owner's export holds no staff-only text: visit notes are left empty, and
of the users they may see (themselves and their factory's rep, scope.py) only
the work contact: the rep's regions are left empty too.
"""

from peewee import JOIN

import scope
from exchange import values
from exchange.kinds import KINDS
from exchange.table_download import COUNT, DATE, MONEY, TEXT
from exchange.values import format_timestamp
from models import (Complaint, Factory, Membership, Region, SalesDaily, StageEvent, User,
                    UserRegion, Visit, fen_to_cny)

BATCH = 5_000
Rep = User.alias("rep")


def _batches(query, id_field):
    """Every row of ``query`` (tuples), fetched ``BATCH`` at a time by id."""
    last = 0
    while True:
        rows = list(query.where(id_field > last).order_by(id_field).limit(BATCH).tuples())
        if not rows:
            return
        for row in rows:
            yield row[1:]
        last = rows[-1][0]


def _factories_in_scope(query, user):
    """``query`` narrowed to the factories ``user`` may see (None: all)."""
    if user is None:
        return query
    return query.where(Factory.id.in_(scope.visible_factory_ids(user)))


def _staff_text(user):
    """True when ``user`` may read staff-only text (the CLI, ``None``, may)."""
    return user is None or user.is_staff


def _yes_no(flag):
    return "yes" if flag else "no"


def _regions(user):
    query = Region.select(Region.id, Region.code, Region.name_zh, Region.name_en,
                          Region.province, Region.city, Region.industry_zh, Region.industry_en)
    if user is not None:
        query = query.where(Region.id.in_(scope.visible_regions(user, Region.select(Region.id))))
    yield from _batches(query, Region.id)


def _users(user):
    regions = {}
    for user_id, code in (UserRegion.select(UserRegion.user, Region.code).join(Region)
                          .order_by(Region.code).tuples()):
        regions.setdefault(user_id, []).append(code)
    query = (User.select(User.id, User.username, User.display_name, User.role, Factory.code,
                         User.email, User.phone)
             .join(Factory, JOIN.LEFT_OUTER, on=(User.factory == Factory.id)))
    if user is not None:
        query = query.where(User.id.in_(scope.visible_users(user)))
    last = 0
    while True:
        rows = list(query.where(User.id > last).order_by(User.id).limit(BATCH).tuples())
        if not rows:
            return
        for user_id, username, name, role, factory_code, email, phone in rows:
            yield (username, name, role,
                   ";".join(regions.get(user_id, [])) if _staff_text(user) else "",
                   factory_code or "", email, phone)
        last = rows[-1][0]


def _factories(user):
    query = (Factory.select(Factory.id, Factory.code, Factory.name, Region.code, Factory.kind,
                            Rep.username, Factory.specialized, Factory.little_giant,
                            Factory.phone, Factory.address)
             .join(Region, on=(Factory.region == Region.id))
             .join(Rep, JOIN.LEFT_OUTER, on=(Factory.rep == Rep.id), src=Factory))
    for row in _batches(_factories_in_scope(query, user), Factory.id):
        code, name, region, kind, rep, specialized, little_giant, phone, address = row
        yield (code, name, region, kind, rep or "", _yes_no(specialized),
               _yes_no(little_giant), phone, address)


def _stages(user):
    query = (StageEvent.select(StageEvent.id, Factory.code, StageEvent.stage,
                               StageEvent.entered_on, StageEvent.pipeline).join(Factory))
    yield from _batches(_factories_in_scope(query, user), StageEvent.id)


def _memberships(user):
    query = (Membership.select(Membership.id, Factory.code, Membership.start, Membership.end,
                               Membership.tier, Membership.fee_fen, Membership.outcome)
             .join(Factory))
    for code, start, end, tier, fee_fen, outcome in _batches(
            _factories_in_scope(query, user), Membership.id):
        yield code, start, end, tier, fen_to_cny(fee_fen), outcome or ""


def _sales(user):
    query = (SalesDaily.select(SalesDaily.id, Factory.code, SalesDaily.date, SalesDaily.gmv_fen,
                               SalesDaily.orders, SalesDaily.new_buyers,
                               SalesDaily.repeat_orders, SalesDaily.dropship_orders,
                               SalesDaily.shipments, SalesDaily.shipments_picked_48h)
             .join(Factory))
    for row in _batches(_factories_in_scope(query, user), SalesDaily.id):
        yield (row[0], row[1], fen_to_cny(row[2])) + tuple(row[3:])


def _complaints(user):
    query = (Complaint.select(Complaint.id, Complaint.code, Factory.code, Complaint.category,
                              Complaint.severity, Complaint.channel, Complaint.title,
                              Complaint.body, Complaint.created_at,
                              Complaint.first_response_at, Complaint.resolved_at,
                              Complaint.satisfaction).join(Factory))
    for row in _batches(_factories_in_scope(query, user), Complaint.id):
        (code, factory, category, severity, channel, title, body, created, responded,
         resolved, satisfaction) = row
        yield (code, factory, category, severity, channel, title, body,
               format_timestamp(created), format_timestamp(responded),
               format_timestamp(resolved), "" if satisfaction is None else satisfaction)


def _visits(user):
    query = (Visit.select(Visit.id, Factory.code, Rep.username, Visit.visited_at, Visit.purpose,
                          Visit.notes, Visit.next_action_on, Visit.latitude, Visit.longitude,
                          Visit.accuracy_m)
             .join(Factory, on=(Visit.factory == Factory.id))
             .join(Rep, on=(Visit.rep == Rep.id), src=Visit))
    staff = _staff_text(user)
    for code, rep, visited_at, purpose, notes, next_action_on, lat, lon, accuracy in _batches(
            _factories_in_scope(query, user), Visit.id):
        yield (code, rep, format_timestamp(visited_at), purpose, notes if staff else "",
               next_action_on or "", _blank_none(lat), _blank_none(lon), _blank_none(accuracy))


def _blank_none(value):
    return "" if value is None else value


_ROWS = {
    "regions": _regions, "users": _users, "factories": _factories, "stages": _stages,
    "memberships": _memberships, "sales": _sales, "complaints": _complaints,
    "visits": _visits,
}


def export_rows(kind_name, user=None):
    """``(header, rows)`` of a kind: ``rows`` a generator of tuples in the
    header's order. ``user=None`` (the CLI) exports everything; a user gets
    only what the scope rule lets them see."""
    return KINDS[kind_name].column_names, _ROWS[kind_name](user)


# How a spreadsheet types each column, from the parser that reads it back.
_COLUMN_KINDS = {values.money_fen: MONEY, values.count: COUNT, values.date: DATE}


def column_kinds(kind_name):
    """The ``table_download`` kind of each column of ``kind_name``: money,
    counts and dates as such, everything else (codes, phones, yes/no,
    timestamps with their offset) as text."""
    return [_COLUMN_KINDS.get(column.parse, TEXT) for column in KINDS[kind_name].columns]
