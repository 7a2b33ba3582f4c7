"""Binding the models to a database at run time, and the schema's upgrades.

``DATABASE_URL`` chooses the store: ``sqlite:///path/to.db`` (the default is a
file in the instance folder) or ``postgresql://user@host/name``. SQLite is
tuned for a small office server: WAL so readers never wait for the writer,
foreign keys on, a busy timeout instead of instant "database is locked", FULL
sync, and every transaction ``BEGIN IMMEDIATE`` so two writers queue instead
of deadlocking on a lock upgrade. PostgreSQL gets a connection pool; peewee
4.3+ checks pooled connections so a restarted server does not hand out dead
ones.
"""

from pathlib import Path
from urllib.parse import urlparse

from peewee import SqliteDatabase
from peewee_migrate import Router
from playhouse.pool import PooledPostgresqlDatabase

from models import db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "full",
    "cache_size": -64 * 1024,  # 64 MB page cache
}


def make_database(url):
    """A peewee database object for ``url`` (not yet connected)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(path or ":memory:", pragmas=SQLITE_PRAGMAS,
                              lock_type="IMMEDIATE")
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


def connect_database(url):
    """Bind every model to the database at ``url`` and return it."""
    database = make_database(url)
    db.initialize(database)
    return database


def is_postgres():
    """True when the models are bound to PostgreSQL."""
    return isinstance(db.obj, PooledPostgresqlDatabase)


def migrate_schema():
    """Apply every pending migration; returns the names applied. Safe to run
    any number of times: applied migrations are recorded in the database."""
    router = Router(db.obj, migrate_dir=MIGRATIONS_DIR)
    return router.run()
