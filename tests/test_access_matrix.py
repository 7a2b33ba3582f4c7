"""Who may open what: every route of the app, for every role.

``EXPECTED`` maps each endpoint (as in ``app.url_map``) to the status code
each kind of visitor gets: (anonymous, rep, owner, manager, admin). A route
with no row fails ``test_every_route_has_a_row``: when you add a view, add its
row here (and, if its URL has variables, a ``URL_ARGS`` entry; for a POST-only
route, optionally ``POST_DATA``).

How each route is requested: GET when the route allows GET, else POST with a
valid CSRF token and ``POST_DATA`` (default: an empty form). Redirects are not
followed. Anonymous visitors of pages get 302 (to the login page); of
``/api/`` URLs, 401.
"""

import pytest

from access import issue_api_token
from models import ImportJob, Notification, db, utcnow
from tests.helpers import csrf_token_of, login

ROLES = ("anonymous", "rep", "owner", "manager", "admin")
LOGIN = 302  # an anonymous visitor is sent to the login page
SKIP = None  # not requested (static files)

# endpoint: (anonymous, rep, owner, manager, admin)
EXPECTED = {
    "static": SKIP,
    "main.home": (302, 302, 302, 302, 302),
    "main.set_language": (303, 303, 303, 303, 303),
    "install.manifest": (200, 200, 200, 200, 200),
    "auth.login": (200, 302, 302, 302, 302),
    "auth.logout": (303, 303, 303, 303, 303),
    "auth.change_password": (LOGIN, 200, 200, 200, 200),
    "homes.my_day": (LOGIN, 200, 403, 403, 403),
    "homes.my_factory": (LOGIN, 403, 200, 403, 403),
    "homes.regions": (LOGIN, 403, 403, 200, 200),
    "admin.index": (LOGIN, 403, 403, 403, 200),
    "api.kpis": (401, 200, 200, 200, 200),
    "api.me": (401, 200, 200, 200, 200),
    "sales.dashboard": (LOGIN, 200, 403, 200, 200),
    "sales.ranking": (LOGIN, 200, 403, 200, 200),
    "sales.ranking_export": (LOGIN, 200, 403, 200, 200),
    "sales.factory": (LOGIN, 200, 200, 200, 200),
    "renewals.dashboard": (LOGIN, 200, 403, 200, 200),
    "renewals.due": (LOGIN, 200, 403, 200, 200),
    "renewals.due_export": (LOGIN, 200, 403, 200, 200),
    "admin.users": (LOGIN, 403, 403, 403, 200),
    "admin.user_new": (LOGIN, 403, 403, 403, 200),
    "admin.user_edit": (LOGIN, 403, 403, 403, 200),
    "admin.user_password": (LOGIN, 403, 403, 403, 400),  # empty form: errors shown
    "admin.token_new": (LOGIN, 403, 403, 403, 400),
    "admin.token_revoke": (LOGIN, 403, 403, 403, 303),
    "admin.regions": (LOGIN, 403, 403, 403, 200),
    "admin.region_new": (LOGIN, 403, 403, 403, 200),
    "admin.region_edit": (LOGIN, 403, 403, 403, 200),
    "admin.audit_log": (LOGIN, 403, 403, 403, 200),
    "data_exchange.index": (LOGIN, 403, 403, 403, 200),
    "data_exchange.upload": (LOGIN, 403, 403, 403, 400),  # empty form: errors shown
    "data_exchange.job": (LOGIN, 403, 403, 403, 200),
    "data_exchange.commit": (LOGIN, 403, 403, 403, 303),  # a finished job: nothing to do
    "data_exchange.cancel": (LOGIN, 403, 403, 403, 303),
    "data_exchange.export": (LOGIN, 200, 200, 200, 200),  # narrowed by scope.py
    "factories.own": (LOGIN, 403, 302, 403, 403),
    "factories.page": (LOGIN, 200, 200, 200, 200),
    "factories.timeline": (LOGIN, 200, 200, 200, 200),
    "factories.move_stage": (LOGIN, 303, 403, 303, 303),
    "factories.log_visit": (LOGIN, 303, 403, 303, 303),
    "factories.visit_form": (LOGIN, 302, 403, 302, 302),  # without htmx: to the page's form
    "factories.stage_form": (LOGIN, 302, 403, 302, 302),
    "notifications.index": (LOGIN, 200, 200, 200, 200),
    "notifications.open_one": (LOGIN, 303, 404, 404, 404),  # the rep's notification
    "notifications.read_all": (LOGIN, 303, 303, 303, 303),
    "notifications.bell": (LOGIN, 302, 302, 302, 302),  # without htmx: to the list
    "complaints.dashboard": (LOGIN, 200, 200, 200, 200),  # an owner: their factory's
    "complaints.board": (LOGIN, 200, 200, 200, 200),
    "complaints.board_export": (LOGIN, 200, 200, 200, 200),
    "complaints.new": (LOGIN, 200, 200, 200, 200),
    "complaints.file": (LOGIN, 422, 422, 422, 422),  # empty form: errors shown
    "complaints.page": (LOGIN, 200, 200, 200, 200),  # a complaint of the team's factory
    "complaints.comment": (LOGIN, 422, 422, 422, 422),
    "complaints.status": (LOGIN, 422, 403, 422, 422),  # staff only
    "complaints.rating": (LOGIN, 403, 422, 403, 403),  # the factory's owner only
    "complaints.assignee": (LOGIN, 422, 403, 422, 422),  # staff only
    "renewals.case": (LOGIN, 200, 403, 200, 200),  # a term of the team's factory; staff only
    "renewals.queue": (LOGIN, 403, 403, 200, 200),  # managers and admins decide
    "renewals.proposal": (LOGIN, 422, 403, 422, 422),  # empty form: errors shown
    "renewals.decision": (LOGIN, 403, 403, 422, 422),  # managers and admins only
    "renewals.outcome": (LOGIN, 422, 403, 422, 422),
    "onboarding.dashboard": (LOGIN, 200, 403, 200, 200),
    "onboarding.stalled": (LOGIN, 200, 403, 200, 200),
    "onboarding.stalled_export": (LOGIN, 200, 403, 200, 200),
    "onboarding.speed": (LOGIN, 200, 403, 200, 200),
    "onboarding.speed_export": (LOGIN, 200, 403, 200, 200),
    "onboarding.pipeline": (LOGIN, 200, 403, 200, 200),
    "onboarding.factories": (LOGIN, 200, 403, 200, 200),
    "onboarding.factories_export": (LOGIN, 200, 403, 200, 200),
}

# endpoint: function(users) -> URL variables
URL_ARGS = {
    "api.kpis": lambda users: {"dashboard": "sales"},
    "sales.ranking_export": lambda users: {"file_format": "csv"},
    "renewals.due_export": lambda users: {"file_format": "csv"},
    "sales.factory": lambda users: {"code": users.factory.code},
    "admin.user_edit": lambda users: {"user_id": users.rep.id},
    "admin.user_password": lambda users: {"user_id": users.rep.id},
    "admin.token_new": lambda users: {"user_id": users.rep.id},
    "admin.token_revoke": lambda users: {"user_id": users.rep.id,
                                         "token_id": _token(users.rep, users.admin)},
    "admin.region_edit": lambda users: {"region_id": users.region.id},
    "data_exchange.job": lambda users: {"job_id": _import_job(users.admin)},
    "data_exchange.commit": lambda users: {"job_id": _import_job(users.admin)},
    "data_exchange.cancel": lambda users: {"job_id": _import_job(users.admin)},
    "data_exchange.export": lambda users: {"kind": "sales", "fmt": "csv"},
    "factories.page": lambda users: {"code": users.factory.code},
    "factories.timeline": lambda users: {"code": users.factory.code},
    "factories.move_stage": lambda users: {"code": users.factory.code},
    "factories.log_visit": lambda users: {"code": users.factory.code},
    "factories.visit_form": lambda users: {"code": users.factory.code},
    "factories.stage_form": lambda users: {"code": users.factory.code},
    "notifications.open_one": lambda users: {"note_id": _notification(users.rep)},
    "complaints.board_export": lambda users: {"file_format": "csv"},
    "complaints.page": lambda users: {"code": _complaint(users.factory)},
    "complaints.comment": lambda users: {"code": _complaint(users.factory)},
    "complaints.status": lambda users: {"code": _complaint(users.factory)},
    "complaints.rating": lambda users: {"code": _complaint(users.factory)},
    "complaints.assignee": lambda users: {"code": _complaint(users.factory)},
    "renewals.case": lambda users: {"term_id": _term(users.factory)},
    "renewals.proposal": lambda users: {"term_id": _term(users.factory)},
    "renewals.decision": lambda users: {"term_id": _term(users.factory)},
    "renewals.outcome": lambda users: {"term_id": _term(users.factory)},
    "onboarding.stalled_export": lambda users: {"file_format": "csv"},
    "onboarding.speed_export": lambda users: {"file_format": "xlsx"},
    "onboarding.factories_export": lambda users: {"file_format": "csv"},
}


def _term(factory):
    """The id of ``factory``'s open membership term (made once)."""
    import datetime

    from models import Membership
    from tests.builders import make_membership

    with db.atomic():
        term = Membership.get_or_none(Membership.factory == factory.id)
        return (term or make_membership(factory, datetime.date(2026, 3, 1))).id


def _complaint(factory):
    """The code of a new complaint of ``factory``."""
    from tests.builders import make_complaint

    with db.atomic():
        return make_complaint(factory, utcnow()).code


def _import_job(admin):
    """The id of a finished import job."""
    with db.atomic():
        return ImportJob.create(kind="regions", filename="r.csv", state="imported",
                                uploaded_by=admin).id


def _notification(user):
    """The id of a notification for ``user``."""
    with db.atomic():
        return Notification.create(recipient=user, kind="stage_moved", link="/",
                                   params="{}").id


def _token(user, admin):
    """The id of a new API token of ``user``."""
    with db.atomic():
        return issue_api_token(user, "matrix", admin)[0].id

# endpoint: function(users) -> form data for a POST-only route
POST_DATA = {
    "main.set_language": lambda users: {"lang": "en", "next": "/"},
    "factories.move_stage": lambda users: {"stage": "lead"},
    "factories.log_visit": lambda users: {"purpose": "routine"},
}


def _routes(app):
    """(endpoint, rule) for every route, one rule per endpoint."""
    seen = {}
    for rule in app.url_map.iter_rules():
        seen.setdefault(rule.endpoint, rule)
    return seen


def test_every_route_has_a_row(app):
    endpoints = set(_routes(app))
    missing = sorted(endpoints - set(EXPECTED))
    stale = sorted(set(EXPECTED) - endpoints)
    assert not missing, f"add these endpoints to EXPECTED in {__file__}: {missing}"
    assert not stale, f"these rows name no route any more: {stale}"
    for endpoint, row in EXPECTED.items():
        assert row is SKIP or len(row) == len(ROLES), endpoint


def request_route(client, app, users, endpoint, rule):
    """Request ``endpoint`` the way the matrix says; returns the response."""
    with app.test_request_context():
        from flask import url_for

        args = URL_ARGS.get(endpoint, lambda _users: {})(users)
        url = url_for(endpoint, **args)
    if "GET" in rule.methods:
        return client.get(url)
    data = POST_DATA.get(endpoint, lambda _users: {})(users)
    token = getattr(client, "csrf_token", None) or csrf_token_of(client, "/login")
    return client.post(url, data=dict(data, csrf_token=token))


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, users, role):
    """Each role gets exactly the status its row says, on every route."""
    routes = _routes(app)
    problems = []
    # Sign-out ends the session, so it goes last.
    order = sorted(routes, key=lambda endpoint: endpoint == "auth.logout")
    client = app.test_client()
    if role != "anonymous":
        login(client, users[role])
    for endpoint in order:
        row = EXPECTED.get(endpoint)
        if row is SKIP:
            continue
        response = request_route(client, app, users, endpoint, routes[endpoint])
        expected = row[ROLES.index(role)]
        if response.status_code != expected:
            problems.append(f"{endpoint} {routes[endpoint].rule}: expected {expected}, "
                            f"got {response.status_code}")
        if role == "anonymous" and expected == LOGIN:
            assert "/login" in response.headers.get("Location", ""), endpoint
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_every_state_change_needs_a_csrf_token(app, users):
    """Every route accepting POST refuses a signed-in user's request without
    a token (400), whatever the role."""
    client = login(app.test_client(), users.admin)
    for endpoint, rule in _routes(app).items():
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            if rule.rule.startswith("/api/"):
                continue
            with app.test_request_context():
                from flask import url_for

                url = url_for(endpoint, **URL_ARGS.get(endpoint, lambda _users: {})(users))
            response = client.open(url, method=method, data={})
            assert response.status_code == 400, (endpoint, method, response.status_code)
