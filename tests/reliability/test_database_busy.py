"""A SQLite database locked past the busy timeout: a clear 503 with
``Retry-After``, nothing half-written, and the same form sent again lands
exactly once.

Another process holds the write lock (as a long import or the seed does);
the app waits ``SQLITE_BUSY_TIMEOUT_MS`` (10 s by default, 300 ms here),
then answers 503 instead of the 500 "database is locked" used to be.
"""

import sqlite3
from contextlib import contextmanager

import pytest

import database
from app import create_app
from models import AuditLog, Visit, db
from tests import helpers

FACTORY = "F-OWN"  # the rep's factory in conftest's ``users``


@pytest.fixture
def impatient_app(app, users, database_url):
    """The app on the same SQLite file, waiting only 300 ms for the lock."""
    if not database_url.startswith("sqlite:"):
        pytest.skip("SQLite's write lock")
    impatient = create_app({"TESTING": True, "DATABASE_URL": database_url,
                            "SECRET_KEY": "test-secret-key",
                            "RATELIMIT_STORAGE_URI": "memory://", "SQLITE_BUSY_TIMEOUT_MS": 300})
    impatient.test_client_class = app.test_client_class
    with impatient.app_context():
        yield impatient


@contextmanager
def write_lock(app):
    """Another process's write transaction on the app's SQLite file."""
    db.close()
    path = database.make_database(app.config["DATABASE_URL"]).database
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _visit(client, key):
    return client.post(f"/factories/{FACTORY}/visits", data={
        "purpose": "routine", "notes": "locked out", "client_key": key,
        "csrf_token": client.csrf_token})


def test_a_locked_database_is_a_503_and_the_retry_lands_once(impatient_app, users, hard_limit):
    hard_limit(60)
    client = helpers.login(impatient_app.test_client(), users.rep)
    with write_lock(impatient_app):
        response = _visit(client, "retry-key-0001")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "数据库暂时繁忙，本次内容未保存" in response.get_data(as_text=True)
    assert _visit(client, "retry-key-0001").status_code == 303
    assert _visit(client, "retry-key-0001").status_code == 303  # a second delivery: no new row
    db.connect(reuse_if_open=True)
    assert Visit.select().where(Visit.client_key == "retry-key-0001").count() == 1
    assert AuditLog.select().where(AuditLog.action == "visit.logged").count() == 1


def test_a_locked_htmx_request_gets_the_message_in_a_header(impatient_app, users, hard_limit):
    hard_limit(60)
    client = helpers.login(impatient_app.test_client(), users.rep)
    with write_lock(impatient_app):
        response = client.post(f"/factories/{FACTORY}/visits", data={
            "purpose": "routine", "csrf_token": client.csrf_token},
            headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.headers["X-Error-Message"]
    db.connect(reuse_if_open=True)
    assert Visit.select().count() == 0
