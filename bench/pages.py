"""Benchmark: every page (issue 16): each dashboard's page, its filter
partial, its sort and page partials and its export, for the four scopes
(admin, a manager of all regions, a manager of five regions, a rep), plus
the factory page and its timeline partial (owner and admin), ``/my-day``
(rep), ``/regions`` (admin and managers) and the owner's ``/my-factory``.

    python -m bench pages                # SQLite, and PostgreSQL when reachable
    BENCH_BACKENDS=sqlite python -m bench pages
    BENCH_ONLY=renewals python -m bench pages   # only the targets named so

Uses the databases and the gunicorn server of ``bench.kpis`` (built once and
cached). For each target: one cold request right after every remembered
answer is dropped (``metric_cache`` emptied: what the first view after a
write costs), then warm-up, then p50/p95 over ``BENCH_REQUESTS`` requests
signed in with a login session; budgets: page p95 <= 150 ms, partial p95 <=
80 ms (exports have none, and ``BENCH_EXPORT_REQUESTS``, default 3, timed
requests). Then the bytes a browser downloads, compressed as
it would get them (``Accept-Encoding: br, gzip``): the first load of each
page (the HTML and every script, style sheet and icon it links) and a repeat
view (the HTML only: static files carry a content hash and are cached for a
year); budgets 500 KB and 60 KB. The load average is printed with the
figures (the machine may be shared). Each backend's last rows are kept in
``.bench/pages-<backend>.json``; ``docs/benchmarks.md`` shows the last run
of each.
"""

import http.client
import os
import re

from bench import kpis

BUDGET_PAGE_MS = 150
BUDGET_PARTIAL_MS = 80
BUDGET_FIRST_LOAD_KB = 350  # issue 17: a dashboard, plotly.js included
BUDGET_REPEAT_KB = 60
BUDGETS = {"page": BUDGET_PAGE_MS, "partial": BUDGET_PARTIAL_MS}
# Exports have no budget and take seconds: fewer timed requests.
EXPORT_REQUESTS = int(os.environ.get("BENCH_EXPORT_REQUESTS", "3"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
# Only the targets whose name contains this text (all when unset); a partial
# run prints its rows and leaves docs/benchmarks.md alone.
ONLY = os.environ.get("BENCH_ONLY", "")
HTMX = {"HX-Request": "true"}
# Linked files, and the chart script and locale app.js loads once a chart
# nears the viewport (data-chart-src, data-chart-locale-src).
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"|data-chart(?:-locale)?-src="([^"]+)"')

SCOPES = ("admin", "manager_all", "manager_5", "rep")
PERIOD = "period=custom&from={from}&to={to}"

# (name, kind, roles, path): ``{from}``/``{to}`` are filled per period.
PAGES = [
    ("owner page /my-factory", "page", ("owner",), f"/my-factory?{PERIOD}"),
    ("owner filter change (partial)", "partial", ("owner",), f"/my-factory?{PERIOD}&grain=month"),
    ("sales dashboard /sales/", "page", SCOPES, f"/sales/?{PERIOD}"),
    ("sales filter change (partial)", "partial", SCOPES, f"/sales/?{PERIOD}&grain=month"),
    ("sales ranking sort (partial)", "partial", SCOPES,
     f"/sales/ranking?{PERIOD}&sort=orders&dir=asc"),
    ("sales ranking all factories (partial)", "partial", SCOPES,
     f"/sales/ranking?{PERIOD}&level=factories"),
    ("sales ranking factories page 2 (partial)", "partial", SCOPES,
     f"/sales/ranking?{PERIOD}&level=factories&page=2"),
    ("sales ranking export (CSV)", "export", SCOPES, f"/sales/ranking.csv?{PERIOD}"),
    ("onboarding dashboard /onboarding/", "page", SCOPES, f"/onboarding/?{PERIOD}"),
    ("onboarding filter change (partial)", "partial", SCOPES, f"/onboarding/?{PERIOD}&tier=super"),
    ("onboarding stalled sort (partial)", "partial", SCOPES,
     f"/onboarding/stalled?{PERIOD}&stalled_sort=factory&stalled_dir=asc"),
    ("onboarding stalled page 2 (partial)", "partial", SCOPES,
     f"/onboarding/stalled?{PERIOD}&stalled_page=2"),
    ("onboarding rep speed sort (partial)", "partial", SCOPES,
     f"/onboarding/speed?{PERIOD}&speed_sort=lives"),
    ("onboarding stalled export (CSV)", "export", SCOPES, f"/onboarding/stalled.csv?{PERIOD}"),
    ("onboarding rep speed export (CSV)", "export", SCOPES, f"/onboarding/speed.csv?{PERIOD}"),
    ("renewals dashboard /renewals/", "page", SCOPES, f"/renewals/?{PERIOD}"),
    ("renewals due tab 30 days (partial)", "partial", SCOPES, f"/renewals/?{PERIOD}&due=30"),
    ("renewals due sort by health (partial)", "partial", SCOPES,
     f"/renewals/due?{PERIOD}&due_sort=health&due_dir=asc"),
    ("renewals due page 2 (partial)", "partial", SCOPES, f"/renewals/due?{PERIOD}&due_page=2"),
    ("renewals due export (CSV)", "export", SCOPES, f"/renewals/due.csv?{PERIOD}"),
    ("complaint board /complaints/", "page", SCOPES, f"/complaints/?{PERIOD}"),
    ("complaint board filter change (partial)", "partial", SCOPES,
     f"/complaints/?{PERIOD}&status=in_progress"),
    ("complaint board sort (partial)", "partial", SCOPES,
     f"/complaints/board?{PERIOD}&sort=age&dir=asc"),
    ("complaint board page 2 (partial)", "partial", SCOPES, f"/complaints/board?{PERIOD}&page=2"),
    ("complaint board export (CSV)", "export", SCOPES, f"/complaints/board.csv?{PERIOD}"),
]
# Pages without a period: timed once per role ("period" is then "—").
PLAIN_PAGES = [
    ("rep's day /my-day", "page", ("rep",), "/my-day"),
    ("My day count filter (partial)", "partial", ("rep",), "/my-day?show=not_visited"),
    ("regions /regions", "page", ("admin", "manager_all", "manager_5"), "/regions"),
    ("renewals review queue /renewals/queue", "page", ("admin", "manager_all", "manager_5"),
     "/renewals/queue"),
]
# Roles beyond bench.kpis.bench_users: a manager with no regions (all of
# them), and one of the five regions with the most factories (made for the
# bench if missing).
EXTRA_USERS = {"manager_all": "manager_all"}
MANAGER_5 = "bench_manager_5"


# The factory page and its timeline partial (issue 11), for the bench
# owner's factory (the one with the most sales rows: two years of history),
# as its owner and as the admin (staff: every timeline kind).
FACTORY_PAGES = [
    ("factory page /factories/<code>", "page", ("owner", "admin"), "/factories/{code}"),
    ("factory timeline show more (partial)", "partial", ("owner", "admin"),
     "/factories/{code}/timeline?page=2"),
]
HISTORY_DAYS = 730


def manager_of_five():
    """The bench's manager of the five regions with the most factories."""
    from peewee import fn

    from models import Factory, Region, User, UserRegion, db

    user = User.get_or_none(User.username == MANAGER_5)
    if user is None:
        with db.atomic():
            user = User.create(username=MANAGER_5, display_name="Bench manager (5 regions)",
                               role="manager")
            regions = (Region.select(Region.id).join(Factory, on=(Factory.region == Region.id))
                       .group_by(Region.id).order_by(fn.COUNT(Factory.id).desc(), Region.id)
                       .limit(5))
            for region in regions:
                UserRegion.create(user=user, region=region.id)
    return user


def forget_answers():
    """Drop every remembered dashboard answer (``metrics.cache``): the next
    request costs what the first one after a write does."""
    from models import MetricCache

    MetricCache.delete().execute()


def _get(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def transfer(port, path, headers):
    """``(first load bytes, repeat view bytes, files)`` of a page as sent
    over the wire with compression."""
    wire = dict(headers, **{"Accept-Encoding": "br, gzip"})
    response, body = _get(port, path, wire)
    html = len(body)
    page = _get(port, path, dict(headers, **{"Accept-Encoding": "identity"}))[1].decode()
    total, files = html, 1
    for asset in sorted({linked or chart for linked, chart in ASSET.findall(page)}):
        asset_response, asset_body = _get(port, asset.replace("&amp;", "&"), wire)
        assert asset_response.status == 200, asset
        total += len(asset_body)
        files += 1
    return total, html, files


def run_backend(label, url):
    """Time the pages and measure their transfer on one database."""
    import datetime

    from app import create_app
    from models import SalesDaily, User, db
    from peewee import fn

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": kpis.SECRET_KEY})
    with app.app_context():
        db.connect(reuse_if_open=True)
        last_day = SalesDaily.select(fn.MAX(SalesDaily.date)).scalar()
        if isinstance(last_day, str):
            last_day = datetime.date.fromisoformat(last_day)
        users = kpis.bench_users()
        for role, username in EXTRA_USERS.items():
            users[role] = User.get(User.username == username)
        users["manager_5"] = manager_of_five()
        creds = kpis.credentials(app, users)
        spans = kpis.periods(last_day)
        factory_code = users["owner"].factory.code
        db.close()
    rows, sizes = [], []
    server = kpis.Server(url)
    targets = ([(entry, spans) for entry in PAGES]
               + [(entry, {None: None}) for entry in PLAIN_PAGES]
               + [(entry, {HISTORY_DAYS: None}) for entry in FACTORY_PAGES])
    try:
        for (name, kind, roles, template), periods in targets:
            if ONLY not in name:
                continue
            for role in roles:
                for days, period in periods.items():
                    path = template.replace("{code}", factory_code)
                    if period is not None:
                        path = path.replace("{from}", period.start.isoformat()).replace(
                            "{to}", period.end.isoformat())
                    headers = dict(creds[role]["page"], **(HTMX if kind == "partial" else {}))
                    with app.app_context():
                        forget_answers()
                        db.close()
                    cold = kpis.time_once(server.port, path, headers)
                    p50, p95, queries, statuses = kpis.time_target(
                        server.port, path, headers,
                        EXPORT_REQUESTS if kind == "export" else None)
                    row = dict(backend=label, target=name, kind=kind, role=role, days=days,
                               cold=cold, p50=p50, p95=p95, queries=queries,
                               status="/".join(str(s) for s in sorted(statuses)),
                               load=os.getloadavg()[0])
                    rows.append(row)
                    print(_format_row(row), flush=True)
                    if kind == "page" and days == min(periods, key=lambda d: d or 0) \
                            and label == "SQLite":
                        first, repeat, files = transfer(server.port, path, creds[role]["page"])
                        sizes.append(dict(target=name, role=role, first=first, repeat=repeat,
                                          files=files))
                        print(f"  transfer {name} as {role}: first load {first / 1024:.0f} KB "
                              f"({files} files), repeat view {repeat / 1024:.1f} KB", flush=True)
    finally:
        server.stop()
    return rows, sizes


def _verdict(row):
    budget = BUDGETS.get(row["kind"])
    if budget is None:
        return "no budget"
    return "met" if row["p95"] <= budget else "NOT met"


def _format_row(row):
    days = f"{row['days']} d" if row["days"] else "—"
    return (f"| {row['backend']} | {row['target']} | {row['role']} | {days} | "
            f"{row['cold']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} | {row['queries']} | "
            f"{row['status']} | {_verdict(row)} | {row['load']:.1f} |")


def write_report(rows, sizes):
    def worst(kind, backend="SQLite"):
        return max((r["p95"] for r in rows if r["kind"] == kind and r["backend"] == backend),
                   default=0)

    def missed(kind, backend="SQLite"):
        return sum(1 for r in rows if r["kind"] == kind and r["backend"] == backend
                   and r["p95"] > BUDGETS[kind])

    def count(kind, backend="SQLite"):
        return sum(1 for r in rows if r["kind"] == kind and r["backend"] == backend)

    first = max((s["first"] for s in sizes), default=0) / 1024
    repeat = max((s["repeat"] for s in sizes), default=0) / 1024
    loads = [r["load"] for r in rows]
    budget_lines = []
    for backend in sorted({r["backend"] for r in rows}, key=lambda b: b != "SQLite"):
        budget_lines.append(
            f"- {backend}: page p95 <= {BUDGET_PAGE_MS} ms: {count('page', backend) - missed('page', backend)}"
            f" of {count('page', backend)} met (worst {worst('page', backend):.1f} ms); partial p95 <= "
            f"{BUDGET_PARTIAL_MS} ms: {count('partial', backend) - missed('partial', backend)} of "
            f"{count('partial', backend)} met (worst {worst('partial', backend):.1f} ms).")
    lines = [
        "# Benchmarks: pages",
        "",
        "Written by `make bench` (`python -m bench pages`); the machine and data are those of "
        "the KPI API section. Scopes: `admin`; `manager_all` (a manager with no regions: all "
        "of them); `manager_5` (`bench_manager_5`, made by the bench: the five regions with "
        "the most factories); `rep` (the rep with the largest book); `owner`. Each row: one "
        "cold request right after every remembered answer was dropped (`metric_cache` "
        "emptied: what the first view after a write costs), warm-up, then "
        f"{kpis.REQUESTS} requests ({EXPORT_REQUESTS} for exports) signed in with a login "
        "session; partials are the same "
        "URLs with `HX-Request: true`, as htmx sends them. Queries: SQL statements of the "
        "last request. Load: the 1-minute load average when the row was measured (the "
        "machine may be shared: p95 rises with it; query counts do not).",
        "",
        f"Load average over the run: {min(loads, default=0):.1f}–{max(loads, default=0):.1f}.",
        "",
        *budget_lines,
        f"- First load <= {BUDGET_FIRST_LOAD_KB} KB: largest {first:.0f} KB "
        f"({'met' if first <= BUDGET_FIRST_LOAD_KB else 'NOT met'}); repeat view <= "
        f"{BUDGET_REPEAT_KB} KB: largest {repeat:.1f} KB "
        f"({'met' if repeat <= BUDGET_REPEAT_KB else 'NOT met'}).",
        "",
        "| backend | target | scope | period | cold ms | p50 ms | p95 ms | queries | status "
        "| budget | load |",
        "|---|---|---|---|---:|---:|---:|---:|---|---|---:|",
        *[_format_row(row) for row in rows],
        "",
        "Transfer (compressed, as sent; first load = HTML + scripts + styles + icon):",
        "",
        "| page | scope | first load KB | files | repeat view KB |",
        "|---|---|---:|---:|---:|",
        *[f"| {s['target']} | {s['role']} | {s['first'] / 1024:.0f} | {s['files']} | "
          f"{s['repeat'] / 1024:.1f} |" for s in sizes],
        "",
    ]
    kpis.write_section("pages", lines)


def _saved(label):
    return kpis.CACHE / f"pages-{label}.json"


def save_run(label, rows, sizes):
    """Keep one backend's rows, so a run of the other backend alone
    (``BENCH_BACKENDS=postgres``) still reports both."""
    import json

    _saved(label).write_text(json.dumps({"rows": rows, "sizes": sizes}), encoding="utf-8")


def saved_runs():
    """``(rows, sizes)`` of the last run of each backend, SQLite first."""
    import json

    rows, sizes = [], []
    for label in ("SQLite", "PostgreSQL"):
        path = _saved(label)
        if path.exists():
            run = json.loads(path.read_text(encoding="utf-8"))
            rows += run["rows"]
            sizes += run["sizes"]
    return rows, sizes


def main():
    runs = []
    if "sqlite" in BACKENDS:
        runs.append(("SQLite", *run_backend("SQLite", kpis.sqlite_url())))
    if "postgres" in BACKENDS:
        url = kpis.postgres_url()
        if url:
            runs.append(("PostgreSQL", *run_backend("PostgreSQL", url)))
    if ONLY:
        print("BENCH_ONLY set: figures printed, docs/benchmarks.md left as it was")
        return
    for label, rows, sizes in runs:
        save_run(label, rows, sizes)
    write_report(*saved_runs())
