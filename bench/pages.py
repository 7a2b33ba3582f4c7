"""Benchmark: the sales pages at programme scale (issue 6), the factory
page with its timeline partial (issue 11; "period" is then the factory's
history, two years), and the complaint board with its partials (issue 14).

    python -m bench pages                # SQLite, and PostgreSQL when reachable
    BENCH_BACKENDS=sqlite python -m bench pages
    BENCH_ONLY=renewals python -m bench pages   # only the targets named so

Uses the databases and the gunicorn server of ``bench.kpis`` (built once and
cached). For each page, p50/p95 over ``BENCH_REQUESTS`` requests signed in
with a login session: the owner's page and the staff sales dashboard as full
pages, and the htmx partials a filter change (the dashboard block) and a
sort (the ranking table) swap; budgets: page p95 <= 150 ms, partial p95 <=
80 ms. Then the bytes a browser downloads, compressed as it would get them
(``Accept-Encoding: br, gzip``): the first load of each page (the HTML and
every script, style sheet and icon it links) and a repeat view (the HTML
only: static files carry a content hash and are cached for a year); budgets
500 KB and 60 KB. Results go to ``docs/benchmarks.md``.
"""

import http.client
import os
import re

from bench import kpis

BUDGET_PAGE_MS = 150
BUDGET_PARTIAL_MS = 80
BUDGET_FIRST_LOAD_KB = 500
BUDGET_REPEAT_KB = 60
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
# Only the targets whose name contains this text (all when unset); a partial
# run prints its rows and leaves docs/benchmarks.md alone.
ONLY = os.environ.get("BENCH_ONLY", "")
HTMX = {"HX-Request": "true"}
# Linked files, and the chart script and locale app.js loads once a chart
# nears the viewport (data-chart-src, data-chart-locale-src).
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"|data-chart(?:-locale)?-src="([^"]+)"')

# (name, kind, roles, path): ``{from}``/``{to}`` are filled per period.
PAGES = [
    # The rep's day (issue 15; no period: today), the list and a count's filter.
    ("My day /my-day", "page", ("rep",), "/my-day"),
    ("My day count filter (partial)", "partial", ("rep",), "/my-day?show=not_visited"),
    ("owner page /my-factory", "page", ("owner",),
     "/my-factory?period=custom&from={from}&to={to}"),
    ("sales dashboard /sales/", "page", ("admin", "manager", "rep"),
     "/sales/?period=custom&from={from}&to={to}"),
    ("owner filter change (partial)", "partial", ("owner",),
     "/my-factory?period=custom&from={from}&to={to}&grain=month"),
    ("dashboard filter change (partial)", "partial", ("admin", "manager", "rep"),
     "/sales/?period=custom&from={from}&to={to}&grain=month"),
    ("ranking sort (partial)", "partial", ("admin", "manager", "rep"),
     "/sales/ranking?period=custom&from={from}&to={to}&sort=orders&dir=asc"),
    ("complaint board /complaints/", "page", ("admin", "manager", "rep"),
     "/complaints/?period=custom&from={from}&to={to}"),
    ("complaint board filter change (partial)", "partial", ("admin", "manager", "rep"),
     "/complaints/?period=custom&from={from}&to={to}&status=in_progress"),
    ("complaint board page 2 (partial)", "partial", ("admin", "manager", "rep"),
     "/complaints/board?period=custom&from={from}&to={to}&page=2"),
    ("renewals dashboard /renewals/", "page", ("admin", "manager", "rep"),
     "/renewals/?period=custom&from={from}&to={to}"),
    ("renewals due tab 30 days (partial)", "partial", ("admin", "manager", "rep"),
     "/renewals/?period=custom&from={from}&to={to}&due=30"),
    ("renewals due sort by health (partial)", "partial", ("admin", "manager", "rep"),
     "/renewals/due?period=custom&from={from}&to={to}&due_sort=health&due_dir=asc"),
    ("onboarding dashboard /onboarding/", "page", ("admin", "manager_all", "manager", "rep"),
     "/onboarding/?period=custom&from={from}&to={to}"),
    ("onboarding filter change (partial)", "partial", ("admin", "manager_all", "manager", "rep"),
     "/onboarding/?period=custom&from={from}&to={to}&tier=super"),
    ("onboarding stalled list sort (partial)", "partial", ("admin", "manager_all", "manager", "rep"),
     "/onboarding/stalled?period=custom&from={from}&to={to}&stalled_sort=factory&stalled_dir=asc"),
    ("manager's home /regions", "page", ("admin", "manager_all", "manager"), "/regions"),
    ("renewals review queue /renewals/queue", "page", ("admin", "manager_all", "manager"),
     "/renewals/queue"),
]
# Roles beyond bench.kpis.bench_users: a manager with no regions (all of them).
EXTRA_USERS = {"manager_all": "manager_all"}


# The factory page and its timeline partial (issue 11), for the bench
# owner's factory (the one with the most sales rows: two years of history),
# as its owner and as the admin (staff: every timeline kind).
FACTORY_PAGES = [
    ("factory page /factories/<code>", "page", ("owner", "admin"), "/factories/{code}"),
    ("factory timeline show more (partial)", "partial", ("owner", "admin"),
     "/factories/{code}/timeline?page=2"),
]
HISTORY_DAYS = 730


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
    from app import create_app
    from models import SalesDaily, db
    from peewee import fn

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": kpis.SECRET_KEY})
    with app.app_context():
        db.connect(reuse_if_open=True)
        last_day = SalesDaily.select(fn.MAX(SalesDaily.date)).scalar()
        if isinstance(last_day, str):
            import datetime

            last_day = datetime.date.fromisoformat(last_day)
        users = kpis.bench_users()
        from models import User

        for role, username in EXTRA_USERS.items():
            users[role] = User.get(User.username == username)
        creds = kpis.credentials(app, users)
        spans = kpis.periods(last_day)
        factory_code = users["owner"].factory.code
        db.close()
    rows, sizes = [], []
    server = kpis.Server(url)
    try:
        for name, kind, roles, template in PAGES + FACTORY_PAGES:
            if ONLY not in name:
                continue
            # A factory page has no period: it shows the factory's whole history.
            targets = spans if "{from}" in template else {HISTORY_DAYS: None}
            for role in roles:
                for days, period in targets.items():
                    path = template.replace("{code}", factory_code)
                    if period is not None:
                        path = path.replace("{from}", period.start.isoformat()).replace(
                            "{to}", period.end.isoformat())
                    headers = dict(creds[role]["page"], **(HTMX if kind == "partial" else {}))
                    p50, p95, queries, statuses = kpis.time_target(server.port, path, headers)
                    row = dict(backend=label, target=name, kind=kind, role=role, days=days,
                               p50=p50, p95=p95, queries=queries,
                               status="/".join(str(s) for s in sorted(statuses)))
                    rows.append(row)
                    print(_format_row(row), flush=True)
                    if kind == "page" and days == min(targets) and label == "SQLite":
                        first, repeat, files = transfer(server.port, path, creds[role]["page"])
                        sizes.append(dict(target=name, role=role, first=first, repeat=repeat,
                                          files=files))
                        print(f"  transfer {name} as {role}: first load {first / 1024:.0f} KB "
                              f"({files} files), repeat view {repeat / 1024:.1f} KB", flush=True)
    finally:
        server.stop()
    return rows, sizes


def _format_row(row):
    return (f"| {row['backend']} | {row['target']} | {row['role']} | {row['days']} d | "
            f"{row['p50']:.1f} | {row['p95']:.1f} | {row['queries']} | {row['status']} |")


def write_report(rows, sizes):
    def worst(kind):
        return max((r["p95"] for r in rows if r["kind"] == kind and r["backend"] == "SQLite"),
                   default=0)

    first = max((s["first"] for s in sizes), default=0) / 1024
    repeat = max((s["repeat"] for s in sizes), default=0) / 1024
    lines = [
        "# Benchmarks: sales pages",
        "",
        "Written by `make bench` (`python -m bench pages`); the machine and data are those of "
        "the KPI API section. Each row: warm-up, then "
        f"{kpis.REQUESTS} requests signed in with a login session; partials are the same "
        "URLs with `HX-Request: true`, as htmx sends them.",
        "",
        f"Budgets on SQLite: page p95 <= {BUDGET_PAGE_MS} ms (worst: {worst('page'):.1f} ms, "
        f"{'met' if worst('page') <= BUDGET_PAGE_MS else 'NOT met'}); partial p95 <= "
        f"{BUDGET_PARTIAL_MS} ms (worst: {worst('partial'):.1f} ms, "
        f"{'met' if worst('partial') <= BUDGET_PARTIAL_MS else 'NOT met'}); first load <= "
        f"{BUDGET_FIRST_LOAD_KB} KB (largest: {first:.0f} KB, "
        f"{'met' if first <= BUDGET_FIRST_LOAD_KB else 'NOT met'}); repeat view <= "
        f"{BUDGET_REPEAT_KB} KB (largest: {repeat:.1f} KB, "
        f"{'met' if repeat <= BUDGET_REPEAT_KB else 'NOT met'}).",
        "",
        "| backend | target | scope | period | p50 ms | p95 ms | queries | status |",
        "|---|---|---|---|---:|---:|---:|---|",
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


def main():
    rows, sizes = [], []
    if "sqlite" in BACKENDS:
        more, measured = run_backend("SQLite", kpis.sqlite_url())
        rows += more
        sizes += measured
    if "postgres" in BACKENDS:
        url = kpis.postgres_url()
        if url:
            rows += run_backend("PostgreSQL", url)[0]
    if ONLY:
        print("BENCH_ONLY set: figures printed, docs/benchmarks.md left as it was")
    else:
        write_report(rows, sizes)
