"""Shared fixtures: a real, fresh database per test (never a mock).

SQLite by default: a new file per test. When ``DATABASE_URL`` points at
PostgreSQL (as in ``.ci/run``), the schema is migrated once per run and every
table is emptied before each test.
"""

import os
import re

import pytest

import database
from app import create_app
from models import ALL_MODELS, db

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
USE_POSTGRES = POSTGRES_URL.startswith(("postgres://", "postgresql://"))


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
        tables = ", ".join(f'"{model._meta.table_name}"' for model in ALL_MODELS)
        pg.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        pg.close()
        return POSTGRES_URL
    url = f"sqlite:///{tmp_path / 'test.db'}"
    database.connect_database(url)
    database.migrate_schema()
    db.close()
    return url


@pytest.fixture
def app(database_url, tmp_path):
    """The app bound to this test's database, with its own instance folder."""
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
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


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def csrf_token(client):
    """A function returning a valid CSRF token for ``client``'s session,
    read from a page the way a browser would get it."""

    def token(path="/"):
        page = client.get(path).get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    return token
