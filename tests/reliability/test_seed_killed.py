"""``flask seed-demo`` killed midway (a real process, SIGKILL) leaves the
database as it was, and running it again fills it.

The demo scale is used, not the programme scale: the programme seed takes
minutes and most of a gigabyte, more than CI may spend, and both scales
write the same way (demo_data/writer.py): the same tables in the same
order, the sales indexes and rollup triggers dropped and put back, the
rollups rebuilt, all in the one transaction, which the programme scale
merely fills with more rows. (Before, the seed committed the small tables,
then the dropped indexes, then every 200,000 sales rows, so a kill left
users, no sales indexes, and a database seed-demo refused to fill again.)

Two moments: at the very end, with every row, index, trigger and rollup
written but not committed (the most there is to lose); and a few seconds
in, wherever the seed is by then.
"""

import os
import signal
import subprocess
import sys
import time

import database
from models import ALL_MODELS, ROLLUP_MODELS, User, db
from tests.reliability.harness import ROOT


def _schema_and_counts():
    """Every table's row count, and every index and trigger by name."""
    counts = {model._meta.table_name: model.select().count()
              for model in ALL_MODELS + ROLLUP_MODELS}
    if database.is_postgres():
        names = db.execute_sql(
            "SELECT 'index', indexname FROM pg_indexes WHERE schemaname = 'public' UNION ALL "
            "SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal").fetchall()
        names += db.execute_sql(
            "SELECT 'constraint', conname FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace").fetchall()
    else:
        names = db.execute_sql("SELECT type, name FROM sqlite_master "
                               "WHERE type IN ('index', 'trigger')").fetchall()
    return counts, sorted(names)


def _seed(database_url, pause=0):
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONUNBUFFERED="1",
               FLASK_SEED_PAUSE_BEFORE_COMMIT=str(pause))
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "seed-demo",
                             "--scale", "demo"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _kill(process):
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "the seed ended before it was killed"


def _rerun_fills(runner):
    result = runner.invoke(args=["seed-demo", "--scale", "demo"])
    assert result.exit_code == 0, result.output
    assert User.select().where(User.username == "admin").exists()


def test_seed_killed_before_its_commit_leaves_nothing_and_reruns(app, database_url, runner,
                                                                 hard_limit):
    hard_limit(150)
    before = _schema_and_counts()
    db.close()
    process = _seed(database_url, pause=60)
    for line in process.stderr:
        if "Seed written, not yet committed" in line:
            break
    _kill(process)
    db.connect(reuse_if_open=True)
    assert _schema_and_counts() == before
    _rerun_fills(runner)


def test_seed_killed_a_few_seconds_in_leaves_nothing_and_reruns(app, database_url, runner,
                                                                hard_limit):
    hard_limit(150)
    before = _schema_and_counts()
    db.close()
    process = _seed(database_url, pause=60)
    time.sleep(3)
    _kill(process)
    db.connect(reuse_if_open=True)
    assert _schema_and_counts() == before
    _rerun_fills(runner)
