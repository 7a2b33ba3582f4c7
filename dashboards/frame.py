"""``Dashboard``: one declaration registers a dashboard's routes on its
area's blueprint: the page (full, or its ``dashboard`` block for htmx),
each table's partial (full page too) and each table's CSV/XLSX export,
all behind the same roles and the same scope-error rule (403).
"""

from flask import abort, g, request

from access import roles_required
from dashboards.filters import read_filters
from views.rendering import render_page

STAFF = ("rep", "manager", "admin")


class Dashboard:
    """A dashboard page on ``blueprint``.

    ``template``: the page; it has a ``{% block dashboard %}`` (what an htmx
    filter change swaps) and gets ``filters``, ``report`` and ``tables``.
    ``data(filters)``: the page's data function; returns a dict (``report``
    in the template), conventionally with ``tiles`` and ``charts``.
    ``tables``: its ``Table``s (``tables[name]`` in the template: a
    ``TableView`` for ``data_table``). ``fields``: extra ``FilterField``s.
    ``roles``: who may open it. ``rule``/``name``: the page's URL rule and
    endpoint name (default ``/`` and ``dashboard``)."""

    def __init__(self, blueprint, template, data, tables=(), fields=(), roles=STAFF,
                 rule="/", name="dashboard"):
        self.blueprint = blueprint
        self.template = template
        self.data = data
        self.tables = tuple(tables)
        self.fields = tuple(fields)
        self.roles = tuple(roles)
        self.endpoint = f"{blueprint.name}.{name}"
        guard = roles_required(*self.roles)
        blueprint.add_url_rule(rule, name, guard(self.page))
        base = rule.rstrip("/")
        for table in self.tables:
            blueprint.add_url_rule(f"{base}/{table.name}", table.name,
                                   guard(self._table_page(table)))
            if table.export is not None:
                blueprint.add_url_rule(f"{base}/{table.name}.<any(csv, xlsx):file_format>",
                                       f"{table.name}_export", guard(self._export(table)))

    def read_filters(self):
        """The current request's ``Filters``; 403 when a parameter names
        something outside the user's scope (and nothing about what it
        names), like the KPI API."""
        filters = read_filters(g.user, request.args, endpoint=self.endpoint,
                               extra=self.fields, tables=self.tables)
        if filters.scope_error is not None:
            abort(403)
        return filters

    def page(self):
        """The whole dashboard: the data function's report and every table."""
        filters = self.read_filters()
        return render_page(self.template, partial="dashboard", filters=filters,
                           report=self.data(filters),
                           tables={table.name: table.view(filters) for table in self.tables})

    def _table_page(self, table):
        def view():
            filters = self.read_filters()
            return render_page("dashboards/table.html", partial="table", filters=filters,
                               table=table, view=table.view(filters))
        view.__doc__ = f"The {table.name} table alone (sorting and paging swap it)."
        return view

    def _export(self, table):
        def view(file_format):
            return table.download(self.read_filters(), file_format)
        view.__doc__ = f"The whole {table.name} table (every page) as CSV or XLSX."
        return view
