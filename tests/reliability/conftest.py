"""The fault and load suite's fixtures: the real app under gunicorn on
127.0.0.1, on this test's database (SQLite file, or PostgreSQL when
``DATABASE_URL`` says so); harness.py has the clients.

Every test here is bounded: the server gets ``START_TIMEOUT`` seconds to
answer, each request ``REQUEST_TIMEOUT``, and each test sets a hard limit
of its own (``hard_limit``, a SIGALRM that fails it).
"""

import os
import signal
import subprocess
import sys
from contextlib import contextmanager

import pytest

from tests.reliability.harness import ACCESS_FORMAT, ROOT, Server, free_port, wait_until_up


def pytest_collection_modifyitems(items):
    """Everything under tests/reliability is slow (seconds, a real server)."""
    for item in items:
        if "tests/reliability/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def hard_limit():
    """``hard_limit(seconds)``: fail the test (SIGALRM) if it is still
    running after ``seconds``, whatever it is waiting for."""

    def expire(signum, frame):
        raise TimeoutError("reliability test went past its hard time limit")

    previous = signal.signal(signal.SIGALRM, expire)

    def arm(seconds):
        signal.alarm(int(seconds))

    yield arm
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """``with gunicorn(workers=4, **config) as server``: the app on this
    test's database under gunicorn; ``config`` goes in as ``FLASK_<KEY>``
    environment variables. No Redis: the rate limits are the app's default
    store."""

    @contextmanager
    def serve(workers=4, **config):
        port = free_port()
        access_log = tmp_path / f"access-{port}.log"
        env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="reliability-tests",
                   PYTHONUNBUFFERED="1")
        env.pop("REDIS_URL", None)
        env.pop("FLASK_RATELIMIT_STORAGE_URI", None)
        env.update({f"FLASK_{key}": str(value) for key, value in config.items()})
        log = open(tmp_path / f"gunicorn-{port}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--timeout", "60",
             "--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT,
             "app:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(process, port, workers, tmp_path / f"gunicorn-{port}.log")
            access_log.write_text("")  # the start-up probes are not the test's
            yield Server(port, access_log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()

    return serve


