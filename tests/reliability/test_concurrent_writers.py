"""Fifty people writing at once against gunicorn with four workers, on
SQLite and on PostgreSQL (whichever this run's database is).

Each writer signs in through /login, reads the CSRF token off its factory's
page, and sends two rounds of: a visit to its own factory, a comment, and a
stage move of its own factory. Per region, the four managers and the rep of
the region's shared factory also race: all five comment on its complaint and
move it to the next stage at once (the other reps cannot see it: they
comment on a complaint of their own factory). The
clients behave as the app asks: a 503 is sent again after ``Retry-After``
(a visit with the same ``client_key``). Then:

* no answer is a 5xx other than a 503 carrying ``Retry-After``;
* every accepted write (303) is in the database exactly once, with its one
  audit record; every refused one (4xx) is not there at all;
* every write of a writer's own objects was accepted in the end, and of each
  race for the shared factory exactly one writer won each step;
* the complaint was moved to ``in_progress`` once, however many staff
  replied first at the same moment.
"""

import datetime
import time

import pytest

from models import (STAGES, AuditLog, Complaint, ComplaintEvent, Factory, StageEvent, Visit, db,
                    utcnow)
from tests.builders import make_complaint, make_factory, make_region, make_stage, make_user
from tests.reliability.harness import quick_password_hash, run_threads

REGIONS = 5
REPS_PER_REGION = 6
MANAGERS_PER_REGION = 4
ROUNDS = 2
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
MAX_ATTEMPTS = 6


@pytest.fixture
def world(app):
    """Five regions, each with six reps, four managers, one factory per
    writer (at ``lead``) and one shared factory (at ``lead``, in the first
    rep's book), each with an open complaint. Returns the writers as dicts
    (``shared`` None for those who cannot see the shared factory)."""
    hashed = quick_password_hash()
    writers = []
    today = datetime.date.today() - datetime.timedelta(days=3)
    with db.atomic():
        for r in range(REGIONS):
            region = make_region(code=f"LOAD{r}")
            reps = [make_user("rep", username=f"load_rep_{r}_{n}", regions=[region],
                              password=None, password_hash=hashed)
                    for n in range(REPS_PER_REGION)]
            managers = [make_user("manager", username=f"load_mgr_{r}_{n}", regions=[region],
                                  password=None, password_hash=hashed)
                        for n in range(MANAGERS_PER_REGION)]
            shared = make_factory(region=region, rep=reps[0], code=f"SHARED{r}")
            make_stage(shared, "lead", today)
            complaint = make_complaint(shared, utcnow() - datetime.timedelta(hours=2),
                                       code=f"CLOAD{r}", assignee=reps[0])
            for n, user in enumerate(reps + managers):
                own = make_factory(region=region, rep=user if user.role == "rep" else reps[0],
                                   code=f"OWN{r}{n:02d}")
                make_stage(own, "lead", today)
                racer = user.role == "manager" or user == reps[0]
                if not racer:
                    own_complaint = make_complaint(own, utcnow() - datetime.timedelta(hours=2),
                                                   code=f"COWN{r}{n:02d}", assignee=user)
                writers.append({"username": user.username, "own": own.code,
                                "shared": shared.code if racer else None,
                                "complaint": complaint.code if racer else own_complaint.code,
                                "index": len(writers)})
    return writers


def _send(user, path, form, marker):
    """POST until the answer is not a 503 (waiting ``Retry-After``); the
    list of every (status, Retry-After) answered."""
    answers = []
    for _attempt in range(MAX_ATTEMPTS):
        status, headers, _text = user.post(path, form, marker)
        answers.append((status, headers.get("retry-after")))
        if status != 503:
            break
        time.sleep(min(float(headers.get("retry-after") or 1), 3))
    return answers


def _write_all(server, writer):
    """One writer's whole session; the list of (kind, marker, answers)."""
    user = server.user()
    assert user.login(writer["username"]) == 303
    user.read_csrf(f"/factories/{writer['own']}")
    done = []
    now = datetime.datetime.now(SHANGHAI)
    for round_ in range(ROUNDS):
        tag = f"w{writer['index']}r{round_}"
        moment = now - datetime.timedelta(minutes=writer["index"] * ROUNDS + round_ + 1)
        visit = {"visited_at": moment.strftime("%Y-%m-%dT%H:%M"), "purpose": "routine",
                 "notes": f"visit-{tag}", "client_key": f"key-{tag}-visit"}
        done.append(("visit", f"visit-{tag}", _send(
            user, f"/factories/{writer['own']}/visits", visit, f"visit-{tag}")))
        done.append(("comment", f"comment-{tag}", _send(
            user, f"/complaints/{writer['complaint']}/comments",
            {"body": f"comment-{tag}"}, f"comment-{tag}")))
        target = STAGES[round_ + 1]
        for kind, code in (("own stage", writer["own"]), ("shared stage", writer["shared"])):
            if code is None:
                continue
            marker = f"{kind.split()[0]}-stage-{tag}"
            done.append((kind, marker, _send(user, f"/factories/{code}/stage",
                                             {"stage": target, "note": marker}, marker)))
    return done


def _rows(model, field, marker):
    return model.select().where(field == marker).count()


def _audited(kind, marker):
    """Audit records carrying ``marker`` (a comment's audit record holds the
    complaint's state, not the text: those are counted in total below)."""
    if kind == "comment":
        return 1
    return AuditLog.select().where(AuditLog.after.contains(f'"{marker}"')).count()


def test_fifty_writers_each_write_lands_exactly_once(world, gunicorn, hard_limit):
    hard_limit(170)
    with gunicorn(workers=4) as server:
        sessions = run_threads(lambda writer: _write_all(server, writer), world, timeout=150)
        served = server.requests()
    writes = [write for session in sessions for write in session]
    racers = sum(1 for writer in world if writer["shared"])
    assert len(writes) == (len(world) * 3 + racers) * ROUNDS

    answers = [answer for _kind, _marker, attempts in writes for answer in attempts]
    assert not [a for a in answers if a[0] >= 500 and not (a[0] == 503 and a[1])], answers
    assert not [row for row in served if row[1] >= 500 and row[1] != 503]

    db.connect(reuse_if_open=True)
    tables = {"visit": (Visit, Visit.notes), "comment": (ComplaintEvent, ComplaintEvent.body),
              "own stage": (StageEvent, StageEvent.note),
              "shared stage": (StageEvent, StageEvent.note)}
    accepted = {}
    for kind, marker, attempts in writes:
        final = attempts[-1][0]
        model, field = tables[kind]
        rows = _rows(model, field, marker)
        if final == 303:
            assert (rows, _audited(kind, marker)) == (1, 1), (kind, marker, attempts)
        else:
            assert 400 <= final < 500 and rows == 0 and _audited(kind, marker) in (0, 1), \
                (kind, marker, attempts)
        accepted.setdefault(kind, []).append(final == 303)
    audit_counts = {action: AuditLog.select().where(AuditLog.action == action).count()
                    for action in ("visit.logged", "complaint.comment", "factory.stage")}
    assert audit_counts == {
        "visit.logged": sum(accepted["visit"]), "complaint.comment": sum(accepted["comment"]),
        "factory.stage": sum(accepted["own stage"]) + sum(accepted["shared stage"])}

    # Nothing of a writer's own is refused; each race step has one winner.
    for kind in ("visit", "comment", "own stage"):
        assert all(accepted[kind]), [write for write in writes
                                     if write[0] == kind and write[2][-1][0] != 303]
    assert sum(accepted["shared stage"]) == REGIONS * ROUNDS
    complaints = list(Complaint.select())
    assert len(complaints) == REGIONS + len(world) - racers
    for complaint in complaints:
        assert complaint.status == "in_progress"
        assert ComplaintEvent.select().where(
            ComplaintEvent.complaint == complaint, ComplaintEvent.to_status == "in_progress"
        ).count() == 1, complaint.code
    for r in range(REGIONS):
        moves = [row.stage for row in StageEvent.select().join(Factory)
                 .where(Factory.code == f"SHARED{r}").order_by(StageEvent.id)]
        assert moves == ["lead"] + list(STAGES[1:ROUNDS + 1])
