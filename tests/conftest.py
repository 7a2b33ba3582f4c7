"""Shared fixtures: a real, fresh database per test (never a mock).

SQLite by default: a new file per test. When ``DATABASE_URL`` points at
PostgreSQL (as in ``.ci/run``), the schema is migrated once per run and every
table is emptied before each test.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

import database
from app import create_app
from models import ALL_MODELS, ROLLUP_MODELS, STATE_MODELS, Factory, Region, User, db
from tests import helpers
from tests.helpers import CHROMIUM, CSRF_INPUT
from tests.builders import PASSWORD, make_factory, make_region, make_user

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
USE_POSTGRES = POSTGRES_URL.startswith(("postgres://", "postgresql://"))

# The browser tests need Debian's Chromium. Without it they are left out with
# one line saying so, unless REQUIRE_BROWSER_TESTS=1 (as .ci/run sets): then
# they run and fail, so CI never passes without them.
BROWSER_TESTS_REQUIRED = os.environ.get("REQUIRE_BROWSER_TESTS") == "1"
SKIP_BROWSER_TESTS = not Path(CHROMIUM).exists() and not BROWSER_TESTS_REQUIRED
BROWSER_SKIP_LINE = (
    f"browser tests skipped: no Chromium at {CHROMIUM}. Run `make test` as root on "
    "Debian/Ubuntu (it installs it), or `apt-get install chromium fonts-noto-cjk`; "
    "REQUIRE_BROWSER_TESTS=1 makes a missing browser a failure.")
collect_ignore = ["browser"] if SKIP_BROWSER_TESTS else []


def pytest_report_header():
    return BROWSER_SKIP_LINE if SKIP_BROWSER_TESTS else None


def pytest_terminal_summary(terminalreporter):
    if SKIP_BROWSER_TESTS:
        terminalreporter.write_line(BROWSER_SKIP_LINE, yellow=True)


@pytest.fixture(autouse=True)
def _own_instance_folder(monkeypatch, tmp_path):
    """Every test's app keeps its instance folder (secret key, default
    SQLite file) in the test's own temporary folder, never the project's."""
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setenv("INSTANCE_PATH", str(instance))


@pytest.fixture(scope="session")
def _postgres_schema():
    """Migrate the PostgreSQL test database once, from nothing."""
    if not USE_POSTGRES:
        return None
    pg = database.connect_database(POSTGRES_URL)
    pg.execute_sql("DROP SCHEMA public CASCADE")
    pg.execute_sql("CREATE SCHEMA public")
    database.migrate_schema()
    pg.close()
    return POSTGRES_URL


@pytest.fixture
def database_url(tmp_path, _postgres_schema):
    """The URL of an empty, migrated database for one test."""
    if USE_POSTGRES:
        pg = database.connect_database(POSTGRES_URL)
        tables = ", ".join(f'"{model._meta.table_name}"' for model in ALL_MODELS + ROLLUP_MODELS
                           + STATE_MODELS)
        pg.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        pg.close()
        return POSTGRES_URL
    url = f"sqlite:///{tmp_path / 'test.db'}"
    database.connect_database(url)
    database.migrate_schema()
    db.close()
    return url


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in
    production. Without this, requests would reuse the test's app context and
    share ``g`` (the signed-in user, the CSRF token, the locale) with each
    other."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    """The app bound to this test's database, with its own instance folder."""
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.connect(reuse_if_open=True)
        yield app
        if not db.is_closed():
            db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_token(client):
    """A function returning a valid CSRF token for ``client``'s session,
    read from a page the way a browser would get it."""

    def token(path="/"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    return token


# --- accounts: one user per role, signed-in clients --------------------------

_PASSWORD_HASH = {}


def password_hash():
    """A scrypt hash of ``builders.PASSWORD``, made once per run with a low
    work factor: the app's own hashes are deliberately slow to check, which
    would dominate every test that signs in through the form."""
    if not _PASSWORD_HASH:
        _PASSWORD_HASH["hash"] = generate_password_hash(PASSWORD, method="scrypt:2048:8:1")
    return _PASSWORD_HASH["hash"]


@dataclass
class Team:
    """One user per role around one region and its factory, plus a second
    region and factory none of them may see (but the admin).

    * ``manager`` manages ``region``; ``rep`` works ``region`` and has
      ``factory`` in their book; ``owner`` owns ``factory``.
    * ``other_factory`` is in ``other_region``, with ``other_rep`` and
      ``other_owner``: the thing scope tests try to reach.
    """

    region: Region
    factory: Factory
    other_region: Region
    other_factory: Factory
    rep: User
    manager: User
    owner: User
    admin: User
    other_rep: User
    other_owner: User

    def __getitem__(self, role):
        return getattr(self, role)


@pytest.fixture
def users(app):
    """A ``Team``: ``users.rep``, ``users["owner"]``, ``users.factory``... All
    passwords are ``builders.PASSWORD``."""
    hashed = password_hash()
    region = make_region(code="GZ-WOMEN", name_zh="广州女装", name_en="Guangzhou womenswear")
    other_region = make_region(code="ST-UNDER", name_zh="汕头内衣", name_en="Shantou underwear",
                               city="汕头", industry_zh="内衣", industry_en="Underwear")
    rep = make_user("rep", username="rep", regions=[region], password=None,
                    password_hash=hashed, display_name="陈小二")
    other_rep = make_user("rep", username="other_rep", regions=[other_region], password=None,
                          password_hash=hashed, display_name="林小二")
    manager = make_user("manager", username="manager", regions=[region], password=None,
                        password_hash=hashed, display_name="王经理")
    admin = make_user("admin", username="admin", password=None, password_hash=hashed,
                      display_name="运营小张")
    factory = make_factory(region=region, rep=rep, code="F-OWN", name="广州锦绣服饰厂")
    other_factory = make_factory(region=other_region, rep=other_rep, code="F-OTHER",
                                 name="汕头秘密内衣厂")
    owner = make_user("owner", username="owner", factory=factory, password=None,
                      password_hash=hashed, display_name="刘厂长")
    other_owner = make_user("owner", username="other_owner", factory=other_factory,
                            password=None, password_hash=hashed, display_name="黄厂长")
    return Team(region=region, factory=factory, other_region=other_region,
                other_factory=other_factory, rep=rep, manager=manager, owner=owner,
                admin=admin, other_rep=other_rep, other_owner=other_owner)


@pytest.fixture
def login():
    """``login(client, user)``: sign ``client`` in as ``user`` (fast; pass
    ``password=`` to go through the real form). Sets ``client.csrf_token``."""
    return helpers.login


@pytest.fixture
def client_as(app, users):
    """``client_as("rep")``: a new test client signed in as that role's user
    of ``users`` (``client_as(users.other_owner)`` for any user). Each client
    carries its CSRF token in ``client.csrf_token``."""

    def make(role_or_user):
        user = users[role_or_user] if isinstance(role_or_user, str) else role_or_user
        return helpers.login(app.test_client(), user)

    return make
