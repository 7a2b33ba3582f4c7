"""The KPI API (SPEC section 5): ``GET /api/v1/kpis/<dashboard>``.

The same parameters, scope rule and numbers as the dashboards' pages, as
JSON for spreadsheets, BI tools and tests. Signed in by the login session
or an ``Authorization: Bearer`` token an admin issued (``access.py``).
"""

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from access import API_PREFIX
from metrics import DASHBOARDS, ParameterError, dashboard_module
from metrics.api_format import format_kpis
from metrics.scoping import FILTER_PARAMS, filters_from_args

bp = Blueprint("api", __name__, url_prefix=f"{API_PREFIX}v1")

KNOWN_PARAMS = frozenset(("from", "to") + FILTER_PARAMS)


def _error(status, code, message, **extra):
    response = jsonify(error=code, message=message, **extra)
    response.status_code = status
    return response


def _user():
    """The signed-in user (set by the access gate), or None."""
    return g.get("user")


@bp.get("/kpis/<dashboard>")
def kpis(dashboard):
    """Every KPI of one dashboard for the filters in the query string::

        {"dashboard": "sales", "from": "2026-01-01", "to": "2026-03-31",
         "scope": {"user", "role", "region", "rep", "factory", "tier"},
         "kpis": {"gmv_cny": 1234.5, "repeat_order_rate": 0.4667, ...}}
    """
    user = _user()
    if user is None:
        return _error(401, "unauthenticated",
                      _("Authentication required: sign in or send a valid API token."))
    if dashboard not in DASHBOARDS:
        return _error(404, "unknown_dashboard",
                      _("There is no dashboard %(name)s; use one of %(names)s.",
                        name=dashboard, names=", ".join(DASHBOARDS)))
    unknown = sorted(set(request.args) - KNOWN_PARAMS)
    if unknown:
        return _error(400, "bad_parameter",
                      _("Unknown parameter %(name)s; the API takes %(names)s.",
                        name=unknown[0], names=", ".join(sorted(KNOWN_PARAMS))),
                      parameter=unknown[0])
    try:
        scope, period = filters_from_args(user, request.args)
    except ParameterError as error:
        response = jsonify(error.as_dict())
        response.status_code = error.status
        return response
    values = dashboard_module(dashboard).kpis(scope, period)
    return jsonify({
        "dashboard": dashboard,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "scope": scope.as_dict(),
        "kpis": format_kpis(values),
    })


@bp.get("/me")
def me():
    """Who the request is signed in as (to check a token). Also the
    benchmark's calibration row: the app's cheapest authenticated answer."""
    user = _user()
    if user is None:
        return _error(401, "unauthenticated",
                      _("Authentication required: sign in or send a valid API token."))
    return jsonify(username=user.username, role=user.role)
