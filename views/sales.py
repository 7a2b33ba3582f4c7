"""The sales dashboards: the scope dashboard for reps, managers and admins
(tiles, charts, and a ranking regions -> reps -> factories that drills down by
link), and one factory's page, which is also the owner's home.

Views only read the request and render: every number comes from
``metrics.sales`` through ``views.sales_report``, the same functions the KPI
API uses, so tiles, charts, tables, exports and the API cannot disagree.
The dashboard is a ``dashboards.Dashboard``; the factory page uses the
frame's filters and macros without a table.
"""

from flask import Blueprint, g, request, url_for

from access import roles_required, visible_factory_by_code_or_404
from dashboards import Dashboard, came_from_args, read_filters
from metrics.health_data import owner_facts
from views.rendering import render_page
from views.sales_report import RANKING, dashboard_report, factory_report

bp = Blueprint("sales", __name__, url_prefix="/sales")


DASHBOARD = Dashboard(bp, "sales/dashboard.html", dashboard_report, tables=[RANKING])


@bp.get("/factories/<code>")
@roles_required("rep", "manager", "owner", "admin")
def factory(code):
    """One factory's sales, ROI and peer benchmark (owners: their own only)."""
    found = visible_factory_by_code_or_404(code)
    return factory_page(found)


def factory_page(found):
    """Render ``found``'s sales page for the current request's filters; the
    owner's home (``/my-factory``) uses it too."""
    filters = read_filters(g.user, request.args, factory=found,
                           fallback_args=came_from_args(request.headers))
    report = factory_report(filters, found)
    if g.user.role == "owner":
        report["membership_health"] = owner_facts(found.id, filters.period.end)
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
