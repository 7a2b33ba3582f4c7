"""The browser test harness: Debian's headless Chromium, driven by Python
Playwright, against the real app served by gunicorn on 127.0.0.1.

The server runs in its own process on its own SQLite file filled once per
test session with ``flask seed-demo`` (the demo scale), so browser tests see
the same realistic data a newcomer sees after ``make run``. Every page a test
opens is watched: console errors, Content-Security-Policy violations and any
request to another host fail the test.
"""

import os
import sqlite3
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.helpers import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DEMO_PASSWORD = "demo1688"  # demo_data's password for every demo login


def pytest_collection_modifyitems(items):
    """Everything under tests/browser is a browser test."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _require_chromium():
    """Skip without Chromium (a run that named browser tests explicitly;
    tests/conftest.py leaves them out of a plain run), or fail when
    REQUIRE_BROWSER_TESTS=1 says CI needs them."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER_TESTS") != "1":
            pytest.skip(f"no Chromium at {CHROMIUM} (see tests/conftest.py)")
        pytest.fail(f"Chromium not found at {CHROMIUM} and REQUIRE_BROWSER_TESTS=1: "
                    "run `apt-get install chromium fonts-noto-cjk`")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FLASK = [sys.executable, "-m", "flask", "--app", "app"]


def app_env(workdir):
    """The environment of a throwaway app: its own SQLite file, no Redis."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{workdir / 'browser.db'}",
               SECRET_KEY="browser-tests", FLASK_APP="app")
    env.pop("REDIS_URL", None)
    return env


def run_flask(env, *args, stdin=None):
    """``flask --app app ARGS`` for the app of ``env`` (fails the test on error)."""
    subprocess.run(FLASK + list(args), cwd=ROOT, env=env, check=True, capture_output=True,
                   input=stdin)


@contextmanager
def gunicorn_server(env):
    """The app of ``env`` under gunicorn on a free port of 127.0.0.1; yields
    its base URL once it answers, stops it afterwards."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base_url + "/static/css/app.css", timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("gunicorn did not start: " + server.stderr.read().decode())
            time.sleep(0.2)
    try:
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The base URL of the app under gunicorn, with demo data loaded."""
    _require_chromium()
    env = app_env(tmp_path_factory.mktemp("live"))
    run_flask(env, "init-db")
    run_flask(env, "seed-demo", "--scale", "demo")
    with gunicorn_server(env) as base_url:
        yield LiveServer(base_url, env["DATABASE_URL"].removeprefix("sqlite:///"))


class LiveServer(str):
    """The live server's base URL (a ``str``), knowing its database file."""

    def __new__(cls, base_url, database_path):
        server = super().__new__(cls, base_url)
        server.database_path = database_path
        return server

    def forget_languages(self):
        """Every user back to no remembered language (the zh-CN default): a
        test that switches to English must not leave later tests in English."""
        with sqlite3.connect(self.database_path) as connection:
            connection.execute('UPDATE "user" SET locale = NULL')


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield chromium
        chromium.close()


class WatchedPage:
    """A Playwright page plus what went wrong while it was open."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.console_errors = []
        self.csp_violations = []
        self.foreign_requests = []
        page.on("console", self._on_console)
        page.on("request", self._on_request)

    def _on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)

    def _on_request(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:")) and host not in LOCAL_HOSTS:
            self.foreign_requests.append(request.url)

    def goto(self, path):
        """Open ``path`` on the live server and wait until the network is idle."""
        response = self.page.goto(self.base_url + path, wait_until="networkidle")
        return response

    def login(self, username, password=DEMO_PASSWORD):
        """Sign in through the login form as a demo user; lands on their home."""
        self.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation(wait_until="networkidle"):
            self.page.click("main button[type=submit]")

    def switch_language(self, code):
        """Choose ``code`` (``en`` or ``zh_CN``) with the header's switch; the
        choice is remembered on the user, so a test that switches to English
        switches back before it ends."""
        with self.page.expect_navigation(wait_until="networkidle"):
            self.page.click(f".lang-switch button[value={code}]")

    def horizontal_overflow(self):
        """How many pixels the page is wider than the viewport (0 is good).
        The body's width counts too: ``html, body { overflow-x: hidden }``
        would hide a too-wide table (cut off, not scrollable) from the
        document's own width."""
        return self.page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth")

    def small_targets(self):
        """The visible links and controls smaller than 44 x 44 px, as
        ``"tag text WxH"``. A checkbox or radio is measured by its label
        (the label is what a finger taps); the skip link counts only when
        focused (it is off screen until then)."""
        return self.page.evaluate("""() => {
            const found = [];
            const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
            for (const element of document.querySelectorAll(targets)) {
                let box = element;
                if (element.type === 'checkbox' || element.type === 'radio') {
                    box = element.closest('label')
                        || document.querySelector('label[for="' + element.id + '"]') || element;
                }
                const rect = box.getBoundingClientRect();
                if (!rect.width || !rect.height || rect.right <= 0) continue;
                if (getComputedStyle(box).visibility === 'hidden') continue;
                if (rect.width < 44 || rect.height < 44) {
                    const text = (element.innerText || element.value || '').trim().slice(0, 30);
                    found.push(`${element.tagName} ${text} ${Math.round(rect.width)}x${Math.round(rect.height)}`);
                }
            }
            return found;
        }""")

    def serious_accessibility_violations(self):
        """axe-core's serious and critical findings on the current page."""
        self.page.evaluate(AXE_SCRIPT.read_text())
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"] if v["impact"] in ("serious", "critical")]

    def assert_clean(self):
        """No console errors, no CSP violations, no request to another host."""
        assert not self.csp_violations, self.csp_violations
        assert not self.console_errors, self.console_errors
        assert not self.foreign_requests, self.foreign_requests


@pytest.fixture
def open_page(browser, live_server):
    """Open a watched page at a viewport size (``PHONE`` by default); every
    test starts with no user's language remembered."""
    live_server.forget_languages()
    contexts = []

    def open_(viewport=PHONE, locale="zh-CN"):
        context = browser.new_context(viewport=viewport, locale=locale,
                                      device_scale_factor=1)
        contexts.append(context)
        return WatchedPage(context.new_page(), live_server)

    yield open_
    for context in contexts:
        context.close()
