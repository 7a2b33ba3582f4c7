"""What the sales pages show, computed once per request from the request's
filters: the tiles, the charts, the ranking table (and its export), the ROI
card and the peer benchmark. Plain data, no HTTP: the views render it.

The numbers are ``metrics.sales``'s; this module only chooses what to ask for
and shapes the answers for the templates.
"""

import datetime
import math
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from exchange.table_download import download_response
from i18n import is_chinese
from metrics import sales
from metrics.errors import ParameterError, ScopeError
from metrics.numbers import round_money
from metrics.period import GRAINS, Period, period_from_args, shanghai_today
from metrics.scoping import FILTER_PARAMS, Scope, scope_from_args
from models import Factory, Region, User
from scope import visible_factories, visible_regions
from views import sales_charts
from views.kpi_tiles import build_tiles, format_change, format_kpi
from views.period_picker import (DEFAULT_PRESET, GRAINS as GRAIN_LABELS, PRESETS, default_grain,
                                 preset_range)

SCOPE_TILES = {
    "gmv_cny": _l("GMV"),
    "orders": _l("Orders"),
    "aov_cny": _l("Average order value"),
    "new_buyers": _l("New buyers"),
    "repeat_order_rate": _l("Repeat-order rate"),
    "dropship_share": _l("Drop-shipping share"),
    "pickup_48h_rate": _l("48-hour pickup rate"),
    "active_factories": _l("Active factories"),
}
FACTORY_TILES = {name: label for name, label in SCOPE_TILES.items() if name != "active_factories"}
LEVELS = {"regions": _l("Regions"), "reps": _l("Reps"), "factories": _l("Factories")}
TIER_LABELS = {"cxt": _l("CXT (basic)"), "super": _l("Super factory")}
PAGE_SIZE = 20


@dataclass(frozen=True)
class Column:
    label: object
    sort_key: object  # row -> a comparable value (None sorts last)
    numeric: bool = True


RANKING_COLUMNS = {
    "name": Column(_l("Name"), lambda row: row["name"], numeric=False),
    "gmv_cny": Column(_l("GMV"), lambda row: row["kpis"]["gmv_cny"]),
    "gmv_change": Column(_l("vs previous period"), lambda row: row["change"]["gmv_cny"]),
    "orders": Column(_l("Orders"), lambda row: row["kpis"]["orders"]),
    "aov_cny": Column(_l("Average order value"), lambda row: row["kpis"]["aov_cny"]),
    "active_factories": Column(_l("Active factories"),
                               lambda row: row["kpis"]["active_factories"]),
}


@dataclass
class Filters:
    """A sales page's request, parsed and checked: what to count (``scope``),
    over which dates (``period``, from a ``preset`` or custom), the charts'
    ``grain``, and the ranking's ``level``, ``sort``, ``direction`` and
    ``page``. ``errors`` holds a message per bad parameter (shown next to its
    field; the default is used instead)."""

    user: User
    scope: Scope
    period: Period
    preset: str
    grain: str
    level: str = "regions"
    sort: str = "gmv_cny"
    direction: str = "desc"
    page: int = 1
    errors: dict = field(default_factory=dict)
    scope_error: ScopeError = None

    def args(self, **changes):
        """The query arguments of this view with ``changes`` applied (a
        ``None`` value drops an argument): links keep every filter."""
        args = {"period": None if self.preset == "custom" else self.preset,
                "from": self.period.start.isoformat() if self.preset == "custom" else None,
                "to": self.period.end.isoformat() if self.preset == "custom" else None,
                "grain": self.grain,
                "region": self.scope.region.code if self.scope.region else None,
                "rep": self.scope.rep.username if self.scope.rep else None,
                "tier": self.scope.tier,
                "level": self.level, "sort": self.sort, "dir": self.direction,
                "page": self.page if self.page > 1 else None}
        args.update(changes)
        return {key: value for key, value in args.items() if value not in (None, "")}

    def url(self, endpoint="sales.dashboard", **changes):
        """A link to ``endpoint`` with these filters and ``changes``."""
        return url_for(endpoint, **self.args(**changes))


def _period(args, errors):
    preset = args.get("period") or ""
    custom = preset == "custom" or (not preset and (args.get("from") or args.get("to")))
    if custom:
        try:
            return "custom", period_from_args(args, today=shanghai_today())
        except ParameterError as error:
            errors[error.param] = error.message
            preset = DEFAULT_PRESET
    if preset not in PRESETS or preset == "custom":
        if preset:
            errors["period"] = _("Unknown period; showing the last 90 days.")
        preset = DEFAULT_PRESET
    return preset, Period(*preset_range(preset, shanghai_today()))


def _scope(user, args, errors, factory):
    if factory is not None:
        return Scope(user=user, factory=factory), None
    args = {name: args.get(name) for name in FILTER_PARAMS if name != "factory"}
    while True:
        try:
            return scope_from_args(user, args), None
        except ScopeError as error:
            return Scope(user=user), error
        except ParameterError as error:
            errors[error.param] = error.message
            args[error.param] = None


def read_filters(user, args, factory=None):
    """The ``Filters`` of a request's query ``args`` for ``user``; with
    ``factory`` the page is about that one factory (already scope-checked)."""
    errors = {}
    preset, period = _period(args, errors)
    grain = args.get("grain")
    if grain not in GRAINS:
        grain = default_grain(period.start, period.end)
    scope, scope_error = _scope(user, args, errors, factory)
    level = args.get("level")
    if level not in LEVELS:
        level = ("factories" if scope.rep or user.role == "rep"
                 else "reps" if scope.region else "regions")
    sort = args.get("sort") if args.get("sort") in RANKING_COLUMNS else "gmv_cny"
    direction = "asc" if args.get("dir") == "asc" else "desc"
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    return Filters(user, scope, period, preset, grain, level, sort, direction, page, errors,
                   scope_error)


# --- the filter form's choices ----------------------------------------------

def filter_options(user):
    """The regions, reps and tiers the user may filter by."""
    regions = list(visible_regions(user).order_by(Region.code))
    reps = list(User.select(User.id, User.username, User.display_name)
                .where(User.role == "rep",
                       User.id.in_(visible_factories(user, Factory.select(Factory.rep))))
                .order_by(User.display_name))
    return {"regions": regions, "reps": reps, "tiers": TIER_LABELS}


# --- the ranking ------------------------------------------------------------

def _sorted(rows, filters):
    column = RANKING_COLUMNS[filters.sort]
    present = [row for row in rows if column.sort_key(row) is not None]
    missing = [row for row in rows if column.sort_key(row) is None]
    present.sort(key=column.sort_key, reverse=filters.direction == "desc")
    return present + missing


def _row_link(filters, row):
    if row["key"] is None:
        return None
    period_args = {key: value for key, value in filters.args().items()
                   if key in ("period", "from", "to", "grain")}
    if filters.level == "regions":
        return filters.url(region=row["key"], level="reps", sort=None, dir=None, page=None)
    if filters.level == "reps":
        return filters.url(rep=row["key"], level="factories", sort=None, dir=None, page=None)
    return url_for("sales.factory", code=row["key"], **period_args)


def _trend_windows(period, count=8):
    """Up to ``count`` equal windows ending on the period's last day, so the
    last point is as long as the others (a calendar week or month cut short
    by the period's end would look like a fall)."""
    length = max(1, period.days // count)
    windows = []
    end = period.end
    while len(windows) < count and end - datetime.timedelta(days=length - 1) >= period.start:
        windows.append(Period(end - datetime.timedelta(days=length - 1), end))
        end -= datetime.timedelta(days=length)
    return windows[::-1]


def _trends(filters, rows):
    """Sparkline points of each row on the page: its GMV in equal windows
    over the period (``_trend_windows``), {row id: "x,y x,y ..."}."""
    keys = [row["id"] for row in rows if row["id"] is not None]
    if not keys:
        return {}
    gmv = sales.trends(filters.scope, _trend_windows(filters.period), filters.level, keys)
    return {key: _sparkline(values) for key, values in gmv.items()}


def _sparkline(values, width=80, height=24):
    """SVG polyline points for ``values`` scaled into ``width`` x ``height``."""
    top = max(values) or 1
    step = width / max(1, len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (value / top) * (height - 4):.1f}"
                    for i, value in enumerate(values))


def _display_row(filters, row, trend):
    name = row["name"] if is_chinese() or filters.level != "regions" else row["name_en"]
    if filters.level == "reps" and row["key"] is None:
        name = _("No rep assigned")
    cells = {
        "gmv_cny": format_kpi("money", row["kpis"]["gmv_cny"]),
        "orders": format_kpi("count", row["kpis"]["orders"]),
        "aov_cny": format_kpi("money", row["kpis"]["aov_cny"]),
        "active_factories": (f"{row['kpis']['active_factories']} / {row['factories']}",) * 2,
    }
    return {"id": row["id"], "key": row["key"], "name": name, "cells": cells,
            "change": format_change("money", row["change"]["gmv_cny"]),
            "link": _row_link(filters, row), "trend": trend}


def ranking_report(filters, rows=None):
    """One page of the sorted ranking, ready to show, plus paging."""
    rows = _sorted(rows if rows is not None
                   else sales.rankings(filters.scope, filters.period, filters.level), filters)
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(filters.page, pages)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    trends = _trends(filters, shown)
    return {
        "level": filters.level, "level_label": LEVELS[filters.level],
        "rows": [_display_row(filters, row, trends.get(row["id"])) for row in shown],
        "page": page, "pages": pages, "total": len(rows),
        "prev_url": filters.url(page=page - 1) if page > 1 else None,
        "next_url": filters.url(page=page + 1) if page < pages else None,
        "prev_partial_url": filters.url("sales.ranking", page=page - 1) if page > 1 else None,
        "next_partial_url": (filters.url("sales.ranking", page=page + 1)
                             if page < pages else None),
        "partial_args": filters.args(page=page if page > 1 else None),
        "breadcrumbs": _breadcrumbs(filters),
    }


def _breadcrumbs(filters):
    """Where the ranking is: all -> region -> rep, each a link back up."""
    crumbs = [(_("All"), filters.url(region=None, rep=None, level=None, sort=None, dir=None,
                                     page=None))]
    scope = filters.scope
    if scope.region is not None:
        crumbs.append((scope.region.name_zh if is_chinese() else scope.region.name_en,
                       filters.url(rep=None, level="reps", sort=None, dir=None, page=None)))
    if scope.rep is not None:
        crumbs.append((scope.rep.display_name,
                       filters.url(level="factories", sort=None, dir=None, page=None)))
    return crumbs


def ranking_download(filters, file_format):
    """The whole ranking (every page, in the chosen order) as a file; exact
    figures, codes and names, so a spreadsheet can recompute the page."""
    rows = _sorted(sales.rankings(filters.scope, filters.period, filters.level), filters)
    header = [_("Code"), _("Name"), _("GMV (¥)"), _("GMV, previous period (¥)"),
              _("Orders"), _("Average order value (¥)"), _("Active factories"),
              _("Factories"), _("From"), _("To")]
    table = ([row["key"], row["name"], round_money(row["kpis"]["gmv_cny"]),
              round_money(row["previous"]["gmv_cny"]), row["kpis"]["orders"],
              round_money(row["kpis"]["aov_cny"]), row["kpis"]["active_factories"],
              row["factories"], filters.period.start, filters.period.end] for row in rows)
    stem = f"sales-{filters.level}-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}"
    return download_response(header, table, file_format, stem)


# --- whole pages ------------------------------------------------------------

def _charts(filters, comparison):
    scope, period = filters.scope, filters.period
    rows = sales.series(scope, period, filters.grain)
    last_year = sales.series(scope, period.last_year(), filters.grain)
    totals = {name: entry["value"] for name, entry in comparison.items()}
    grain = filters.grain
    return [sales_charts.gmv_chart(rows, last_year, grain), sales_charts.orders_chart(rows, grain),
            sales_charts.rates_chart(rows, totals, grain)]


def dashboard_report(filters):
    """Tiles, charts and the ranking of the staff dashboard."""
    comparison = sales.compare(filters.scope, filters.period)
    return {"tiles": build_tiles(SCOPE_TILES, comparison), "charts": _charts(filters, comparison),
            "ranking": ranking_report(filters), "options": filter_options(filters.user),
            "presets": PRESETS, "grains": GRAIN_LABELS}


def factory_report(filters, factory):
    """Tiles, charts, the ROI card and the peer benchmark of one factory."""
    comparison = sales.compare(filters.scope, filters.period)
    card = sales.roi_card(filters.scope, filters.period)
    peers = sales.peer_benchmark(factory.id, filters.period)
    return {"tiles": build_tiles(FACTORY_TILES, comparison),
            "charts": _charts(filters, comparison), "roi": card, "peers": peers,
            "presets": PRESETS, "grains": GRAIN_LABELS, "options": None}
