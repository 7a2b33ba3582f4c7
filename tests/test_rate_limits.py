"""The rate limiter's database store (rate_limits.py): the fixed window the
login limits use, counted in ``rate_limit_counter``, on SQLite and
PostgreSQL. (That two workers share it: tests/reliability.)"""

import time

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from models import RateLimitCounter
from rate_limits import DatabaseStorage


@pytest.fixture
def storage(app):
    return DatabaseStorage("database://")


def test_the_default_store_without_redis_is_the_database(database_url, monkeypatch):
    from app import create_app
    from extensions import limiter

    monkeypatch.delenv("REDIS_URL", raising=False)
    create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
    assert isinstance(limiter.limiter.storage, DatabaseStorage)


def test_hits_count_up_to_the_limit_and_the_window_tells_when_it_ends(storage):
    limiter = FixedWindowRateLimiter(storage)
    item = parse("3 per 15 minutes")
    before = time.time()
    assert [limiter.hit(item, "login", "rep") for _ in range(4)] == [True, True, True, False]
    assert not limiter.test(item, "login", "rep")
    assert limiter.test(item, "login", "someone-else")
    stats = limiter.get_window_stats(item, "login", "rep")
    assert stats.remaining == 0
    assert before + 900 <= stats.reset_time <= time.time() + 900
    assert RateLimitCounter.select().count() == 1


def test_an_ended_window_starts_again_and_its_row_goes(storage):
    assert storage.incr("old", 60, 5) == 5
    RateLimitCounter.update(expires_at=time.time() - 1).execute()
    assert storage.get("old") == 0
    assert storage.get_expiry("old") <= time.time()
    assert storage.incr("new", 60) == 1  # clears the ended windows on the way
    assert [row.key for row in RateLimitCounter.select()] == ["new"]
    assert storage.incr("old", 60) == 1


def test_clear_reset_and_check(storage):
    storage.incr("a", 60)
    storage.incr("b", 60, 2)
    storage.clear("a")
    assert (storage.get("a"), storage.get("b")) == (0, 2)
    assert storage.reset() == 1
    assert storage.check()


def test_a_very_long_key_is_kept_apart_from_its_neighbours(storage):
    long_a, long_b = "x" * 300 + "a", "x" * 300 + "b"
    storage.incr(long_a, 60)
    assert (storage.get(long_a), storage.get(long_b)) == (1, 0)
    assert all(len(row.key) <= 255 for row in RateLimitCounter.select())
