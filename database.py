"""Binding the models to a database at run time, and the schema's upgrades.

``DATABASE_URL`` chooses the store: ``sqlite:///path/to.db`` (the default is a
file in the instance folder) or ``postgresql://user@host/name``. SQLite is
tuned for a small office server: WAL so readers never wait for the writer,
foreign keys on, a busy timeout instead of instant "database is locked", FULL
sync, and every transaction ``BEGIN IMMEDIATE`` so two writers queue instead
of deadlocking on a lock upgrade. PostgreSQL gets a connection pool; peewee
4.3+ checks pooled connections so a restarted server does not hand out dead
ones.

``connect_waiting`` is how a request gets its connection: a PostgreSQL
server that is restarting is waited for (a few seconds) instead of failing
the request. ``is_transient`` tells a passing database error (SQLite busy
past its timeout, a PostgreSQL connection cut or refused, a deadlock) from
a real fault: the app answers the first with 503 and ``Retry-After``
(security.py), the transaction having been rolled back whole.
"""

import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
from peewee import InterfaceError, OperationalError, SqliteDatabase
from peewee_migrate import Router
from playhouse.pool import PooledPostgresqlDatabase

from models import db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Errors a request may meet when the database is busy or goes away: peewee's,
# and psycopg2's own where peewee does not wrap them (a rollback or a cursor
# on a connection the server cut raises psycopg2's InterfaceError).
TRANSIENT_ERRORS = (OperationalError, InterfaceError,
                    psycopg2.OperationalError, psycopg2.InterfaceError)

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "full",
    "cache_size": -64 * 1024,  # 64 MB page cache
}


def make_database(url, busy_timeout_ms=None):
    """A peewee database object for ``url`` (not yet connected).
    ``busy_timeout_ms`` overrides how long a SQLite writer waits for the
    lock before "database is locked" (10 s by default)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pragmas = dict(SQLITE_PRAGMAS)
        if busy_timeout_ms is not None:
            pragmas["busy_timeout"] = int(busy_timeout_ms)
        return SqliteDatabase(path or ":memory:", pragmas=pragmas, lock_type="IMMEDIATE")
    if parsed.scheme in ("postgres", "postgresql"):
        return PooledPostgresqlDatabase(
            parsed.path.lstrip("/"),
            user=parsed.username,
            password=parsed.password,
            host=parsed.hostname,
            port=parsed.port or 5432,
            max_connections=20,
            stale_timeout=300,
            timeout=10,
        )
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")


def connect_database(url, busy_timeout_ms=None):
    """Bind every model to the database at ``url`` and return it."""
    database = make_database(url, busy_timeout_ms)
    db.initialize(database)
    return database


def is_postgres():
    """True when the models are bound to PostgreSQL."""
    return isinstance(db.obj, PooledPostgresqlDatabase)


def connect_waiting(wait_seconds):
    """Open this thread's connection (a no-op when open). A server that
    refuses connections (PostgreSQL restarting) is tried again, backing off
    from 0.1 to 1 s, for up to ``wait_seconds``; then the error is raised.
    The pool itself discards a pooled connection that died meanwhile (it
    pings it on checkout), so after a restart the next request reconnects.
    A SQLite file has no server to wait for: its errors are raised at once."""
    if not is_postgres():
        db.connect(reuse_if_open=True)
        return
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            db.connect(reuse_if_open=True)
            return
        except OperationalError:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def is_transient(error):
    """True for a database error that passes if the request is sent again:
    SQLite busy or locked (a writer held the lock past the busy timeout); on
    PostgreSQL any operational error (connection refused or cut, server
    shutting down, deadlock, serialization failure) or a connection already
    closed. Missing tables and bad SQL are not: they stay 500s."""
    if not isinstance(error, TRANSIENT_ERRORS):
        return False
    if is_postgres():
        return True
    text = str(error).lower()
    return "locked" in text or "busy" in text


def release_connection():
    """End this thread's use of its connection, never raising: back to the
    pool (PostgreSQL) or closed (SQLite). A connection that cannot be closed
    the ordinary way (its server gone in the middle of a transaction) is
    thrown away, and out of the pool's count."""
    if db.is_closed():
        return
    try:
        db.close()
        return
    except Exception:  # noqa: BLE001 - whatever went wrong, the connection goes
        pass
    connection = db.connection()  # still this thread's: close() gave up before
    db.dispose()
    try:
        if isinstance(db.obj, PooledPostgresqlDatabase):
            db.obj._close(connection, close_conn=True)  # off the pool's books too
        else:
            connection.close()
    except Exception:  # noqa: BLE001
        pass


def migrate_schema():
    """Apply every pending migration; returns the names applied. Safe to run
    any number of times: applied migrations are recorded in the database."""
    router = Router(db.obj, migrate_dir=MIGRATIONS_DIR)
    return router.run()
