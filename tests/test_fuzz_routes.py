"""No input makes the app answer 5xx (issue 16 item 5): every GET route's
parameters and every form's fields, as each role, on the database the
suite runs on (SQLite, or PostgreSQL in CI).

The routes come from ``app.url_map``, so a route added later is covered
without touching this file. Each route's parameters are those SPEC section
5 names plus whatever its own page shows: the names of the fields of its
GET forms and the query keys of its links. Each form's fields come from the
``<form method="post">`` elements found on every page, matched to their
route by their ``action``; a POST route no page links to gets SPEC's field
names. Two passes per role:

* a sweep: every route once with every parameter set to each hostile value
  (NUL, line breaks, year 1 and 9999, a 20-digit number, markup, 5,000
  characters...), so each route meets each of them; then each GET
  parameter alone with each value of ``CORE_HOSTILE``, so no other
  parameter's error can answer first;
* hypothesis: random routes with random subsets of their parameters and
  random text, dates and numbers, bounded by ``max_examples`` and a deadline.

Both keep the whole file well under a minute.
"""

import datetime
import io
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import RequestRedirect
from werkzeug.exceptions import HTTPException

from tests.builders import make_membership, make_sales
from tests.helpers import csrf_token_of, login
from tests.test_access_matrix import ROLES, URL_ARGS

# SPEC section 5's parameters (and the pages' own): every GET route gets them.
COMMON_PARAMS = ("from", "to", "region", "rep", "factory", "tier", "period", "grain",
                 "level", "sort", "dir", "page")
# SPEC section 9's form fields: a POST route no page shows a form for gets them.
COMMON_FIELDS = ("stage", "entered_on", "note", "visited_at", "purpose", "notes",
                 "next_action_on", "factory", "category", "severity", "channel", "title",
                 "body", "internal", "status", "satisfaction", "comment", "tier", "fee_cny",
                 "risk_note", "decision", "outcome", "churn_reason", "version")
# Sign-out ends the client's session; it is covered by the access matrix.
NOT_FUZZED = {"static", "auth.logout"}
# What broke before (issue 16 item 5): each parameter gets each of these alone,
# so no other parameter's error can answer first.
CORE_HOSTILE = ("\x00", "0001-01-01", "99999999999999999999")
HOSTILE = ("\x00", "a\x00b", "\r\nX-Injected: 1", "0001-01-01", "9999-12-31",
           "99999999999999999999", "-1", "1e309", "NaN", "１２", "<script>x</script>",
           "' OR 1=1 --", "../../etc/passwd", "//evil.example", "x" * 5000, " ", "")


def _walk(app):
    """``{endpoint: (rule, methods)}`` of every fuzzed route."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in NOT_FUZZED:
            routes.setdefault(rule.endpoint, rule)
    return routes


def _url(app, users, endpoint):
    with app.test_request_context():
        return url_for(endpoint, **URL_ARGS.get(endpoint, lambda _users: {})(users))


def _fields_of(form):
    names = {tag.get("name") for tag in form.find_all(["input", "select", "textarea",
                                                      "button"])}
    return {name for name in names if name and not name.endswith("csrf_token")}


def _discover(app, client, users, routes):
    """``(get_params, post_fields, file_fields)``, each ``{endpoint: names}``,
    read from the pages ``client`` can open."""
    adapter = app.url_map.bind("localhost")
    get_params = {endpoint: set(COMMON_PARAMS) for endpoint, rule in routes.items()
                  if "GET" in rule.methods}
    post_fields, file_fields = {}, {}
    for endpoint in list(get_params):
        url = _url(app, users, endpoint)
        response = client.get(url)
        if response.status_code != 200 or "html" not in (response.content_type or ""):
            continue
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for form in soup.find_all("form"):
            action = urlsplit(form.get("action") or url).path
            method = (form.get("method") or "get").lower()
            try:
                target, _args = adapter.match(action, method="POST" if method == "post"
                                              else "GET")
            except (HTTPException, RequestRedirect):
                continue
            if target not in routes:
                continue
            if method == "post":
                post_fields.setdefault(target, set()).update(_fields_of(form))
                file_fields.setdefault(target, set()).update(
                    tag.get("name") for tag in form.find_all("input", type="file"))
            elif target in get_params:
                get_params[target].update(_fields_of(form))
        for tag in soup.find_all(attrs={"href": True}) + soup.find_all(attrs={"hx-get": True}):
            link = urlsplit(tag.get("hx-get") or tag.get("href"))
            if link.netloc or not link.path.startswith("/"):
                continue
            try:
                target, _args = adapter.match(link.path, method="GET")
            except (HTTPException, RequestRedirect):
                continue
            if target in get_params:
                get_params[target].update(key for key, _value in parse_qsl(link.query))
    for endpoint, rule in routes.items():
        if rule.methods & {"POST"} and not post_fields.get(endpoint):
            post_fields[endpoint] = set(COMMON_FIELDS)
    return get_params, post_fields, file_fields


@pytest.fixture
def world(app, users):
    """The team plus a year of sales and a term, so every page computes."""
    start = datetime.date(2025, 1, 1)
    for factory in (users.factory, users.other_factory):
        make_membership(factory, start)
        for offset in range(0, 400, 7):
            make_sales(factory, start + datetime.timedelta(days=offset), gmv_fen=10_000 + offset,
                       orders=3, new_buyers=1, repeat_orders=1, dropship_orders=1,
                       shipments=3, shipments_picked_48h=2)
    return users


class Fuzzer:
    """Sends one request to a route with the given values, and checks it."""

    def __init__(self, app, users, role):
        self.app, self.users, self.role = app, users, role
        self.client = app.test_client()
        if role != "anonymous":
            login(self.client, users[role])
        self.routes = _walk(app)
        self.get_params, self.post_fields, self.file_fields = {}, {}, {}
        for viewer in (login(app.test_client(), users.admin), app.test_client(), self.client):
            for found, more in zip((self.get_params, self.post_fields, self.file_fields),
                                   _discover(app, viewer, users, self.routes)):
                for endpoint, names in more.items():
                    found.setdefault(endpoint, set()).update(names)
        self.token = getattr(self.client, "csrf_token", None) or csrf_token_of(
            self.client, "/login")
        self.targets = sorted([("GET", e) for e in self.get_params]
                              + [("POST", e) for e in self.post_fields])

    def names(self, method, endpoint):
        return sorted((self.get_params if method == "GET" else self.post_fields)[endpoint])

    def send(self, method, endpoint, values):
        url = _url(self.app, self.users, endpoint)
        if method == "GET":
            response = self.client.get(url, query_string=values)
        else:
            data = dict(values, csrf_token=self.token)
            for name in self.file_fields.get(endpoint, ()):
                text = values.get(name, "")
                data[name] = (io.BytesIO(text.encode("utf-8", "surrogatepass")),
                              f"{text[:40]}.csv")
            response = self.client.post(url, data=data)
        assert response.status_code < 500, (
            f"{self.role} {method} {url} {values!r}: {response.status_code}")
        return response


@pytest.mark.parametrize("role", ROLES)
def test_every_route_survives_every_hostile_value(app, world, role):
    fuzzer = Fuzzer(app, world, role)
    assert ("GET", "sales.dashboard") in fuzzer.targets
    for method, endpoint in fuzzer.targets:
        names = fuzzer.names(method, endpoint)
        for value in HOSTILE:
            fuzzer.send(method, endpoint, dict.fromkeys(names, value))
        # One parameter at a time, where the route reads its parameters at
        # all for this role (a refusal without any is a refusal with them).
        if method == "GET" and fuzzer.send(method, endpoint, {}).status_code < 300:
            for name in names:
                for value in CORE_HOSTILE:
                    fuzzer.send(method, endpoint, {name: value})


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
VALUES = st.one_of(
    st.sampled_from(HOSTILE), TEXT,
    st.integers(min_value=-10**25, max_value=10**25).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
    st.sampled_from(("sales", "onboarding", "regions", "reps", "factories", "cxt", "super",
                     "day", "week", "month", "custom", "asc", "desc", "GZ-WOMEN", "rep",
                     "F-OWN", "F-OTHER", "other_rep", "admin")),
)


@pytest.mark.parametrize("role", ROLES)
def test_random_input_never_gets_a_5xx(app, world, role):
    fuzzer = Fuzzer(app, world, role)

    @settings(max_examples=40, deadline=datetime.timedelta(seconds=2), database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def check(data):
        method, endpoint = data.draw(st.sampled_from(fuzzer.targets), label="route")
        names = fuzzer.names(method, endpoint)
        values = data.draw(st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names)),
                           label="values")
        fuzzer.send(method, endpoint, values)

    check()
