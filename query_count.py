"""Counting the SQL statements each request runs, for ``make bench``.

Off unless the app's config sets ``QUERY_COUNT_HEADER`` (the bench's
configuration does): then every response carries ``X-Query-Count``.
"""

from flask import g, has_request_context

HEADER = "X-Query-Count"


def init_app(app, database):
    """Wrap ``database.execute_sql`` to count per request, when enabled."""
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    original = database.execute_sql

    def counting_execute_sql(sql, params=None, *args, **kwargs):
        if has_request_context():
            g.query_count = g.get("query_count", 0) + 1
        return original(sql, params, *args, **kwargs)

    database.execute_sql = counting_execute_sql

    @app.after_request
    def add_header(response):
        response.headers[HEADER] = str(g.get("query_count", 0))
        return response
