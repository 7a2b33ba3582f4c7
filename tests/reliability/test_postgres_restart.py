"""PostgreSQL restarted in the middle of a run of writes: at most one failed
request per gunicorn worker (the one whose query the shutdown cut), then
normal service, and no write half-done.

Eight reps keep logging visits (each with its own ``client_key``) against
four workers while the server restarts (``pg_ctlcluster ... restart``:
fast shutdown, so open transactions are cut, then start). A request that
finds the server down waits for it (``database.connect_waiting``); the pool
drops the connections the restart killed (it pings them on checkout). A
failed visit is sent again with the same key, as the offline queue does.
At the end every visit is stored exactly once with its audit record.

This restarts the machine's shared PostgreSQL, so it runs only when the
suite runs on PostgreSQL (``DATABASE_URL``), never on SQLite.
"""

import datetime
import os
import subprocess
import threading
import time
from collections import Counter

import pytest

from models import AuditLog, Visit, db
from tests.builders import make_factory, make_region, make_user
from tests.reliability.harness import quick_password_hash, run_threads

REPS = 8
WORKERS = 4
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="restarts PostgreSQL: only when the suite runs on it")


def _restart_postgres():
    """Restart the local cluster (the one DATABASE_URL points at)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, timeout=60, capture_output=True)


@pytest.fixture
def reps(app):
    hashed = quick_password_hash()
    region = make_region(code="RESTART")
    names = []
    for n in range(REPS):
        rep = make_user("rep", username=f"restart_rep_{n}", regions=[region], password=None,
                        password_hash=hashed)
        make_factory(region=region, rep=rep, code=f"RST{n}")
        names.append((n, rep.username))
    return names


def test_postgres_restart_costs_at_most_one_request_per_worker(reps, gunicorn, hard_limit):
    hard_limit(150)
    restarted = threading.Event()
    stop = threading.Event()
    writing = threading.Semaphore(0)  # released once per writer, at its first visit

    def keep_writing(rep):
        n, username = rep
        user = server.user()
        assert user.login(username) == 303
        user.read_csrf(f"/factories/RST{n}")
        stored, failed, unfinished, after_restart = [], [], [], 0
        start = datetime.datetime.now(SHANGHAI)
        for count in range(10_000):
            if stop.is_set():
                break
            marker = f"rst-{n}-{count}"
            moment = start - datetime.timedelta(minutes=count + 1)
            form = {"visited_at": moment.strftime("%Y-%m-%dT%H:%M"), "purpose": "routine",
                    "notes": marker, "client_key": f"key-{marker}"}
            status = _post_or_none(user, f"/factories/RST{n}/visits", form, marker)
            while status != 303 and not stop.is_set():  # sent again, same key
                failed.append((marker, status))
                time.sleep(0.5)
                status = _post_or_none(user, f"/factories/RST{n}/visits", form, marker + "+")
            (stored if status == 303 else unfinished).append(marker)
            if len(stored) == 1 and status == 303:
                writing.release()
            after_restart += restarted.is_set() and status == 303
        return stored, failed, unfinished, after_restart

    results = []
    with gunicorn(workers=WORKERS) as server:
        writers = threading.Thread(target=lambda: results.extend(
            run_threads(keep_writing, reps, timeout=120)))
        writers.start()
        for _writer in reps:
            assert writing.acquire(timeout=90), "the writers did not get going"
        time.sleep(1)
        _restart_postgres()
        restarted.set()
        time.sleep(5)
        stop.set()
        writers.join(timeout=60)
        served = server.requests()

    assert len(results) == REPS
    failures = [(pid, status) for pid, status, _m, path, _marker in served
                if status >= 500 and path.endswith("/visits")]
    per_worker = Counter(pid for pid, _status in failures)
    assert all(count <= 1 for count in per_worker.values()), failures
    assert {status for _pid, status in failures} <= {503}, failures
    client_failures = [f for _stored, failed, _unfinished, _after in results for f in failed]
    assert len(client_failures) <= WORKERS, client_failures
    assert all(after > 0 for *_rest, after in results), "no service after the restart"

    db.close()
    db.connect()
    for stored, _failed, unfinished, _after in results:
        for marker in stored + unfinished:
            visits = Visit.select().where(Visit.notes == marker).count()
            audited = AuditLog.select().where(AuditLog.action == "visit.logged",
                                              AuditLog.after.contains(f'"{marker}"')).count()
            assert visits == audited, marker  # never a visit without its audit record
            assert visits == (1 if marker in stored else visits) <= 1, marker
    assert Visit.select().count() >= sum(len(result[0]) for result in results)


def _post_or_none(user, path, form, marker):
    """The status, or None when the connection itself failed."""
    try:
        status, _headers, _text = user.post(path, form, marker)
        return status
    except OSError:
        return None
