"""The security baseline: headers, error pages, scope, escaping."""

import datetime

import pytest
from bs4 import BeautifulSoup
from flask import url_for

from models import Factory, Region, User
from security import CONTENT_SECURITY_POLICY
from tests import test_access_matrix as matrix
from tests.builders import make_factory, make_visit
from tests.helpers import page_soup


_soup = page_soup


# --- headers ----------------------------------------------------------------------

def test_every_page_carries_the_security_headers(client_as):
    response = client_as("manager").get("/regions")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in headers["Cache-Control"]


def test_pages_have_no_inline_scripts(client_as):
    for role, path in [("manager", "/regions"), ("rep", "/my-day"), ("owner", "/my-factory"),
                       ("admin", "/admin/")]:
        soup = _soup(client_as(role).get(path))
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/json", (path, script)
        assert not soup.find_all(style=True), path
        assert not soup.find_all("style"), path


def test_static_files_stay_cacheable(client):
    soup = _soup(client.get("/login"))
    css = soup.find("link", rel="stylesheet")["href"]
    response = client.get(css)
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


# --- error pages ------------------------------------------------------------------

def test_404_is_a_translated_page(client_as):
    response = client_as("rep").get("/no/such/page")
    assert response.status_code == 404
    soup = _soup(response)
    assert soup.find("h1").get_text() == "页面不存在"
    assert soup.find("header")


def test_403_is_a_translated_page(client_as):
    response = client_as("owner").get("/admin/")
    assert response.status_code == 403
    assert _soup(response).find("h1").get_text() == "无权访问"


def test_htmx_errors_carry_a_message_header(client_as):
    response = client_as("owner").get("/admin/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    from urllib.parse import unquote

    assert unquote(response.headers["X-Error-Message"]) == "你没有权限查看或执行此操作。"
    assert _soup(response).find("html") is None


def test_htmx_csrf_failure_says_so(client_as):
    response = client_as("rep").post("/language", data={"lang": "en"},
                                     headers={"HX-Request": "true"})
    assert response.status_code == 400
    from urllib.parse import unquote

    assert "表单已过期" in unquote(response.headers["X-Error-Message"])


def test_csrf_token_in_the_htmx_header_is_accepted(client_as):
    client = client_as("rep")
    response = client.post("/language", data={"lang": "en", "next": "/my-day"},
                           headers={"HX-Request": "true", "X-CSRFToken": client.csrf_token})
    assert response.status_code == 303


def test_server_errors_show_no_traceback(app, client_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    matrix_free = client_as("rep")
    response = matrix_free.get("/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert _soup(response).find("h1").get_text() == "服务器错误"


def test_405_keeps_the_allow_header(client_as):
    response = client_as("rep").put("/my-day")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


# --- scope --------------------------------------------------------------------------

def _other_factory_urls(app, users):
    """Every GET route, pointed at the other factory wherever it takes one."""
    other = users.other_factory
    query = {"factory": other.code, "factory_id": other.id, "region": users.other_region.code}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            args = matrix.URL_ARGS.get(rule.endpoint, lambda _users: {})(users)
            for name in rule.arguments:
                if name in ("factory_id", "id"):
                    args[name] = other.id
                elif name in ("code", "factory_code", "factory"):
                    args[name] = other.code
            urls.append(url_for(rule.endpoint, **args, **query))
    return urls


@pytest.mark.parametrize("role", ["owner", "rep", "manager"])
def test_nobody_sees_a_factory_outside_their_scope(app, client_as, users, role):
    """Through every page and partial, with the other factory in the URL."""
    client = client_as(role)
    for url in _other_factory_urls(app, users):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            body = response.get_data(as_text=True)
            assert users.other_factory.name not in body, (role, url)
            assert response.status_code in (200, 302, 303, 400, 403, 404), (url, response.status_code)


def test_rep_day_lists_only_their_book(client_as, users):
    make_factory(region=users.region, rep=users.other_rep, name="别人的工厂")
    soup = _soup(client_as("rep").get("/my-day"))
    names = [tag.get_text() for tag in soup.select(".factory-name")]
    assert names == [users.factory.name]  # never visited: a "visit due" item
    assert soup.find(attrs={"data-kpi": "my_day_all"})["data-value"] == "1"


def test_manager_region_overview_counts_only_their_regions(client_as, users):
    make_factory(region=users.region, name="另一家")
    soup = _soup(client_as("manager").get("/regions"))
    table = soup.select("section[aria-labelledby=regions-heading] tbody tr")
    rows = [[td.get_text(strip=True) for td in tr.find_all(["th", "td"])] for tr in table]
    assert rows == [["广州女装", "女装", "2", "0", "0", "1", "销售入驻辅导续约吐槽"]]  # + its dashboards
    assert users.other_region.name_zh not in soup.get_text()


def test_owner_sees_their_own_factory_card(client_as, users):
    soup = _soup(client_as("owner").get("/my-factory"))
    assert soup.find(id="factory-name").get_text() == users.factory.name
    assert users.rep.display_name in soup.get_text()


# --- escaping -----------------------------------------------------------------------

HOSTILE = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "' hx-get=\"/admin/evil\" hx-trigger=\"load\" x='",
]


def _assert_inert(html, where):
    """Nothing the hostile text could have become is live in ``html``."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), (where, tag)
            text = " ".join(value) if isinstance(value, list) else value
            assert not (name.startswith("hx-") and "evil" in text), (where, tag)
    assert not soup.find_all("img"), where
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") == "application/json", where
    assert "<script>alert" not in html and "<img src=x" not in html, where


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_comes_back_escaped(app, client_as, users, payload):
    """Every free-text field of this area, shown on every page that shows it."""
    Region.update(name_zh=payload, name_en=payload, industry_zh=payload, industry_en=payload,
                  city=payload, province=payload).where(Region.id == users.region.id).execute()
    User.update(display_name=payload, email=payload, phone=payload[:32]).where(
        User.id.in_([users.rep.id, users.manager.id])).execute()
    Factory.update(name=payload, address=payload).where(Factory.id == users.factory.id).execute()
    make_visit(users.factory, users.rep, datetime.datetime(2026, 1, 1), notes=payload)
    admin = client_as("admin")
    admin.post(f"/admin/users/{users.manager.id}/tokens",
               data={"csrf_token": admin.csrf_token, "token-name": payload})
    # a failed login with the text as the user name goes to the audit log
    anonymous = app.test_client()
    from tests.helpers import csrf_token_of

    token = csrf_token_of(anonymous, "/login")
    login_page = anonymous.post("/login", data={"username": payload[:60], "password": "x",
                                                "csrf_token": token})
    _assert_inert(login_page.get_data(as_text=True), "login")
    # the admin re-displays rejected input in the form
    rejected = admin.post("/admin/users/new", data={
        "csrf_token": admin.csrf_token, "username": payload, "display_name": payload,
        "role": "rep", "email": payload, "phone": payload, "factory_code": payload})
    _assert_inert(rejected.get_data(as_text=True), "user_new")
    pages = [
        (admin, "/admin/"), (admin, "/admin/users"), (admin, f"/admin/users/{users.manager.id}"),
        (admin, f"/admin/users/{users.rep.id}"), (admin, "/admin/regions"),
        (admin, f"/admin/regions/{users.region.id}"), (admin, "/admin/audit"),
        (admin, "/regions"), (client_as("manager"), "/regions"), (client_as("rep"), "/my-day"),
        (client_as("owner"), "/my-factory"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_inert(response.get_data(as_text=True), path)


def test_rep_day_puts_urgent_work_first_and_leaves_lost_factories_out(client_as, users):
    from tests.builders import make_stage
    from views.homes import shanghai_today

    today = shanghai_today()
    lost = make_factory(region=users.region, rep=users.rep, name="已流失工厂")
    make_stage(lost, "lead", today - datetime.timedelta(days=90))
    make_stage(lost, "lost", today - datetime.timedelta(days=30))
    make_visit(lost, users.rep, datetime.datetime(2026, 1, 2),
               next_action_on=today - datetime.timedelta(days=40))
    urgent = make_factory(region=users.region, rep=users.rep, name="今天要跟进")
    make_visit(urgent, users.rep, datetime.datetime.now() - datetime.timedelta(days=2),
               next_action_on=today)
    soup = _soup(client_as("rep").get("/my-day"))
    names = [tag.get_text() for tag in soup.select(".factory-name")]
    assert names == ["今天要跟进", users.factory.name]
    tiles = {tile["data-kpi"]: tile["data-value"] for tile in soup.select("[data-kpi]")}
    assert tiles == {"my_day_all": "2", "my_day_complaint": "0", "my_day_renewal": "0",
                     "my_day_next_action": "1", "my_day_stalled": "0", "my_day_not_visited": "1"}
