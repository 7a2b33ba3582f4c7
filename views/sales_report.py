"""What the sales pages show, as a configuration of the dashboard frame
(``dashboards``): the tiles, the charts, the ranking table regions -> reps
-> factories (and its export), the ROI card and the peer benchmark.

The numbers are ``metrics.sales``'s; this module only chooses what to ask
for and shapes the answers for the templates.
"""

import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import charts
from dashboards import Column, Table, build_tiles, drill_labels, text_tile, tile
from exchange.table_download import COUNT, DATE, MONEY, TEXT
from i18n import format_day, format_number
from metrics import cache, sales
from metrics.numbers import round_money
from metrics.period import Period
from views import sales_charts

SCOPE_TILES = {
    "gmv_cny": _l("GMV"),
    "orders": _l("Orders"),
    "aov_cny": _l("Average order value"),
    "new_buyers": _l("New buyers"),
    "repeat_order_rate": _l("Repeat-order rate"),
    "dropship_share": _l("Drop-shipping share"),
    "pickup_48h_rate": _l("48-hour pickup rate"),
    "gmv_yoy_growth": _l("GMV growth vs last year"),
    "active_factories": _l("Active factories"),
}
FACTORY_TILES = {name: label for name, label in SCOPE_TILES.items() if name != "active_factories"}


# --- the ranking ------------------------------------------------------------

def _ranking_rows(filters, state):
    """The scope's regions, reps or factories (``metrics.sales.rankings``),
    each with the name to show in the page's language."""
    return drill_labels(sales.rankings(filters.scope, filters.period, state.level), state.level)


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


def _with_trends(filters, state, rows):
    """The shown rows with their GMV in equal windows over the period
    (``_trend_windows``): the sparkline column."""
    keys = [row["id"] for row in rows if row["id"] is not None]
    trends = (sales.trends(filters.scope, _trend_windows(filters.period), state.level, keys)
              if keys else {})
    for row in rows:
        row["trend"] = trends.get(row["id"])
    return rows


def _factory_link(filters, row):
    """A factory's name opens its page (profile, timeline, actions), which
    links on to its sales details."""
    return url_for("factories.page", code=row["key"])


def _ranking_export(filters, state, rows):
    """Exact figures, codes and names, so a spreadsheet can recompute the page."""
    header = [_("Code"), _("Name"), _("GMV (¥)"), _("GMV, previous period (¥)"),
              _("Orders"), _("Average order value (¥)"), _("Active factories"),
              _("Factories"), _("From"), _("To")]
    table = ([row["key"], row["name"], round_money(row["kpis"]["gmv_cny"]),
              round_money(row["previous"]["gmv_cny"]), row["kpis"]["orders"],
              round_money(row["kpis"]["aov_cny"]), row["kpis"]["active_factories"],
              row["factories"], filters.period.start, filters.period.end] for row in rows)
    return header, table


RANKING = Table(
    name="ranking",
    title=_l("Ranking"),
    page_title=_l("Sales ranking"),
    back_label=_l("Back to the sales dashboard"),
    rows=_ranking_rows,
    columns={
        "name": Column(_l("Name"), lambda row: row["name"], kind="text",
                       text=lambda row: row["label"]),
        "gmv_cny": Column(_l("GMV"), lambda row: row["kpis"]["gmv_cny"], kind="money"),
        "gmv_change": Column(_l("vs previous period"), lambda row: row["change"]["gmv_cny"],
                             kind="change_money"),
        "orders": Column(_l("Orders"), lambda row: row["kpis"]["orders"]),
        "aov_cny": Column(_l("Average order value"), lambda row: row["kpis"]["aov_cny"],
                          kind="money"),
        "active_factories": Column(
            _l("Active factories"), lambda row: row["kpis"]["active_factories"],
            text=lambda row: f"{row['kpis']['active_factories']} / {row['factories']}",
            levels=("regions", "reps")),
        "trend": Column(_l("Trend"), lambda row: row.get("trend"), kind="sparkline",
                        sortable=False),
    },
    sort="gmv_cny",
    drill_down=True,
    link=_factory_link,
    on_page=_with_trends,
    export=_ranking_export,
    export_kinds=(TEXT, TEXT, MONEY, MONEY, COUNT, MONEY, COUNT, COUNT, DATE, DATE),
    export_stem="sales",
    empty=_l("Nothing to rank for these filters."),
    reads=cache.SALES_READS,
)


# --- whole pages ------------------------------------------------------------

def _charts(filters, comparison):
    """The three charts, kept by ``charts.remembered`` (they follow the
    scope, period and grain, whose numbers ``comparison`` holds)."""
    scope, period, grain = filters.scope, filters.period, filters.grain

    def build():
        rows = sales.series(scope, period, grain)
        last_year = sales.series(scope, period.last_year(), grain)
        totals = {name: entry["value"] for name, entry in comparison.items()}
        return [sales_charts.gmv_chart(rows, last_year, grain),
                sales_charts.orders_chart(rows, grain),
                sales_charts.rates_chart(rows, totals, grain)]

    return charts.remembered(cache.SALES_READS, "sales",
                             [cache.scope_key(scope), cache.period_key(period), grain], build)


def dashboard_report(filters):
    """Tiles and charts of the staff dashboard (the frame adds the ranking)."""
    comparison = sales.compare(filters.scope, filters.period)
    return {"tiles": build_tiles(SCOPE_TILES, comparison),
            "charts": _charts(filters, comparison)}


def factory_report(filters, factory):
    """Tiles, charts, the ROI card and the peer benchmark of one factory."""
    comparison = sales.compare(filters.scope, filters.period)
    card = sales.roi_card(filters.scope, filters.period)
    peers = sales.peer_benchmark(factory.id, filters.period)
    roi_tiles = [
        tile("membership_roi", _("Membership ROI (GMV in the term ÷ fee)"), "ratio",
             card["membership_roi"]),
        text_tile(_("Fee covered"), format_day(card["fee_covered_on"])
                  if card["fee_covered_on"] else _("Not yet")),
        text_tile(_("Days to renewal"), format_number(card["days_to_renewal"])),
    ] if card else []
    peer_tiles = [tile("peer_median_gmv_cny", _("Peers' median GMV"), "money",
                       peers["peer_median_gmv_cny"]),
                  tile("peer_percentile", _("Peers below this factory") if filters.user.is_staff
                       else _("Peers below you"), "rate", peers["peer_percentile"])]
    return {"tiles": build_tiles(FACTORY_TILES, comparison),
            "charts": _charts(filters, comparison), "roi": card, "peers": peers,
            "roi_tiles": roi_tiles, "peer_tiles": peer_tiles}
