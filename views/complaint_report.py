"""What the 吐槽板 (``/complaints/``) shows, as a configuration of the
dashboard frame: every complaint KPI as a tile, the charts, and the board
table (both SLA clocks in words and icons, most urgent first) with its
export. The numbers are ``metrics.complaints`` and
``metrics.complaint_board``'s; this module shapes them for the templates.
"""

from flask import g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import charts
from dashboards import STAFF, Column, FilterField, Live, Table, Tile, tile
from i18n import EMPTY, format_number, format_shanghai_datetime
from metrics import cache, complaint_board, complaints
from metrics.api_format import format_value
from metrics.scoping import Scope
from metrics.sla import split_duration
from models import SEVERITIES, utcnow
from views import complaint_charts
from labels import CHANNEL_LABELS, SEVERITY_LABELS, SLA_CLOCK_LABELS as CLOCK_LABELS
from labels import COMPLAINT_CATEGORY_LABELS as CATEGORY_LABELS
from labels import COMPLAINT_STATUS_LABELS as STATUS_LABELS

TILES = {
    "opened": (_l("Opened"), "count"),
    "resolved": (_l("Resolved"), "count"),
    "sla_attainment": (_l("Resolved within SLA"), "rate"),
    "breached_open": (_l("Open past SLA"), "count"),
    "median_hours_to_first_response": (_l("Median time to first response"), "hours"),
    "median_hours_to_resolve": (_l("Median time to resolve"), "hours"),
    "csat_avg": (_l("Average satisfaction (1–5)"), "score"),
}

FIELDS = (
    FilterField("status", _l("Status"), STATUS_LABELS, all_label=_l("Any status")),
    FilterField("severity", _l("Urgency"), SEVERITY_LABELS, all_label=_l("Any urgency")),
    FilterField("category", _l("About"), CATEGORY_LABELS, all_label=_l("Anything")),
    FilterField("channel", _l("Channel"), CHANNEL_LABELS, all_label=_l("Any channel")),
    FilterField("breached", _l("Past SLA only"), checkbox=True),
    # Owners are assigned nothing: the field is staff's only.
    FilterField("mine", _l("Assigned to me"), checkbox=True, roles=STAFF),
)


# --- words for durations and clocks -------------------------------------------

# The clock words, translated once per request (``_words``): an export
# words the clocks of thousands of complaints.
WORDS = {
    "days": _l("%(days)s d %(hours)s h"),
    "hours": _l("%(hours)s h %(minutes)s min"),
    "minutes": _l("%(minutes)s min"),
    "breached": _l("⚠ %(time)s overdue"),
    "left": _l("%(icon)s %(time)s left"),
    "met": _l("✓ On time"),
    "missed": _l("✗ Done %(time)s late"),
}


def _words():
    """``WORDS`` and the clock names in the request's language."""
    if "complaint_words" not in g:
        g.complaint_words = {key: str(text) for key, text in WORDS.items()}
        g.complaint_words.update({name: str(text) for name, text in CLOCK_LABELS.items()})
    return g.complaint_words


def duration_text(delta):
    """A length of time in words: 2 天 3 小时 / 2 d 3 h; 45 分钟 / 45 min."""
    days, hours, minutes = split_duration(delta)
    words = _words()
    if days:
        return words["days"] % {"days": days, "hours": hours}
    if hours:
        return words["hours"] % {"hours": hours, "minutes": minutes}
    return words["minutes"] % {"minutes": minutes}


def clock_text(clock):
    """One SLA clock as an icon and words, never colour alone:
    ◷ 3 小时 20 分钟后到期, ⚑ (under two hours), ⚠ 超时 2 天 3 小时,
    ✓ 按时, ✗ 超时 3 小时完成."""
    state, left = clock.state, clock.left
    words = _words()
    if state == "breached":
        return words["breached"] % {"time": duration_text(left)}
    if state in ("running", "due_soon"):
        icon = "⚑" if state == "due_soon" else "◷"
        return words["left"] % {"icon": icon, "time": duration_text(left)}
    if state == "met":
        return words["met"]
    return words["missed"] % {"time": duration_text(left)}


def clocks_text(clocks):
    """Both clocks in one line, for the board's cell and its export."""
    words = _words()
    return " · ".join(f"{words[clock.name]} {clock_text(clock)}" for clock in clocks)


# --- tiles and charts ----------------------------------------------------------------

def _tile(name, label, kind, value):
    if kind in ("count", "rate"):
        return tile(name, label, kind, value)
    if value is None:
        text = EMPTY
    elif kind == "hours":
        text = _("%(hours)s h", hours=format_number(value, 1))
    else:
        text = format_number(value, 2)
    return Tile(name, label, format_value(name, value), text, text, ())


def period_read(filters):
    """The request's ``metrics.complaint_board.PeriodRead``, read once: the
    tiles, the charts and the board of one page share it."""
    reads = g.setdefault("complaint_reads", {})
    key = (tuple(sorted(filters.scope.as_dict().items())), filters.period)
    if key not in reads:
        reads[key] = complaint_board.read(filters.scope, filters.period)
    return reads[key]


def board_filters(filters):
    """The frame's extra fields as ``metrics.complaint_board.BoardFilters``."""
    fields = filters.fields
    return complaint_board.BoardFilters(
        status=fields.get("status"), severity=fields.get("severity"),
        category=fields.get("category"), channel=fields.get("channel"),
        breached=fields.get("breached") == "1", mine=fields.get("mine") == "1")


def report(filters):
    """The page's data: tiles (the KPI API's numbers for the same URL), the
    charts, the counts above the board. The numbers depend on the period,
    not on the clock (a KPI is read at the period's end), so the tiles'
    values and the charts are remembered (``metrics.cache``,
    ``charts.remembered``) under the complaints' tables."""
    scope, period = filters.scope, filters.period
    values = cache.remembered(
        cache.COMPLAINT_READS, "complaint_report.kpis",
        [cache.scope_key(scope), cache.period_key(period)],
        lambda: complaints.compute(period_read(filters).facts(), period))
    tiles = [_tile(name, label, kind, values[name]) for name, (label, kind) in TILES.items()]
    return {"tiles": tiles, "charts": charts.remembered(
        cache.COMPLAINT_READS, "complaints",
        [cache.scope_key(scope), cache.period_key(period), filters.grain],
        lambda: _charts(filters))}


def _charts(filters):
    """The charts, from the page's one read (per region for staff only)."""
    scope, period = filters.scope, filters.period
    read = period_read(filters)
    facts = read.facts()
    result = [
        complaint_charts.opened_resolved_chart(
            complaints.series_from_facts(facts, period, filters.grain), filters.grain),
        complaint_charts.category_chart(complaint_board.by_category(scope, period, read)),
    ]
    if filters.user.is_staff:
        result.append(complaint_charts.region_chart(
            complaint_board.by_region(scope, period, facts)))
    return result


# --- the board ------------------------------------------------------------------------

def _now():
    """The instant this request reads the SLA clocks at (one per request, so
    the board and the moment it stops being true agree)."""
    if "complaint_now" not in g:
        g.complaint_now = utcnow()
    return g.complaint_now


def _board_rows(filters, state):
    return complaint_board.board(filters.scope, filters.period, board_filters(filters),
                                 _now(), period_read(filters))


def _board_until(filters, state, now):
    return complaint_board.changes_at(filters.scope, period_read(filters),
                                      board_filters(filters), now, by_age=state.sort == "age")


def _with_details(filters, state, rows):
    return complaint_board.details(rows)


def _link(filters, row):
    return url_for("complaints.page", code=row.code)


def _urgency(row):
    """Sort value: larger is more urgent; nothing running sorts last."""
    return None if row.urgency is None else -row.urgency.total_seconds()


def _export(filters, state, rows):
    """The whole board, exact times in Asia/Shanghai; never a thread entry."""
    complaint_board.details(rows)
    header = [_("Code"), _("Title"), _("Factory code"), _("Factory"), _("About"),
              _("Urgency"), _("Channel"), _("Status"), _("Assignee"), _("Filed at"),
              _("First response due"), _("First response at"), _("Resolution due"),
              _("Resolved at"), _("SLA clocks")]
    # Each label translated once, not once per row.
    category, severity, channel, status = (
        {key: str(label) for key, label in labels.items()}
        for labels in (CATEGORY_LABELS, SEVERITY_LABELS, CHANNEL_LABELS, STATUS_LABELS))
    table = ([row.code, row.title, row.factory_code, row.factory_name,
              category[row.category], severity[row.severity], channel[row.channel],
              status[row.status], row.assignee or "", format_shanghai_datetime(row.created_at),
              format_shanghai_datetime(row.clocks.first_response.due_at),
              format_shanghai_datetime(row.clocks.first_response.stopped_at),
              format_shanghai_datetime(row.clocks.resolution.due_at),
              format_shanghai_datetime(row.clocks.resolution.stopped_at),
              clocks_text(row.clocks)] for row in rows)
    return header, table


BOARD = Table(
    name="board",
    title=_l("Complaint board"),
    page_title=_l("Complaint board"),
    back_label=_l("Back to the complaint board"),
    rows=_board_rows,
    columns={
        "code": Column(_l("Complaint"), lambda row: row.code, kind="text",
                       text=lambda row: f"{row.code} {row.title}", sortable=False),
        "sla": Column(_l("SLA clocks"), _urgency, kind="text",
                      text=lambda row: clocks_text(row.clocks)),
        "severity": Column(_l("Urgency"), lambda row: -SEVERITIES.index(row.severity),
                           kind="text", text=lambda row: str(SEVERITY_LABELS[row.severity])),
        "status": Column(_l("Status"), lambda row: row.status, kind="text",
                         text=lambda row: str(STATUS_LABELS[row.status])),
        "category": Column(_l("About"), lambda row: row.category, kind="text",
                           text=lambda row: str(CATEGORY_LABELS[row.category]),
                           sortable=False),
        "factory": Column(_l("Factory"), lambda row: row.factory_name, kind="text",
                          sortable=False),
        "assignee": Column(_l("Assignee"), lambda row: row.assignee, kind="text",
                           sortable=False),
        "age": Column(_l("Age"), lambda row: row.age.total_seconds(), kind="text",
                      text=lambda row: duration_text(row.age)),
    },
    sort="sla",
    page_size=20,
    # The shown page is remembered under the complaints' tables and, as the
    # clocks move, until the first moment the clock alone would change it.
    reads=cache.COMPLAINT_READS,
    live=Live(now=_now, until=_board_until, at=complaint_board.at),
    link=_link,
    on_page=_with_details,
    export=_export,
    export_stem="complaints",
    empty=_l("No complaints for these filters."),
)


def home_breaches(user, limit=10):
    """``(rows, ids)``: the ``limit`` most overdue of the complaints past a
    target in ``user``'s scope (any age) and the ids of all of them, for the
    manager's home page."""
    rows = complaint_board.open_breaches(Scope(user), utcnow())
    return complaint_board.details(rows[:limit]), [row.id for row in rows]
