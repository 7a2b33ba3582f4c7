"""Accounts in a real browser: signing in on a phone, each role's home, the
Content-Security-Policy holding with a Plotly chart on the page, and htmx
errors shown to the user.

This file runs its own server on its own small database (users made with the
test builders, one password set with ``flask set-password``), so it does not
depend on the demo seed.
"""

import subprocess
import sys

import pytest

from tests.browser.conftest import (LAPTOP, PHONE, ROOT, WatchedPage, app_env, gunicorn_server,
                                    run_flask)

PASSWORD = "browser-pass-123"
ROLE_HOMES = {"rep": "/my-day", "owner": "/my-factory", "manager": "/regions", "admin": "/admin/"}

SETUP = f"""
import datetime
from app import create_app
from tests.builders import make_factory, make_membership, make_region, make_stage, make_user, make_visit
app = create_app()
with app.app_context():
    gz = make_region(code="GZ", name_zh="广州女装", name_en="Guangzhou womenswear")
    st = make_region(code="ST", name_zh="汕头内衣", name_en="Shantou underwear")
    rep = make_user("rep", username="rep", regions=[gz], password="{PASSWORD}", display_name="陈小二")
    make_user("manager", username="manager", regions=[gz, st], password="{PASSWORD}")
    make_user("admin", username="admin", password=None, display_name="运营小张")
    today = datetime.date.today()
    first = None
    for n in range(12):
        factory = make_factory(region=gz if n % 2 else st, rep=rep if n % 3 else None,
                               name=f"测试工厂{{n}}")
        first = first or factory
        make_stage(factory, "lead", today - datetime.timedelta(days=100))
        if n % 4 == 0:
            make_stage(factory, "live", today - datetime.timedelta(days=10))
            make_membership(factory, today - datetime.timedelta(days=300))
        if n % 3:
            make_visit(factory, rep, datetime.datetime(2026, 1, n + 1),
                       next_action_on=today + datetime.timedelta(days=n))
    make_user("owner", username="owner", factory=first, password="{PASSWORD}")
"""

# Reports CSP violations even where the console would not say so.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory):
    """The app under gunicorn on a database with one user per role."""
    env = app_env(tmp_path_factory.mktemp("accounts"))
    run_flask(env, "init-db")
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    run_flask(env, "set-password", "admin", stdin=f"{PASSWORD}\n".encode())
    with gunicorn_server(env) as base_url:
        yield base_url


@pytest.fixture
def open_accounts_page(browser, accounts_server):
    contexts = []

    def open_(viewport=PHONE):
        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        return WatchedPage(context.new_page(), accounts_server)

    yield open_
    for context in contexts:
        context.close()


def _sign_in(watched, username):
    watched.goto("/login")
    watched.page.fill("input[name=username]", username)
    watched.page.fill("input[name=password]", PASSWORD)
    watched.page.click("form button[type=submit].primary")
    watched.page.wait_for_load_state("networkidle")


def _csp_violations(watched):
    return watched.csp_violations + watched.page.evaluate("window.__cspViolations")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("role", list(ROLE_HOMES))
def test_each_role_signs_in_to_a_clean_home(open_accounts_page, role, viewport):
    watched = open_accounts_page(viewport)
    _sign_in(watched, role)
    assert watched.page.url.endswith(ROLE_HOMES[role])
    assert watched.horizontal_overflow() == 0
    assert not _csp_violations(watched)
    watched.assert_clean()
    if viewport is PHONE:
        violations = watched.serious_accessibility_violations()
        assert violations == [], "\n".join(map(str, violations))


def test_login_page_is_accessible(open_accounts_page):
    watched = open_accounts_page(PHONE)
    watched.goto("/login")
    assert watched.serious_accessibility_violations() == []
    watched.assert_clean()


def test_chart_page_draws_plotly_without_csp_violations(open_accounts_page):
    watched = open_accounts_page(LAPTOP)
    _sign_in(watched, "manager")
    watched.page.wait_for_selector("#region-chart svg.main-svg")
    bars = watched.page.locator("#region-chart g.point").count()
    assert bars > 0
    # plotly.js adds its own <style> element, allowed by the policy's hash
    assert watched.page.evaluate("document.querySelectorAll('style').length") >= 1
    assert not _csp_violations(watched)
    watched.assert_clean()


def test_the_policy_really_blocks_inline_styles_and_scripts(open_accounts_page):
    """A positive control: the watcher sees a violation when there is one."""
    watched = open_accounts_page(LAPTOP)
    watched.goto("/login")
    watched.page.evaluate(
        "document.head.insertAdjacentHTML('beforeend', '<style>body{color:red}</style>')")
    watched.page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__ran = true'; document.body.appendChild(s); }""")
    watched.page.wait_for_timeout(200)
    assert watched.page.evaluate("window.__ran") is None
    violations = _csp_violations(watched)
    assert any("style-src" in v for v in violations), violations
    assert any("script-src" in v for v in violations), violations


def test_htmx_permission_error_is_shown_not_swallowed(open_accounts_page):
    watched = open_accounts_page(PHONE)
    _sign_in(watched, "owner")
    watched.page.evaluate("htmx.ajax('GET', '/admin/users', {target: '#main'})")
    flash = watched.page.locator("#flash .flash-error")
    flash.wait_for()
    assert "没有权限" in flash.inner_text()
    watched.console_errors.clear()  # the browser logs the 403 itself


def test_sign_out_then_back_button_shows_no_private_page(open_accounts_page):
    watched = open_accounts_page(PHONE)
    _sign_in(watched, "rep")
    watched.page.click("text=退出登录")
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.url.endswith("/login")
    watched.page.go_back()
    watched.page.wait_for_load_state("networkidle")
    assert "/login" in watched.page.url
    assert watched.page.locator(".factory-item").count() == 0


def test_wrong_password_on_a_phone(open_accounts_page):
    watched = open_accounts_page(PHONE)
    watched.goto("/login")
    watched.page.fill("input[name=username]", "rep")
    watched.page.fill("input[name=password]", "wrong-password")
    watched.page.click("form button[type=submit].primary")
    watched.page.wait_for_load_state("networkidle")
    assert "用户名或密码错误" in watched.page.locator("[role=alert]").inner_text()
    assert watched.page.input_value("input[name=username]") == "rep"
    assert watched.horizontal_overflow() == 0
    watched.assert_clean()
