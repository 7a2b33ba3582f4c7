"""An import killed half way (a real process, SIGKILL) leaves the database
exactly as it was, on SQLite and on PostgreSQL (the import is one
transaction: exchange/importer.py)."""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.imports import write_sales_csv
import database
from models import Factory, SalesCumulativeEnd, SalesDaily, db
from tests.builders import make_region, make_sales

ROOT = Path(__file__).resolve().parents[2]
FACTORIES = 50


@pytest.fixture
def big_sales_file(app, tmp_path):
    """50 factories with one day of sales each, and a 60,000-row file that
    would add a lot and change that day."""
    region = make_region(code="GZ")
    with db.atomic():
        Factory.insert_many([{"code": f"F{n:05d}", "name": f"工厂{n}", "region": region.id,
                              "kind": "factory"} for n in range(FACTORIES)]).execute()
    for factory in Factory.select():
        make_sales(factory, datetime.date(2024, 1, 1), gmv_fen=1, orders=1)
    path = tmp_path / "sales.csv"
    write_sales_csv(path, rows=60_000, factories=FACTORIES)
    return path


def _start_import(database_url, path, pause):
    env = dict(os.environ, DATABASE_URL=database_url, FLASK_IMPORT_PAUSE_BEFORE_COMMIT=str(pause),
               PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "import", "sales",
                             str(path)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _state():
    """The sales rows, their rollup, and the rollup's triggers (a big import
    drops and recreates them inside its transaction)."""
    if database.is_postgres():
        triggers = db.execute_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                                  "AND tgrelid = 'sales_daily'::regclass").fetchall()
    else:
        triggers = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                  "AND tbl_name = 'sales_daily'").fetchall()
    return (SalesDaily.select().count(), sorted(triggers),
            sorted(SalesCumulativeEnd.select().tuples()),
            sorted(SalesDaily.select(SalesDaily.factory, SalesDaily.date, SalesDaily.gmv_fen)
                   .tuples()))


def _kill_when(process, marker):
    """SIGKILL ``process`` as soon as it prints a line containing ``marker``."""
    seen = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL, "".join(seen)


@pytest.mark.slow
def test_import_killed_after_writing_before_commit_changes_nothing(app, database_url,
                                                                   big_sales_file, hard_limit):
    hard_limit(120)
    before = _state()
    db.close()
    process = _start_import(database_url, big_sales_file, pause=60)
    _kill_when(process, "Written, not yet committed")
    db.connect(reuse_if_open=True)
    assert _state() == before


@pytest.mark.slow
def test_import_killed_while_checking_changes_nothing_and_a_rerun_works(app, database_url,
                                                                       big_sales_file, runner,
                                                                       hard_limit):
    hard_limit(150)
    before = _state()
    db.close()
    process = _start_import(database_url, big_sales_file, pause=60)
    _kill_when(process, "Checking")
    db.connect(reuse_if_open=True)
    assert _state() == before
    result = runner.invoke(args=["import", "sales", str(big_sales_file)])
    assert result.exit_code == 0, result.output
    assert SalesDaily.select().count() == 60_000
