"""Benchmark: import 1,000,000 sales rows (SPEC section 6; issue: at most
60 s into SQLite on the reference machine, memory flat).

    python -m bench imports            # SQLite, and PostgreSQL when reachable
    BENCH_IMPORT_ROWS=200000 python -m bench imports

Each run uses a fresh database: a SQLite file in a temporary folder, and on
PostgreSQL a scratch database created on the server named by
``BENCH_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``)
and dropped afterwards. The CSV is generated first (5,000 factories x 200
days), then ``flask import sales`` runs in a child process whose wall time
and peak memory are reported; then the same file again (a no-op re-import).
"""

import csv
import datetime
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
FACTORIES = 5_000
LIMIT_SECONDS = 60


def write_reference_files(folder, factories=FACTORIES):
    """regions, users (one rep) and factories CSVs for a sales benchmark."""
    folder = Path(folder)
    with open(folder / "regions.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["code", "name_zh", "name_en", "province", "city", "industry_zh",
                      "industry_en"])
        out.writerow(["GZ", "广州女装", "Guangzhou womenswear", "广东", "广州", "女装",
                      "Womenswear"])
    with open(folder / "users.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["username", "display_name", "role", "regions", "factory_code", "email",
                      "phone"])
        out.writerow(["rep.bench", "王芳", "rep", "GZ", "", "", ""])
    with open(folder / "factories.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["code", "name", "region_code", "kind", "rep_username", "specialized",
                      "little_giant", "phone", "address"])
        for n in range(factories):
            out.writerow([f"F{n:05d}", f"测试工厂{n}", "GZ", "factory", "rep.bench", "no",
                          "no", "", ""])


def write_sales_csv(path, rows=ROWS, factories=FACTORIES, seed=1):
    """A sales CSV of ``rows`` rows over ``factories`` factories, streamed."""
    rng = random.Random(seed)
    days = -(-rows // factories)
    start = datetime.date(2024, 1, 1)
    dates = [(start + datetime.timedelta(days=d)).isoformat() for d in range(days)]
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["factory_code", "date", "gmv_cny", "orders", "new_buyers",
                      "repeat_orders", "dropship_orders", "shipments",
                      "shipments_picked_48h"])
        for n in range(factories):
            code = f"F{n:05d}"
            for day in dates:
                if written == rows:
                    return
                orders = rng.randint(0, 400)
                shipments = rng.randint(0, orders)
                out.writerow([code, day, f"{rng.randint(0, 5_000_000) / 100:.2f}", orders,
                              rng.randint(0, orders), rng.randint(0, orders),
                              rng.randint(0, orders), shipments, rng.randint(0, shipments)])
                written += 1


def _flask(env, *args, check=True):
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], cwd=ROOT, env=env, capture_output=True,
        text=True)
    seconds = time.monotonic() - started
    if check and completed.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{completed.stdout}\n{completed.stderr}")
    peak_mb = None
    for line in completed.stderr.splitlines():
        if line.startswith("PEAK_RSS_KB="):
            peak_mb = int(line.split("=")[1]) / 1024
    return seconds, peak_mb, completed.stdout.strip().splitlines()[-1:]


# The child runs the real CLI and reports its own peak memory.
_CHILD = """
import resource, sys
from flask.cli import main
sys.argv = ["flask", "--app", "app"] + sys.argv[1:]
try:
    main()
finally:
    print("PEAK_RSS_KB=%d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _run_one(label, url, folder, sales_csv):
    env = dict(os.environ, DATABASE_URL=url)
    _flask(env, "init-db")
    for kind in ("regions", "users", "factories"):
        _flask(env, "import", kind, str(Path(folder) / f"{kind}.csv"))
    seconds, peak, tail = _flask(env, "import", "sales", str(sales_csv))
    again, peak_again, tail_again = _flask(env, "import", "sales", str(sales_csv))
    # The 60 s budget is SQLite's (the default store); PostgreSQL is reported.
    verdict = ("" if label != "SQLite" else
               "OK" if seconds <= LIMIT_SECONDS else f"OVER {LIMIT_SECONDS} s")
    print(f"{label}: import of {ROWS:,} sales rows: {seconds:.1f} s "
          f"(peak memory {peak:.0f} MB) {verdict}; {' '.join(tail)}")
    print(f"{label}: the same file again: {again:.1f} s (peak memory {peak_again:.0f} MB); "
          f"{' '.join(tail_again)}")
    return seconds


def _postgres_server():
    url = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg2

        parsed = urlparse(url)
        connection = psycopg2.connect(dbname=parsed.path.lstrip("/") or "postgres",
                                      user=parsed.username, password=parsed.password,
                                      host=parsed.hostname, port=parsed.port or 5432,
                                      connect_timeout=3)
        connection.autocommit = True
        return url, connection
    except Exception as error:  # no server: SQLite only
        print(f"PostgreSQL: skipped ({type(error).__name__}: {error})".strip())
        return None, None


def main():
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        sales_csv = Path(folder) / "sales.csv"
        started = time.monotonic()
        write_reference_files(folder)
        write_sales_csv(sales_csv)
        size_mb = sales_csv.stat().st_size / 1024 / 1024
        print(f"Generated {ROWS:,} sales rows ({size_mb:.0f} MB) in "
              f"{time.monotonic() - started:.1f} s")
        _run_one("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", folder, sales_csv)
        url, connection = _postgres_server()
        if connection is not None:
            name = f"bench_imports_{os.getpid()}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
            try:
                parsed = urlparse(url)
                target = parsed._replace(path=f"/{name}").geturl()
                _run_one("PostgreSQL", target, folder, sales_csv)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.close()


if __name__ == "__main__":
    main()
