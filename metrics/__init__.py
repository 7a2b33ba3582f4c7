"""The numbers of SPEC section 4: one data layer for every dashboard, the
KPI API and the exports.

* ``metrics.period``: periods of Asia/Shanghai calendar dates, their UTC
  bounds, the previous period and the same period last year.
* ``metrics.scoping``: ``Scope`` (the user, through ``scope.py``'s one rule,
  narrowed by region, rep, factory and tier) and parsing of the request
  parameters shared by the pages and the API.
* ``metrics.sales``, ``metrics.onboarding``, ``metrics.renewals``,
  ``metrics.complaints``: one module per dashboard, each with
  ``kpis(scope, period)``, ``series(scope, period, grain)`` and
  ``rankings(scope, period, level)``.
* ``metrics.cache``: answers of the dashboards kept in the database under
  the versions of the tables they read (migration 011), so a wide scope
  costs one read until the data changes, never a stale number.

Values are exact: ``int`` for counts, ``Decimal`` for money (yuan) and for
rates and ratios; ``None`` when a denominator is 0. ``metrics.api_format``
rounds them the way the API answers (money 2 decimals, rates 4).
"""

import importlib

from metrics.errors import ParameterError, ScopeError

DASHBOARDS = ("sales", "onboarding", "renewals", "complaints")

__all__ = ["DASHBOARDS", "ParameterError", "ScopeError", "dashboard_module"]


def dashboard_module(name):
    """The module computing the KPIs of dashboard ``name``."""
    if name not in DASHBOARDS:
        raise KeyError(name)
    return importlib.import_module(f"metrics.{name}")
