"""The dashboard frame: what sales, onboarding, renewals and complaints
share, so a dashboard is a configuration, never a copy.

Rooms (one sentence each):

* ``dashboards.periods``: the period presets (this month, last 30/90 days,
  this year, custom) and the charts' grains.
* ``dashboards.filters``: ``read_filters`` parses a request into
  ``Filters`` (period, scope through ``metrics.scoping``'s one rule, grain,
  the dashboard's extra ``FilterField``s, each table's sort/page state);
  ``Filters.url(...)`` makes links that keep every filter.
* ``dashboards.tiles``: ``Tile``s from KPI values (``tile``, ``build_tiles``
  from a ``compare``-shaped answer, ``text_tile`` for a non-KPI figure).
* ``dashboards.tables``: ``Table`` and ``Column``: a sorted, paged table with
  optional drill-down regions -> reps -> factories and a CSV/XLSX export;
  ``drill_labels`` names a ranking's rows in the page's language.
* ``dashboards.frame``: ``Dashboard`` registers the page, each table's htmx
  partial and each table's export on the area's blueprint.

Templates: ``_partials/_filters.html`` (``filter_form``),
``_partials/_tiles.html`` (``key_figures``: the "Key figures" section with
its period and tiles; ``tiles`` for other tile rows), ``_partials/_chart.html``
(``chart_section``), ``_partials/_table.html`` (``data_table``, with
``_partials/_pager.html``'s ``pager``). Import them inside the page's
``{% block dashboard %}`` (an htmx request renders only that block).

How a dashboard declares itself (the whole of ``views/renewals.py``'s
frame part, say)::

    from flask import Blueprint
    from flask_babel import lazy_gettext as _l
    from dashboards import Column, Dashboard, FilterField, Table, build_tiles
    from metrics import renewals

    bp = Blueprint("renewals", __name__, url_prefix="/renewals")

    def report(filters):                       # the data function
        numbers = renewals.compare(filters.scope, filters.period)
        return {"tiles": build_tiles({"renewal_rate": _l("Renewal rate")}, numbers),
                "charts": [renewals_charts.rate_chart(...)]}

    DUE = Table(
        name="due",                            # #due, /renewals/due, /renewals/due.csv
        title=_l("Due in 90 days"),
        rows=lambda filters, state: renewals.due(filters.scope, filters.period),
        columns={                              # the first column is the row header
            "factory": Column(_l("Factory"), lambda row: row["name"], kind="text"),
            "fee": Column(_l("Fee at stake"), lambda row: row["fee_cny"], kind="money"),
            "ends": Column(_l("Ends"), lambda row: row["end"], kind="text",
                           text=lambda row: format_day(row["end"])),
        },
        sort="fee",                            # default sort column, descending
        prefix="due_",                         # due_sort, due_dir, due_page
        link=lambda filters, row: url_for("renewals.case", term_id=row["id"]),
        export=lambda filters, state, rows: (
            ["code", "fee_cny"], ([row["code"], row["fee_cny"]] for row in rows)),
    )

    DASHBOARD = Dashboard(bp, "renewals/dashboard.html", report, tables=[DUE],
                          fields=[FilterField("risk", _l("Risk"), {"high": _l("High")})])

and ``templates/renewals/dashboard.html``::

    {% extends "base.html" %}
    {% block content %}
    <h1>{{ _("Renewals") }}</h1>
    <div id="dashboard">
    {% block dashboard %}
      {% from "_partials/_filters.html" import filter_form %}
      {% from "_partials/_tiles.html" import key_figures %}
      {% from "_partials/_chart.html" import chart_section %}
      {% from "_partials/_table.html" import data_table %}
      {{ filter_form(filters) }}
      {{ key_figures(report.tiles, filters.period) }}
      {{ chart_section(report.charts) }}
      <div id="due">{{ data_table(tables.due) }}</div>
    {% endblock %}
    </div>
    {% endblock %}

That registers ``renewals.dashboard`` (``/renewals/``), ``renewals.due``
(``/renewals/due``: the table alone for htmx, a page of its own otherwise)
and ``renewals.due_export`` (``/renewals/due.csv`` / ``.xlsx``), all for
rep/manager/admin (``roles=``) and all answering 403 when a ``region``,
``rep`` or ``factory`` parameter names something outside the user's scope.
Add each endpoint's row to ``tests/test_access_matrix.py``. In the data
function and ``rows``: ``filters.scope``, ``filters.period``,
``filters.grain``, ``filters.fields["risk"]`` (``None`` when not chosen),
``state.level/sort/direction/page``. A ``Column``'s ``kind`` (``text``,
``money``, ``count``, ``rate``, ``ratio``, ``change_money``/``_count``/
``_rate``, ``sparkline``) decides how its value is shown in the page's
language; ``text(row)`` overrides. More tables: more ``Table``s, each with
its own ``prefix`` (one may have none). A page about one factory calls
``read_filters(g.user, request.args, factory=factory)`` and uses the same
macros (``filter_form(filters, action=request.path)``).
"""

from dashboards.filters import FilterField, Filters, TableState, came_from_args, read_filters
from dashboards.frame import STAFF, Dashboard
from dashboards.tables import Cell, Column, Live, Table, TableView, drill_labels
from dashboards.tiles import Change, Tile, build_tiles, format_change, format_kpi, text_tile, tile

__all__ = ["Cell", "Change", "Column", "Dashboard", "FilterField", "Filters", "Live", "STAFF",
           "Table", "TableState", "TableView", "Tile", "build_tiles", "came_from_args",
           "drill_labels", "format_change", "format_kpi", "read_filters", "text_tile", "tile"]
