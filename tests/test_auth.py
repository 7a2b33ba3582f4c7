"""Signing in and out, sessions that can be revoked, API tokens, rate limits."""

import datetime
import time

import pytest
from bs4 import BeautifulSoup
from flask import jsonify

from access import issue_api_token, roles_required, safe_next
from models import ApiToken, AuditLog, LoginSession, User, db, utcnow
from tests.builders import PASSWORD
from tests.helpers import CSRF_INPUT as CSRF_INPUT_RE, csrf_token_of, login, session_cookie


def _login_form(client, username, password, next_url=None):
    token = csrf_token_of(client, "/login")
    data = {"username": username, "password": password, "csrf_token": token}
    if next_url:
        data["next"] = next_url
    return client.post("/login", data=data)


def test_login_page_is_translated_and_has_the_form(client):
    soup = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")
    assert soup.find("html")["lang"] == "zh-CN"
    assert soup.find("h1").get_text(strip=True) == "登录"
    assert soup.find("input", {"name": "username"})["autocomplete"] == "username"
    assert soup.find("input", {"name": "password", "type": "password"})


@pytest.mark.parametrize("role, home", [
    ("rep", "/my-day"), ("owner", "/my-factory"), ("manager", "/regions"), ("admin", "/admin/"),
])
def test_each_role_lands_on_its_own_home(client, users, role, home):
    response = _login_form(client, users[role].username, PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200
    assert client.get("/").headers["Location"] == home


def test_login_goes_back_to_the_page_asked_for(client, users):
    assert client.get("/regions?x=1").headers["Location"] == "/login?next=/regions?x%3D1"
    response = _login_form(client, "manager", PASSWORD, next_url="/regions?x=1")
    assert response.headers["Location"] == "/regions?x=1"


OFF_SITE = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
            "/%2F%2Fevil.example", "/%5Cevil.example", "%2F%2Fevil.example", "/\t/evil.example",
            "/\n/evil.example", " //evil.example", "javascript:alert(1)", "/%09/evil.example",
            "evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(client, users, target):
    response = _login_form(client, "manager", PASSWORD, next_url=target)
    assert response.headers["Location"] == "/regions"


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_every_off_site_form(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/regions", "/sales/?period=last_30&tier=super", "/my-day#top",
                                    "/sales/factories/GZ%20001"])
def test_safe_next_keeps_same_site_paths(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_never_redirects_off_site(client, users, target):
    token = csrf_token_of(client, "/login")
    response = client.post("/language", data={"lang": "en", "next": target, "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_wrong_password_shows_a_message_and_keeps_the_username(client, users):
    response = _login_form(client, "rep", "wrong-password")
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "用户名或密码错误" in soup.find(role="alert").get_text()
    assert soup.find("input", {"name": "username"})["value"] == "rep"
    assert not soup.find("input", {"name": "password"}).get("value")
    entry = AuditLog.get(AuditLog.action == "login.failed")
    assert entry.username == "rep" and entry.detail == "wrong password"


def test_disabled_user_cannot_sign_in(client, users):
    User.update(is_active=False).where(User.id == users.rep.id).execute()
    response = _login_form(client, "rep", PASSWORD)
    assert response.status_code == 200
    assert client.get("/my-day").status_code == 302


def test_successful_login_is_audited(client, users):
    _login_form(client, "owner", PASSWORD)
    entry = AuditLog.get(AuditLog.action == "login.success")
    assert entry.user_id == users.owner.id and entry.ip == "127.0.0.1"
    assert User.get_by_id(users.owner.id).last_login_at is not None


def test_session_cookie_flags(client, users):
    response = _login_form(client, "rep", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests


def test_session_cookie_is_secure_over_https(app, users):
    client = app.test_client()
    token = csrf_token_of(client, "/login")
    response = client.post("/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"},
                           data={"username": "rep", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_proxy_headers_are_trusted_only_when_configured(app, database_url):
    from app import create_app

    behind_proxy = create_app({"TESTING": True, "DATABASE_URL": database_url,
                               "SECRET_KEY": "x", "TRUSTED_PROXIES": 1,
                               "RATELIMIT_STORAGE_URI": "memory://"})
    headers = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" in behind_proxy.test_client().get(
        "/login", headers=headers).headers
    assert "Strict-Transport-Security" not in app.test_client().get(
        "/login", headers=headers).headers


def test_logout_refuses_a_cookie_captured_before(app, users):
    client = app.test_client()
    _login_form(client, "rep", PASSWORD)
    captured = session_cookie(client)
    assert client.get("/my-day").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token_of(client)})
    assert response.status_code == 303
    assert AuditLog.select().where(AuditLog.action == "logout").count() == 1
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert thief.get("/my-day").status_code == 302


def test_password_change_ends_other_sessions(app, users):
    laptop, phone = app.test_client(), app.test_client()
    _login_form(laptop, "rep", PASSWORD)
    _login_form(phone, "rep", PASSWORD)
    response = laptop.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "new-password-123",
        "confirm": "new-password-123", "csrf_token": csrf_token_of(laptop)})
    assert response.status_code == 303
    assert laptop.get("/my-day").status_code == 200
    assert phone.get("/my-day").status_code == 302
    assert User.get_by_id(users.rep.id).check_password("new-password-123")
    assert AuditLog.get(AuditLog.action == "user.password_changed").user_id == users.rep.id


def test_password_change_keeps_input_and_shows_errors(client_as):
    client = client_as("rep")
    response = client.post("/account/password", data={
        "current_password": "nope-nope", "new_password": "short",
        "confirm": "other", "csrf_token": client.csrf_token})
    assert response.status_code == 400
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    errors = [p.get_text() for p in soup.select(".field-error")]
    assert any("8" in error for error in errors)
    assert soup.find("input", {"name": "new_password"})["aria-invalid"] == "true"


def test_disabling_a_user_ends_their_sessions(client_as, users):
    client = client_as("rep")
    assert client.get("/my-day").status_code == 200
    User.update(is_active=False).where(User.id == users.rep.id).execute()
    assert client.get("/my-day").status_code == 302


def test_idle_session_ends(app, client_as, users):
    client = client_as("rep")
    idle = app.config["SESSION_IDLE_TIMEOUT"] + 60
    LoginSession.update(last_seen_at=utcnow() - datetime.timedelta(seconds=idle)).execute()
    response = client.get("/my-day")
    assert response.status_code == 302
    assert "expired=1" in response.headers["Location"]
    assert LoginSession.get().revoked_at is not None


def test_absolute_session_lifetime(app, client_as):
    client = client_as("rep")
    age = app.config["SESSION_ABSOLUTE_TIMEOUT"] + 60
    LoginSession.update(created_at=utcnow() - datetime.timedelta(seconds=age)).execute()
    assert client.get("/my-day").status_code == 302


def test_repeated_bad_logins_get_429_even_with_the_right_password(client, users):
    for _attempt in range(5):
        assert _login_form(client, "rep", "wrong-password").status_code == 200
    response = _login_form(client, "rep", PASSWORD)
    assert response.status_code == 429
    assert "分钟后再试" in response.get_data(as_text=True)
    # another account from the same address is not locked by this one
    assert _login_form(client, "manager", PASSWORD).status_code == 303
    assert AuditLog.select().where(AuditLog.action == "login.throttled").count() == 1


def test_bad_logins_from_one_address_are_limited_across_accounts(app, client, users):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for name in ("a", "b", "c"):
        _login_form(client, name, "wrong-password")
    assert _login_form(client, "rep", PASSWORD).status_code == 429


def test_anonymous_htmx_request_is_sent_to_login(client):
    response = client.get("/my-day", headers={"HX-Request": "true",
                                              "HX-Current-URL": "http://localhost/my-day?a=1"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/my-day?a%3D1"


# --- API tokens -----------------------------------------------------------------

@pytest.fixture
def api_app(app):
    """The app with a tiny API view, as the metrics area will add."""

    @app.get("/api/v1/whoami")
    def whoami():
        from flask import g
        return jsonify(username=g.user.username, role=g.user.role)

    @app.post("/api/v1/echo")
    @roles_required("admin", "manager")
    def echo():
        return jsonify(ok=True)

    return app


def _token_for(user, admin):
    with db.atomic():
        return issue_api_token(user, "BI", admin)[1]


def test_bearer_token_signs_in_as_its_user(api_app, users):
    token = _token_for(users.manager, users.admin)
    client = api_app.test_client()
    response = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json == {"username": "manager", "role": "manager"}
    assert "Set-Cookie" not in response.headers
    stored = ApiToken.get()
    assert token not in stored.token_hash and stored.last_used_at is not None


def test_bearer_requests_need_no_csrf_token(api_app, users):
    token = _token_for(users.manager, users.admin)
    response = api_app.test_client().post("/api/v1/echo",
                                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_token_carries_the_users_role(api_app, users):
    token = _token_for(users.rep, users.admin)
    response = api_app.test_client().post("/api/v1/echo",
                                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "error" in response.json


@pytest.mark.parametrize("breakage", ["revoked", "disabled", "wrong"])
def test_bad_tokens_get_401(api_app, users, breakage):
    token = _token_for(users.manager, users.admin)
    if breakage == "revoked":
        ApiToken.update(revoked_at=datetime.datetime(2025, 1, 1)).execute()
    elif breakage == "disabled":
        User.update(is_active=False).where(User.id == users.manager.id).execute()
    else:
        token += "x"
    response = api_app.test_client().get("/api/v1/whoami",
                                         headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["error"]
    assert AuditLog.get(AuditLog.action == "api.token_refused").detail == "/api/v1/whoami"


def test_tokens_only_work_under_api(api_app, users):
    token = _token_for(users.manager, users.admin)
    response = api_app.test_client().get("/regions",
                                         headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302


def test_anonymous_api_request_gets_401_json(api_app):
    response = api_app.test_client().get("/api/v1/whoami")
    assert response.status_code == 401 and response.json["error"]


def test_api_with_session_cookie_still_needs_csrf(api_app, users):
    client = login(api_app.test_client(), users.manager)
    assert client.get("/api/v1/whoami").json["username"] == "manager"
    assert client.post("/api/v1/echo").status_code == 400
    assert client.post("/api/v1/echo", headers={"X-CSRFToken": client.csrf_token}
                       ).status_code == 200


def test_set_password_command_ends_the_users_sessions(runner, client_as, users):
    client = client_as("rep")
    assert client.get("/my-day").status_code == 200
    result = runner.invoke(args=["set-password", "rep"], input="another-password\n")
    assert result.exit_code == 0, result.output
    assert client.get("/my-day").status_code == 302
    assert AuditLog.get(AuditLog.action == "user.password_reset").detail == "flask set-password"


def test_signing_in_again_ends_the_previous_session(client, users):
    _login_form(client, "rep", PASSWORD)
    first = session_cookie(client)
    _login_form(client, "manager", PASSWORD)
    assert client.get("/regions").status_code == 200
    assert LoginSession.select().where(LoginSession.revoked_at.is_null()).count() == 1
    client.set_cookie("session", first)
    assert client.get("/my-day").status_code == 302


def test_login_still_works_when_the_limit_storage_is_down(database_url, users):
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0"})
    client = app.test_client()
    assert _login_form(client, "rep", PASSWORD).status_code == 303


def _login_from(client, address, username, password):
    """A sign-in through the form from the client address ``address``."""
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    token = CSRF_INPUT_RE.search(page.get_data(as_text=True)).group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(app, users):
    attacker, owner = app.test_client(), app.test_client()
    for _attempt in range(5):
        assert _login_from(attacker, "203.0.113.9", "admin", "wrong-password").status_code == 200
    assert _login_from(attacker, "203.0.113.9", "admin", PASSWORD).status_code == 429
    assert _login_from(owner, "198.51.100.7", "admin", PASSWORD).status_code == 303
    assert AuditLog.select().where(AuditLog.action == "login.throttled").count() == 1


def test_failures_from_many_addresses_slow_the_account_but_never_lock_it(app, users):
    app.config["LOGIN_ACCOUNT_CEILING"] = "4 per 15 minutes"
    app.config["LOGIN_SLOWDOWN_SECONDS"] = 0.3
    for n in range(4):
        client = app.test_client()
        assert _login_from(client, f"203.0.113.{n}", "admin", "wrong").status_code == 200
    started = time.monotonic()
    response = _login_from(app.test_client(), "198.51.100.7", "admin", PASSWORD)
    assert response.status_code == 303
    assert time.monotonic() - started >= 0.3
    slowed = AuditLog.select().where(AuditLog.action == "login.slowed")
    assert [row.username for row in slowed] == ["admin"]


def test_guessing_the_current_password_is_limited_and_audited(client_as, users):
    client = client_as("rep")

    def change(current):
        return client.post("/account/password", data={
            "csrf_token": client.csrf_token, "current_password": current,
            "new_password": "another-password", "confirm": "another-password"})

    for _attempt in range(5):
        assert change("wrong-guess").status_code == 400
    assert change(PASSWORD).status_code == 429
    assert User.get_by_id(users.rep.id).check_password(PASSWORD)
    assert AuditLog.select().where(AuditLog.action == "user.password_change_failed").count() == 5
    assert AuditLog.select().where(
        AuditLog.action == "user.password_change_throttled").count() == 1
