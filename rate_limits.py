"""A Flask-Limiter storage in the app's own database (``database://``).

Flask-Limiter keeps its counters in memory unless told otherwise, and
memory is per process: with two gunicorn workers every limit is doubled,
with two app servers too. Redis (``REDIS_URL``) is shared, but a small
deployment has none; the database it always has. So without ``REDIS_URL``
the limits count here, in ``rate_limit_counter`` (migration 012).

Only the fixed-window strategy (Flask-Limiter's default, the one
``views/auth.py`` uses) is supported. Each hit is one atomic upsert
(``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, on SQLite 3.35+ and
PostgreSQL alike): a window that has ended starts again at the hit, so two
workers counting at once never lose a hit. The rows of ended windows are
deleted as new hits come.

It runs on the request's own connection, in its own transaction (a
savepoint if the caller has one open).
"""

import hashlib
import time

from limits.storage import Storage
from peewee import PeeweeException

from models import RateLimitCounter, db

SCHEME = "database://"
TABLE = RateLimitCounter._meta.table_name
KEY_LENGTH = RateLimitCounter.key.max_length


def _key(key):
    """The stored key: at most 255 characters (a longer one, say a very
    long username, keeps its start and gets a hash of the whole for the rest)."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return key[:KEY_LENGTH - len(digest) - 1] + "#" + digest


class DatabaseStorage(Storage):
    """``RATELIMIT_STORAGE_URI = "database://"``: the counters in the app's
    database (whichever ``DATABASE_URL`` is)."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self):
        return PeeweeException

    def _sql(self, sql, params=()):
        db.connect(reuse_if_open=True)
        return db.execute_sql(sql.replace("?", db.param), params)

    def incr(self, key, expiry, amount=1):
        """Add ``amount`` hits to ``key``'s window (a new window of
        ``expiry`` seconds if none is running); the hits in it now."""
        now = time.time()
        with db.atomic():
            self._sql(f'DELETE FROM "{TABLE}" WHERE "expires_at" <= ?', (now,))
            return self._sql(
                f'INSERT INTO "{TABLE}" ("key", "hits", "expires_at") VALUES (?, ?, ?) '
                'ON CONFLICT ("key") DO UPDATE SET '
                f'"hits" = CASE WHEN "{TABLE}"."expires_at" <= ? THEN excluded."hits" '
                f'ELSE "{TABLE}"."hits" + excluded."hits" END, '
                f'"expires_at" = CASE WHEN "{TABLE}"."expires_at" <= ? '
                f'THEN excluded."expires_at" ELSE "{TABLE}"."expires_at" END '
                'RETURNING "hits"',
                (_key(key), amount, now + expiry, now, now)).fetchone()[0]

    def _live(self, column, key):
        row = self._sql(f'SELECT "{column}" FROM "{TABLE}" WHERE "key" = ? AND "expires_at" > ?',
                        (_key(key), time.time())).fetchone()
        return None if row is None else row[0]

    def get(self, key):
        """The hits in ``key``'s running window (0: none running)."""
        return self._live("hits", key) or 0

    def get_expiry(self, key):
        """When ``key``'s window ends (Unix seconds; now if none is running)."""
        expires_at = self._live("expires_at", key)
        return time.time() if expires_at is None else expires_at

    def check(self):
        """True when the database answers."""
        try:
            self._sql("SELECT 1").fetchone()
            return True
        except PeeweeException:
            return False

    def reset(self):
        """Forget every counter; how many there were."""
        with db.atomic():
            return self._sql(f'DELETE FROM "{TABLE}"').rowcount

    def clear(self, key):
        """Forget ``key``'s counter."""
        with db.atomic():
            self._sql(f'DELETE FROM "{TABLE}" WHERE "key" = ?', (_key(key),))
