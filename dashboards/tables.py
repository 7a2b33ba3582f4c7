"""A dashboard's ranked table: columns that sort, a page of rows, an
optional drill-down regions -> reps -> factories whose links keep every
filter, and the whole table (every page, in the chosen order) as CSV/XLSX.

A ``Table`` is a declaration; ``Table.view(filters)`` is what
``_partials/_table.html``'s ``data_table`` macro draws, and
``Table.download(filters, file_format)`` the export. Rows are plain dicts
from the dashboard's ``rows(filters, state)`` function.
"""

import math
from dataclasses import dataclass

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dashboards.filters import TableState
from dashboards.tiles import format_change, format_kpi
from exchange.table_download import download_response
from i18n import EMPTY, is_chinese
from metrics import cache

LEVELS = {"regions": _l("Regions"), "reps": _l("Reps"), "factories": _l("Factories")}
# A drill-down row of a level links one level down, filtered by its key.
DRILL = {"regions": ("region", "reps"), "reps": ("rep", "factories")}
KINDS = ("text", "money", "count", "rate", "ratio", "sparkline",
         "change_money", "change_count", "change_rate")


@dataclass(frozen=True)
class Column:
    """One column. ``value(row)`` is what it sorts by (``None`` sorts last)
    and, for ``kind`` money/count/rate/ratio/change_*, what it shows,
    formatted for the page's language; ``text(row)`` overrides the shown
    text. ``kind="sparkline"``: ``value(row)`` is a list of numbers drawn as
    a small line. ``levels``: the drill-down levels that show the column
    (``None``: all)."""

    label: object
    value: object
    kind: str = "count"
    text: object = None
    sortable: bool = True
    levels: tuple = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def numeric(self):
        return self.kind not in ("text", "sparkline")


@dataclass(frozen=True)
class Cell:
    """One shown cell: its text, an exact figure for the tooltip, a CSS
    class (a change's direction), a link, sparkline points."""

    text: str
    title: str = None
    css: str = ""
    link: str = None
    points: str = None


def sparkline_points(values, width=80, height=24):
    """SVG polyline points for ``values`` scaled into ``width`` x ``height``."""
    if not values:
        return None
    top = max(values) or 1
    step = width / max(1, len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (value / top) * (height - 4):.1f}"
                    for i, value in enumerate(values))


def drill_labels(rows, level):
    """Give each ranking row (``metrics.sales.rankings`` and
    ``metrics.onboarding.rankings`` shape) its ``label``: a region's name in
    the page's language, a rep's or factory's name as it is, and "No rep
    assigned" for the factories without one. The language is read once: a
    ranking of every factory has thousands of rows."""
    chinese = is_chinese()
    for row in rows:
        row["label"] = row["name"] if chinese or level != "regions" else row["name_en"]
        if level == "reps" and row["key"] is None:
            row["label"] = _("No rep assigned")
    return rows


def _first(pair):
    return pair[0]


def _cell(column, row):
    value = column.value(row)
    if column.kind == "sparkline":
        return Cell("", points=sparkline_points(value))
    if column.kind.startswith("change_"):
        text, direction = format_change(column.kind[len("change_"):], value)
        return Cell(text, css=f"delta-{direction}")
    if column.kind == "text":
        text, exact = (EMPTY if value is None else str(value)), None
    else:
        text, exact = format_kpi(column.kind, value)
    if column.text is not None:
        return Cell(column.text(row))
    return Cell(text, title=exact if exact != text else None)


@dataclass(frozen=True)
class Live:
    """How a table's rows depend on the time they are read at.

    ``now()``: the instant (naive UTC) this request reads the rows at, the
    same for every call in a request (the ``rows`` function reads at it
    too). ``until(filters, state, now)``: the first moment after ``now`` the
    table (which rows, in which order) could change by the clock alone, or
    ``None`` when only a write changes it. ``at(rows, now)``: the shown
    rows, perhaps remembered at an earlier instant, read at ``now`` (what
    they show that moves with the clock, e.g. time left)."""

    now: object
    until: object
    at: object


@dataclass(frozen=True)
class Table:
    """A table of a dashboard page.

    ``name``: its id, the htmx target ``#<name>`` and its URLs
    (``<page>/<name>`` the partial, ``<page>/<name>.csv|.xlsx`` the export).
    ``rows(filters, state)``: every row (dicts), unsorted. ``columns``:
    ``{key: Column}`` in order; the first is the row header (with the row's
    link). ``sort``: the default sort column (descending). ``prefix``: put
    before its parameter names (``sort``, ``dir``, ``page``, ``level``) so
    several tables on one page page and sort on their own; one table may go
    without. ``drill_down``: the table ranks regions, reps or factories
    (``level``), each row's ``key`` a region code, rep username or factory
    code, and links one level down; ``link(filters, row)``: a row's link
    (for drill-down tables, the link of a factory row). ``on_page(filters,
    state, rows)``: adds what only the shown rows need (a sparkline) and
    returns them. ``export(filters, state, rows)``: ``(header, rows)`` of the
    download, exact figures; ``None`` for no export. ``export_kinds``: the
    spreadsheet kind of each export column (``exchange.table_download``'s
    TEXT, MONEY, RATE, COUNT, NUMBER, DATE), so money, rates and codes open
    right in a spreadsheet; ``None`` lets each value's type decide.
    ``reads``: the tables (``metrics.cache`` names) the rows come from; when
    given, the shown page (its rows after ``on_page``, and the row count) is
    remembered by ``metrics.cache`` until one of them changes, so sorting
    and paging a wide scope reads one row instead of ranking every factory
    again. ``live``: a ``Live`` for rows read at the current time (the
    complaint board's SLA clocks): with ``reads``, the remembered page is
    kept with the moment the clock alone would change it, reused only
    before that moment, and its rows brought to the current time."""

    name: str
    title: object
    rows: object
    columns: dict
    sort: str
    prefix: str = ""
    page_size: int = 20
    drill_down: bool = False
    link: object = None
    on_page: object = None
    export: object = None
    export_kinds: tuple = None
    export_stem: str = None
    empty: object = _l("Nothing to show for these filters.")
    page_title: object = None
    back_label: object = _l("Back to the dashboard")
    reads: tuple = None
    live: object = None

    # --- the request ----------------------------------------------------

    def param(self, name):
        """This table's name for query parameter ``name``."""
        return f"{self.prefix}{name}"

    def default_level(self, filters):
        """The level that fits the scope: a rep's factories, a region's
        reps, else regions."""
        scope = filters.scope
        if scope.rep or filters.user.role == "rep" or scope.factory:
            return "factories"
        return "reps" if scope.region else "regions"

    def read_state(self, args, filters):
        """This table's ``TableState`` from the query ``args``."""
        level = None
        if self.drill_down:
            level = args.get(self.param("level"))
            if level not in LEVELS:
                level = self.default_level(filters)
        sort = args.get(self.param("sort"))
        if sort not in self.columns or not self.columns[sort].sortable:
            sort = self.sort
        direction = "asc" if args.get(self.param("dir")) == "asc" else "desc"
        try:
            page = max(1, int(args.get(self.param("page"), 1)))
        except ValueError:
            page = 1
        return TableState(level, sort, direction, page)

    def state_args(self, state):
        """The query arguments that keep ``state`` (defaults left out)."""
        return {self.param("level"): state.level,
                self.param("sort"): None if state.sort == self.sort else state.sort,
                self.param("dir"): None if state.direction == "desc" else state.direction,
                self.param("page"): state.page if state.page > 1 else None}

    def changes(self, **values):
        """``Filters.url`` changes for this table's parameters."""
        return {self.param(name): value for name, value in values.items()}

    # --- the rows -------------------------------------------------------

    def sorted_rows(self, filters):
        """Every row, in the state's order."""
        state = filters.table(self.name)
        column = self.columns[state.sort]
        keyed = [(column.value(row), row) for row in self.rows(filters, state)]
        present = [pair for pair in keyed if pair[0] is not None]
        present.sort(key=_first, reverse=state.direction == "desc")  # stable: ties keep order
        return [row for _value, row in present] + [row for value, row in keyed if value is None]

    def shown_columns(self, state):
        return {key: column for key, column in self.columns.items()
                if column.levels is None or state.level in column.levels}

    def _row_link(self, filters, state, row):
        if self.drill_down and state.level in DRILL:
            if row.get("key") is None:  # e.g. the factories with no rep
                return None
            param, level = DRILL[state.level]
            return filters.url(**{param: row["key"]},
                               **self.changes(level=level, sort=None, dir=None, page=None))
        return self.link(filters, row) if self.link else None

    def _display(self, filters, state, columns, row):
        cells = [_cell(column, row) for column in columns.values()]
        first = cells[0]
        cells[0] = Cell(first.text, first.title, first.css, self._row_link(filters, state, row))
        return cells

    def _breadcrumbs(self, filters):
        """Where a drill-down is: all -> region -> rep, each a link back up;
        none at the top (a lone "All" would lead nowhere)."""
        reset = dict(sort=None, dir=None, page=None)
        crumbs = [(_("All"), filters.url(region=None, rep=None, factory=None,
                                         **self.changes(level=None, **reset)))]
        scope = filters.scope
        if scope.region is not None:
            crumbs.append((scope.region.name_zh if is_chinese() else scope.region.name_en,
                           filters.url(rep=None, factory=None,
                                       **self.changes(level="reps", **reset))))
        if scope.rep is not None:
            crumbs.append((scope.rep.display_name,
                           filters.url(factory=None, **self.changes(level="factories", **reset))))
        return crumbs if len(crumbs) > 1 else []

    # --- what the macro draws -------------------------------------------

    def view(self, filters, page_endpoint=None):
        """One page of the sorted table, ready for ``data_table``."""
        state = filters.table(self.name)
        page_endpoint = page_endpoint or filters.endpoint
        partial_endpoint = self.endpoint(page_endpoint)
        if self.reads and self.live:
            now = self.live.now()
            total, page, shown = cache.remembered(
                self.reads, f"table {partial_endpoint}", self._cache_parts(filters, state),
                lambda: self._page(filters, state), now=now,
                until=lambda: self.live.until(filters, state, now))
            shown = self.live.at(shown, now)
        elif self.reads:
            total, page, shown = cache.remembered(
                self.reads, f"table {partial_endpoint}", self._cache_parts(filters, state),
                lambda: self._page(filters, state))
        else:
            total, page, shown = self._page(filters, state)
        pages = max(1, math.ceil(total / self.page_size))
        columns = self.shown_columns(state)

        def page_url(number, endpoint=page_endpoint):
            return filters.url(endpoint, **self.changes(page=number if number > 1 else None))

        headers = []
        for key, column in columns.items():
            active = key == state.sort
            next_dir = "asc" if active and state.direction == "desc" else "desc"
            change = self.changes(sort=key, dir=next_dir, page=None)
            headers.append({
                "label": column.label, "numeric": column.numeric, "sortable": column.sortable,
                "sort": (("descending" if state.direction == "desc" else "ascending")
                         if active else "none"),
                "arrow": ("▼" if state.direction == "desc" else "▲") if active else "",
                "url": filters.url(page_endpoint, **change),
                "partial_url": filters.url(partial_endpoint, **change),
            })
        export_args = filters.args(**self.changes(page=None))
        return TableView(
            name=self.name, title=self.title, empty=self.empty,
            level_label=LEVELS[state.level] if state.level else None,
            headers=headers,
            rows=[self._display(filters, state, columns, row) for row in shown],
            page=page, pages=pages, total=total,
            page_url=page_url,
            partial_page_url=lambda number: page_url(number, partial_endpoint),
            breadcrumbs=self._breadcrumbs(filters) if self.drill_down else (),
            export_urls=({fmt: url_for(f"{partial_endpoint}_export", file_format=fmt,
                                       **export_args) for fmt in ("csv", "xlsx")}
                         if self.export else {}),
        )

    def _page(self, filters, state):
        """``(row count, page number, the page's rows after on_page)``."""
        rows = self.sorted_rows(filters)
        pages = max(1, math.ceil(len(rows) / self.page_size))
        page = min(state.page, pages)
        shown = rows[(page - 1) * self.page_size: page * self.page_size]
        if self.on_page is not None:
            shown = self.on_page(filters, state, shown)
        return len(rows), page, shown

    def _cache_parts(self, filters, state):
        """What decides the shown page: who asks and the filters, the
        dashboard's fields, this table's state and the language (rows may
        carry labels in it)."""
        return [cache.scope_key(filters.scope), cache.period_key(filters.period),
                filters.fields, [state.level, state.sort, state.direction, state.page],
                self.page_size, str(get_locale())]

    def endpoint(self, page_endpoint):
        """The endpoint of this table's partial on the page ``page_endpoint``."""
        blueprint = page_endpoint.rsplit(".", 1)[0]
        return f"{blueprint}.{self.name}"

    def download(self, filters, file_format):
        """The whole table, every page in the chosen order, as a file."""
        state = filters.table(self.name)
        header, rows = self.export(filters, state, self.sorted_rows(filters))
        stem = self.export_stem or f"{filters.endpoint.split('.')[0]}-{self.name}"
        if state.level:
            stem += f"-{state.level}"
        stem += f"-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}"
        return download_response(header, rows, file_format, stem, kinds=self.export_kinds)


@dataclass
class TableView:
    """One page of a table as ``data_table`` draws it."""

    name: str
    title: object
    empty: object
    level_label: object
    headers: list
    rows: list
    page: int
    pages: int
    total: int
    page_url: object  # page number -> the page's URL
    partial_page_url: object  # page number -> the partial's URL
    breadcrumbs: tuple
    export_urls: dict
