"""The sales dashboards: the scope dashboard for reps, managers and admins
(tiles, charts, and a ranking regions -> reps -> factories that drills down by
link), and one factory's page, which is also the owner's home.

Views only read the request and render: every number comes from
``metrics.sales`` through ``views.sales_report``, the same functions the KPI
API uses, so tiles, charts, tables, exports and the API cannot disagree.
"""

from flask import Blueprint, abort, g, request, url_for

from access import roles_required, visible_factory_by_code_or_404
from metrics.api_format import format_value
from views.kpi_tiles import format_kpi
from views.navigation import add_nav_item, lazy_gettext
from views.rendering import render_page
from views.sales_report import (
    RANKING_COLUMNS, dashboard_report, factory_report, ranking_download, read_filters,
    ranking_report,
)

bp = Blueprint("sales", __name__, url_prefix="/sales")
add_nav_item("sales.dashboard", lazy_gettext("Sales"), ("rep", "manager", "admin"))

STAFF = ("rep", "manager", "admin")


@bp.app_context_processor
def kpi_helpers():
    """``kpi_number``: a KPI as the API gives it (for ``data-value``);
    ``roi_text``: a ratio such as 3.2×."""
    return {"kpi_number": format_value, "roi_text": lambda value: format_kpi("ratio", value)[0]}


def _filters_or_403():
    filters = read_filters(g.user, request.args)
    if filters.scope_error is not None:
        # A parameter naming something outside the user's scope: refuse it
        # like the API does, and say nothing about what it names.
        abort(403)
    return filters


@bp.get("/")
@roles_required(*STAFF)
def dashboard():
    """Sales of everything the user may see, filtered and ranked."""
    filters = _filters_or_403()
    report = dashboard_report(filters)
    return render_page("sales/dashboard.html", partial="dashboard", filters=filters,
                       report=report, columns=RANKING_COLUMNS)


@bp.get("/ranking")
@roles_required(*STAFF)
def ranking():
    """The ranking table alone (the partial that sorting and paging swap);
    as a full page it is the dashboard's table with its filters."""
    filters = _filters_or_403()
    return render_page("sales/ranking.html", partial="ranking", filters=filters,
                       ranking=ranking_report(filters), columns=RANKING_COLUMNS)


@bp.get("/ranking.<any(csv, xlsx):file_format>")
@roles_required(*STAFF)
def ranking_export(file_format):
    """The whole ranking table (every page) as CSV or XLSX."""
    filters = _filters_or_403()
    return ranking_download(filters, file_format)


@bp.get("/factories/<code>")
@roles_required("rep", "manager", "owner", "admin")
def factory(code):
    """One factory's sales, ROI and peer benchmark (owners: their own only)."""
    found = visible_factory_by_code_or_404(code)
    return factory_page(found)


def factory_page(found):
    """Render ``found``'s sales page for the current request's filters; the
    owner's home (``/my-factory``) uses it too."""
    filters = read_filters(g.user, request.args, factory=found)
    report = factory_report(filters, found)
    return render_page("sales/factory.html", partial="dashboard", filters=filters,
                       report=report, factory=found, form_action=request.path,
                       back_url=_back_to_ranking(found))


def _back_to_ranking(found):
    """Staff reach a factory from the ranking; give them the way back."""
    if g.user.role == "owner":
        return None
    args = {key: value for key, value in request.args.items()
            if key in ("period", "from", "to", "grain", "tier")}
    return url_for("sales.dashboard", rep=found.rep.username if found.rep else None,
                   level="factories", **args)
