"""Benchmark: every KPI API call at programme scale (issue 5).

    python -m bench kpis                 # SQLite, and PostgreSQL when reachable
    BENCH_SCALE=demo python -m bench kpis
    BENCH_BACKENDS=sqlite python -m bench kpis

For each backend a database filled by ``flask seed-demo --scale programme``
is built once and cached (SQLite: ``.bench/sqlite-<scale>.db``; PostgreSQL:
the database of ``BENCH_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/superfactory_bench``, created if
missing). The real app then runs under gunicorn on 127.0.0.1 with the
``QUERY_COUNT_HEADER`` flag (``X-Query-Count`` on every response), and each
target of ``TARGETS`` is requested at admin, manager, rep and owner scope
over the 90 and 365 days ending on the last day with sales: a few warm-up
requests, then ``BENCH_REQUESTS`` (default 20) timed ones, one at a time
over a kept-alive connection. API targets sign in with a bearer token,
page targets with a login session, as those users. The sales figures are
also checked in process: the rollup must give exactly what the raw rows
give for every scope and period.

The results are printed and written to ``docs/benchmarks.md``.

To add a page or partial (dashboards): append ``Target(name, path)`` to
``TARGETS``; ``{from}`` and ``{to}`` in the path are filled per period.
"""

import http.client
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import datetime
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench"
SCALE = os.environ.get("BENCH_SCALE", "programme")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
WARMUP = 3
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/superfactory_bench")
SECRET_KEY = "bench-only-secret-key-not-for-production"
BUDGET_P95_MS = 100
BUDGET_QUERIES = 10
ROLES = ("admin", "manager", "rep", "owner")
PERIOD_DAYS = (90, 365)


@dataclass(frozen=True)
class Target:
    """One URL to time. ``{from}``/``{to}`` are filled per period; a path
    without them is timed once per role (``periods=False``)."""

    name: str
    path: str
    periods: bool = True


TARGETS = [Target("calibration (/api/v1/me)", "/api/v1/me", periods=False)] + [
    Target(f"API kpis/{name}", f"/api/v1/kpis/{name}?from={{from}}&to={{to}}")
    for name in ("sales", "onboarding", "renewals", "complaints")
]


# --- databases ------------------------------------------------------------------

def _flask(env, *args):
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", *args]
    return subprocess.run(command, cwd=ROOT, env=env, check=True)


def sqlite_url():
    """The cached SQLite database, built on first use."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"sqlite-{SCALE}.db"
    if not path.exists():
        tmp = path.with_suffix(".db.tmp")
        for leftover in CACHE.glob(tmp.name + "*"):
            leftover.unlink()
        print(f"building {path} (flask seed-demo --scale {SCALE}; once, then cached)")
        started = time.monotonic()
        _flask(dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}"), "seed-demo", "--scale", SCALE)
        con = sqlite3.connect(tmp)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        tmp.rename(path)
        print(f"built in {time.monotonic() - started:.0f} s")
    url = f"sqlite:///{path}"
    # A cached database predates migrations added since: bring it up to date.
    _flask(dict(os.environ, DATABASE_URL=url), "init-db")
    return url


def postgres_url():
    """The PostgreSQL bench database, created and seeded on first use; None
    when no server answers."""
    import psycopg2

    parsed = urlparse(POSTGRES_URL)
    name = parsed.path.lstrip("/")
    try:
        admin = psycopg2.connect(host=parsed.hostname, port=parsed.port or 5432,
                                 user=parsed.username, password=parsed.password,
                                 dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as error:
        print(f"PostgreSQL not reachable ({error}); skipped")
        return None
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    con = psycopg2.connect(POSTGRES_URL)
    with con.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.sales_daily') IS NOT NULL")
        has_schema = cursor.fetchone()[0]
        seeded = False
        if has_schema:
            cursor.execute('SELECT EXISTS (SELECT 1 FROM "user")')
            seeded = cursor.fetchone()[0]
    con.close()
    if not seeded:
        print(f"building {POSTGRES_URL} (flask seed-demo --scale {SCALE}; once, then kept)")
        started = time.monotonic()
        _flask(dict(os.environ, DATABASE_URL=POSTGRES_URL), "seed-demo", "--scale", SCALE)
        print(f"built in {time.monotonic() - started:.0f} s")
    _flask(dict(os.environ, DATABASE_URL=POSTGRES_URL), "init-db")
    return POSTGRES_URL


# --- the app under gunicorn --------------------------------------------------------

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the real app on 127.0.0.1 with query counting on."""

    def __init__(self, url, workers=2):
        self.port = _free_port()
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY,
                   FLASK_QUERY_COUNT_HEADER="1")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "app:create_app()"],
            cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/api/v1/me")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


# --- who asks ---------------------------------------------------------------------

def bench_users():
    """One user per role with the broadest interesting scope: the admin, the
    manager with regions whose factories are most, the rep with the largest
    book, an owner of the factory with the most sales rows."""
    from peewee import fn

    from models import Factory, SalesDaily, User, UserRegion

    admin = User.select().where(User.role == "admin", User.is_active).order_by(User.id).first()
    manager = (User.select(User, fn.COUNT(Factory.id).alias("n"))
               .join(UserRegion, on=(UserRegion.user == User.id))
               .join(Factory, on=(Factory.region == UserRegion.region))
               .where(User.role == "manager", User.is_active)
               .group_by(User.id).order_by(fn.COUNT(Factory.id).desc()).first())
    rep = (User.select(User, fn.COUNT(Factory.id).alias("n"))
           .join(Factory, on=(Factory.rep == User.id))
           .where(User.role == "rep", User.is_active)
           .group_by(User.id).order_by(fn.COUNT(Factory.id).desc()).first())
    owner = (User.select().join(SalesDaily, on=(SalesDaily.factory == User.factory))
             .where(User.role == "owner", User.is_active)
             .group_by(User.id).order_by(fn.COUNT(SalesDaily.id).desc(), User.id).first())
    return {"admin": admin, "manager": manager, "rep": rep, "owner": owner}


def credentials(app, users):
    """``{role: headers}``: a bearer token (API) and a session cookie (pages)."""
    from access import SESSION_KEY, hash_secret, issue_api_token
    from models import LoginSession, db

    serializer = app.session_interface.get_signing_serializer(app)
    result = {}
    for role, user in users.items():
        with db.atomic():
            _row, token = issue_api_token(user, "bench", user)
            key = f"bench-{user.id}-{time.time()}"
            LoginSession.create(key=hash_secret(key), user=user)
        cookie = serializer.dumps({"_user_id": str(user.id), "_fresh": True,
                                   SESSION_KEY: key, "_permanent": True})
        result[role] = {"api": {"Authorization": f"Bearer {token}"},
                        "page": {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}}
    return result


# --- timing -----------------------------------------------------------------------

def time_target(port, path, headers, requests=None):
    """``(p50 ms, p95 ms, max queries, statuses)`` over ``requests``
    (default REQUESTS) requests after the warm-up."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    timings, queries, statuses = [], 0, set()
    requests = REQUESTS if requests is None else requests
    for n in range(WARMUP + requests):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        statuses.add(response.status)
        queries = max(queries, int(response.headers.get("X-Query-Count", "-1")))
        if n >= WARMUP:
            timings.append(elapsed)
    connection.close()
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return statistics.median(timings), p95, queries, statuses


def time_once(port, path, headers):
    """Milliseconds of one request on a new connection (the cold one)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    connection.getresponse().read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return elapsed


def periods(last_day):
    from metrics.period import Period

    return {days: Period(last_day - datetime.timedelta(days=days - 1), last_day)
            for days in PERIOD_DAYS}


def check_rollup(users, spans):
    """The rollup's sums equal the raw rows' for every scope and period."""
    from metrics import rollup, sales_data
    from metrics.scoping import Scope

    problems = []
    for role, user in users.items():
        for days, period in spans.items():
            ids = Scope(user).factory_ids(period.end)
            for which in (period, period.last_year(), period.previous()):
                if rollup.period_totals(ids, which) != sales_data.raw_period_totals(ids, which):
                    problems.append(f"{role} {which}")
    return problems


def run_backend(label, url):
    """Time every target on one database; returns result rows."""
    from app import create_app
    from models import SalesDaily, db
    from peewee import fn

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    rows, notes = [], {}
    with app.app_context():
        db.connect(reuse_if_open=True)
        last_day = SalesDaily.select(fn.MAX(SalesDaily.date)).scalar()
        if isinstance(last_day, str):
            last_day = datetime.date.fromisoformat(last_day)
        users = bench_users()
        creds = credentials(app, users)
        spans = periods(last_day)
        notes["rollup_problems"] = check_rollup(users, spans)
        notes["sales_rows"] = SalesDaily.select().count()
        from models import Factory
        notes["factories"] = Factory.select().count()
        notes["users"] = {role: user.username for role, user in users.items()}
        db.close()
    server = Server(url)
    try:
        for target in TARGETS:
            for role in ROLES:
                kind = "api" if target.path.startswith("/api/") else "page"
                for days in (PERIOD_DAYS if target.periods else (None,)):
                    path = target.path
                    if days is not None:
                        period = spans[days]
                        path = path.replace("{from}", period.start.isoformat()).replace(
                            "{to}", period.end.isoformat())
                    p50, p95, queries, statuses = time_target(server.port, path,
                                                              creds[role][kind])
                    row = dict(backend=label, target=target.name, role=role,
                               days=days, p50=p50, p95=p95, queries=queries,
                               status="/".join(str(s) for s in sorted(statuses)))
                    rows.append(row)
                    print(_format_row(row), flush=True)
    finally:
        server.stop()
    return rows, notes


def _format_row(row):
    days = f"{row['days']} d" if row["days"] else "—"
    return (f"| {row['backend']} | {row['target']} | {row['role']} | {days} | "
            f"{row['p50']:.1f} | {row['p95']:.1f} | {row['queries']} | {row['status']} |")


# --- the report -------------------------------------------------------------------

def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"CPU": cpu, "cores": str(os.cpu_count()), "RAM": memory,
            "OS": platform.platform(), "Python": platform.python_version(),
            "SQLite": sqlite3.sqlite_version}


def postgres_version(url):
    import psycopg2

    con = psycopg2.connect(url)
    with con.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    con.close()
    return version


def write_report(rows, notes, info):
    budget_rows = [r for r in rows if r["backend"] == "SQLite" and r["target"].startswith("API")]
    worst = max((r["p95"] for r in budget_rows), default=0)
    most = max((r["queries"] for r in rows if r["target"].startswith("API")), default=0)
    lines = [
        "# Benchmarks: KPI API",
        "",
        "Written by `make bench` (`python -m bench kpis`); numbers from the last run.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
        "## KPI API at scale",
        "",
        f"Data: `flask seed-demo --scale {SCALE}`. Each row: {WARMUP} warm-up requests, "
        f"then {REQUESTS} timed requests one after another over a kept-alive connection to "
        "gunicorn (2 workers) on 127.0.0.1, signed in with a bearer token as that role's "
        "user; periods end on the last day with sales. Queries: SQL statements the request "
        "ran (`X-Query-Count`, on only in the bench's configuration), including "
        "authentication.",
        "",
    ]
    for label, note in notes.items():
        lines.append(f"- {label}: {note['factories']:,} factories, {note['sales_rows']:,} "
                     f"sales_daily rows; users {note['users']}; rollup equals raw rows for "
                     f"every scope and period: "
                     f"{'yes' if not note['rollup_problems'] else note['rollup_problems']}")
    lines += [
        "",
        f"Budget: p95 at most {BUDGET_P95_MS} ms on SQLite and at most {BUDGET_QUERIES} "
        f"queries per KPI API request. This run: worst SQLite p95 {worst:.1f} ms "
        f"({'met' if worst <= BUDGET_P95_MS else 'NOT met'}), most queries {most} "
        f"({'met' if most <= BUDGET_QUERIES else 'NOT met'}).",
        "",
        "| backend | target | scope | period | p50 ms | p95 ms | queries | status |",
        "|---|---|---|---|---:|---:|---:|---|",
        *[_format_row(row) for row in rows],
        "",
    ]
    write_section("kpis", lines)


def write_section(name, lines):
    """Replace (or add) benchmark ``name``'s section of docs/benchmarks.md, so
    each benchmark rewrites only its own figures."""
    path = ROOT / "docs" / "benchmarks.md"
    path.parent.mkdir(exist_ok=True)
    start, end = f"<!-- {name} bench: start -->", f"<!-- {name} bench: end -->"
    section = start + "\n" + "\n".join(lines) + end + "\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        text = text[:text.index(start)] + section + text[text.index(end) + len(end) + 1:]
    else:
        text = (text + "\n" if text else "") + section
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


def main():
    sys.path.insert(0, str(ROOT))
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
    all_rows, notes, info = [], {}, machine()
    if "sqlite" in backends:
        rows, note = run_backend("SQLite", sqlite_url())
        all_rows += rows
        notes["SQLite"] = note
    if "postgres" in backends:
        url = postgres_url()
        if url:
            info["PostgreSQL"] = postgres_version(url)
            rows, note = run_backend("PostgreSQL", url)
            all_rows += rows
            notes["PostgreSQL"] = note
    write_report(all_rows, notes, info)


if __name__ == "__main__":
    main()
