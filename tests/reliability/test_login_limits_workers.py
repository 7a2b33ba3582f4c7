"""Sign-in limits hold across gunicorn workers without Redis.

Flask-Limiter's default store is the worker's memory, so with two workers
each counted its own failures and an account took twice the guesses. Now
the counters are in the database (rate_limits.py). The access log names
the worker that answered each request, so the test knows both workers took
part: failures went to both, and both then refuse the right password.
"""

from collections import Counter

from models import AuditLog, db
from tests.builders import make_user
from tests.reliability.harness import quick_password_hash, run_threads

LIMIT = 5  # access.py's LOGIN_LIMIT_PER_ACCOUNT: 5 per 15 minutes
PAIRS = 12  # right-password attempts after the limit, two at a time


def test_failed_sign_ins_count_together_on_two_workers(app, gunicorn, hard_limit):
    hard_limit(120)
    make_user("rep", username="target", password=None, password_hash=quick_password_hash())
    with gunicorn(workers=2) as server:
        users = [server.user() for _ in range(2)]
        for user in users:
            user.read_csrf("/login")

        def attempt(args):
            user, password, marker = args
            status, _headers, _text = user.request("POST", "/login", {
                "username": "target", "password": password,
                "csrf_token": user.csrf_token}, marker)
            return status

        wrong = [(users[n % 2], "wrong-password", f"wrong-{n}") for n in range(LIMIT)]
        for pair in (wrong[:2], wrong[2:4], wrong[4:]):
            assert run_threads(attempt, pair, timeout=60) == [200] * len(pair)
        answers = []
        for n in range(PAIRS):
            answers += run_threads(attempt, [(users[0], "correct-horse-battery", f"right-{n}a"),
                                             (users[1], "correct-horse-battery", f"right-{n}b")],
                                   timeout=60)
        served = server.requests()

    workers = {pid for pid, *_ in served}
    assert len(workers) == 2, "one worker answered everything: the test proves nothing"
    refused_by = Counter(pid for pid, status, _m, _p, marker in served
                         if marker.startswith("right-") and status == 429)
    assert answers == [429] * (2 * PAIRS)
    assert set(refused_by) == workers
    db.connect(reuse_if_open=True)
    assert AuditLog.select().where(AuditLog.action == "login.failed").count() == LIMIT
    assert AuditLog.select().where(AuditLog.action == "login.throttled").count() == 2 * PAIRS
