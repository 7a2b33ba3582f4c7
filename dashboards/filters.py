"""A dashboard request, parsed and checked once: the period (a preset or a
custom ``from``..``to``), the scope (``region``, ``rep``, ``factory``,
``tier`` through ``metrics.scoping``'s one rule), the charts' ``grain``, a
dashboard's own extra fields, and each table's level, sort, direction and
page.

A bad value never fails the page: the field gets a message and the default
is used. A value naming something outside the user's scope is different: the
view answers 403 (``Filters.scope_error``), like the KPI API.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from dashboards.periods import DEFAULT_PRESET, GRAINS as GRAIN_LABELS, PRESETS, default_grain, preset_range
from i18n import select_locale
from metrics import cache
from metrics.errors import ParameterError, ScopeError
from metrics.period import MAX_DAYS, GRAINS, Period, parse_date, period_from_args, shanghai_today
from metrics.scoping import FILTER_PARAMS, Scope, scope_from_args
from models import Factory, Region, User
from scope import visible_factories, visible_regions

TIER_LABELS = {"cxt": _l("CXT (basic)"), "super": _l("Super factory")}


@dataclass(frozen=True)
class FilterField:
    """An extra filter a dashboard adds to the form: a select of ``choices``
    (value -> label; a callable ``choices(user)`` for choices that depend on
    who asks), or a checkbox (``checkbox=True``: the value is ``"1"`` when
    ticked). An unknown value is dropped with a message next to the field.
    ``roles``: the roles the field is for (``None``: everyone); to anyone
    else it is neither shown nor read."""

    name: str
    label: object
    choices: object = None
    checkbox: bool = False
    all_label: object = _l("All")
    roles: tuple = None

    def shown_to(self, user):
        """True when ``user``'s form has this field."""
        return self.roles is None or user.role in self.roles

    def choices_for(self, user):
        """The choices as ``{value: label}`` for ``user``."""
        if self.checkbox:
            return {"1": self.label}
        return self.choices(user) if callable(self.choices) else dict(self.choices)


@dataclass
class TableState:
    """One table's place in the request: its drill-down ``level`` (or
    ``None``), sort column, direction and page."""

    level: str
    sort: str
    direction: str
    page: int


@dataclass
class Filters:
    """A dashboard page's request, parsed and checked. ``endpoint`` is the
    page links go back to; ``errors`` holds a message per bad parameter."""

    user: User
    scope: Scope
    period: Period
    preset: str
    grain: str
    endpoint: str = None
    fields: dict = field(default_factory=dict)  # extra field name -> value or None
    extra: tuple = ()  # the dashboard's FilterFields, in form order
    tables: dict = field(default_factory=dict)  # table name -> TableState
    table_specs: dict = field(default_factory=dict)  # table name -> Table
    errors: dict = field(default_factory=dict)
    typed: dict = field(default_factory=dict)  # the from/to the user typed
    fell_back: bool = False  # the typed dates were bad: showing the last good period
    scope_error: ScopeError = None
    scope_fields: bool = True  # False on a one-factory page
    _options: dict = field(default=None, repr=False)

    presets = PRESETS
    grains = GRAIN_LABELS

    @property
    def options(self):
        """The form's region, rep and tier choices (``None`` on a one-factory
        page); asked for only when a form is drawn."""
        if not self.scope_fields:
            return None
        if self._options is None:
            self._options = filter_options(self.user)
        return self._options

    def table(self, name):
        """The ``TableState`` of table ``name``."""
        return self.tables[name]

    def args(self, **changes):
        """The query arguments of this view with ``changes`` applied (a
        ``None`` value drops an argument): links keep every filter."""
        custom = self.preset == "custom"
        args = {"period": None if custom else self.preset,
                "from": self.period.start.isoformat() if custom else None,
                "to": self.period.end.isoformat() if custom else None,
                "grain": self.grain,
                "region": self.scope.region.code if self.scope.region else None,
                "rep": self.scope.rep.username if self.scope.rep else None,
                "factory": (self.scope.factory.code
                            if self.scope.factory and self.endpoint else None),
                "tier": self.scope.tier}
        args.update(self.fields)
        for name, state in self.tables.items():
            args.update(self.table_specs[name].state_args(state))
        args.update(changes)
        return {key: value for key, value in args.items() if value not in (None, "")}

    def period_args(self):
        """Only the period and grain arguments (for a link to another page)."""
        return {key: value for key, value in self.args().items()
                if key in ("period", "from", "to", "grain")}

    def url(self, endpoint=None, **changes):
        """A link to ``endpoint`` (default: this page) with these filters and
        ``changes``."""
        return url_for(endpoint or self.endpoint, **self.args(**changes))


def _custom_period(args, errors):
    """The custom ``from``..``to`` of ``args``, or ``None`` with a message
    in the user's language next to the field that is wrong."""
    try:
        return period_from_args(args, today=shanghai_today())
    except ParameterError:
        pass
    for name in ("from", "to"):
        try:
            parse_date(name, (args.get(name) or "").strip() or "2000-01-01")
        except ParameterError:
            errors[name] = _("Enter a date such as 2026-01-31.")
    if not errors:
        start, end = (parse_date(name, args[name].strip()) for name in ("from", "to"))
        errors["from"] = (_("The start date is after the end date.") if start > end
                          else _("A period may cover at most %(days)s days.", days=MAX_DAYS))
    return None


def _last_good_period(fallback_args):
    """The period of the page the request came from, when it had a good
    one, else the default."""
    if fallback_args is not None:
        _preset, period, fell_back = _period(fallback_args, {}, None)
        if not fell_back:
            return period
    return Period(*preset_range(DEFAULT_PRESET, shanghai_today()))


def _period(args, errors, fallback_args):
    """``(preset, period, fell_back)``. A bad custom range keeps the form on
    Custom (the template shows what the user typed) and shows the last good
    period instead (``fell_back``): the one of the page the request came
    from (``fallback_args``: htmx's ``HX-Current-URL``), else the default."""
    preset = args.get("period") or ""
    custom = preset == "custom" or (not preset and (args.get("from") or args.get("to")))
    if custom:
        period = _custom_period(args, errors)
        if period is not None:
            return "custom", period, False
        return "custom", _last_good_period(fallback_args), True
    if preset not in PRESETS or preset == "custom":
        if preset:
            errors["period"] = _("Unknown period; showing the last 90 days.")
        preset = DEFAULT_PRESET
    return preset, Period(*preset_range(preset, shanghai_today())), False


def _scope(user, args, errors, factory):
    if factory is not None:
        return Scope(user=user, factory=factory), None
    args = {name: args.get(name) for name in FILTER_PARAMS}
    while True:
        try:
            return scope_from_args(user, args), None
        except ScopeError as error:
            return Scope(user=user), error
        except ParameterError as error:
            errors[error.param] = error.message
            args[error.param] = None


def _fields(user, args, extra, errors):
    values = {}
    for spec in extra:
        value = (args.get(spec.name) or "").strip() or None
        if value is not None and value not in spec.choices_for(user):
            errors[spec.name] = _("Unknown choice; showing all.")
            value = None
        values[spec.name] = value
    return values


def filter_options(user):
    """The tiers, regions and reps ``user`` may filter by, each as
    ``{value: label}`` in the page's language."""
    language = select_locale()

    def lists():
        regions = [[region.code, region.name(language)]
                   for region in visible_regions(user).order_by(Region.code)]
        reps = [list(row) for row in User.select(User.username, User.display_name)
                .where(User.role == "rep",
                       User.id.in_(visible_factories(user, Factory.select(Factory.rep))))
                .order_by(User.display_name).tuples()]
        return [regions, reps]

    # Kept by metrics.cache: a wide scope's reps are a scan of every factory.
    regions, reps = cache.remembered(
        ("user", "user_region", "region", "factory"), "filter options",
        [cache.scope_key(Scope(user=user)), language], lists)
    return {"tiers": TIER_LABELS, "regions": dict(regions), "reps": dict(reps)}


def came_from_args(headers):
    """The query arguments of the page an htmx request came from
    (``HX-Current-URL``), or ``None``."""
    current = headers.get("HX-Current-URL")
    if not current:
        return None
    return MultiDict(parse_qsl(urlsplit(current).query))


def read_filters(user, args, endpoint=None, factory=None, extra=(), tables=(),
                 fallback_args=None):
    """The ``Filters`` of a request's query ``args`` for ``user``.

    ``endpoint``: the page's endpoint (links return there); ``factory``: the
    page is about that one factory (already scope-checked; no scope fields);
    ``extra``: the dashboard's ``FilterField``s; ``tables``: its ``Table``s,
    each reading its own sort and page parameters; ``fallback_args``: the
    query of the page the request came from (its period is shown when this
    one's dates are bad)."""
    errors = {}
    extra = tuple(spec for spec in extra if spec.shown_to(user))
    preset, period, fell_back = _period(args, errors, fallback_args)
    grain = args.get("grain")
    if grain not in GRAINS:
        grain = default_grain(period.start, period.end)
    scope, scope_error = _scope(user, args, errors, factory)
    filters = Filters(user, scope, period, preset, grain, endpoint,
                      typed={name: args.get(name) or "" for name in ("from", "to")},
                      fell_back=fell_back,
                      fields=_fields(user, args, extra, errors), extra=tuple(extra),
                      errors=errors, scope_error=scope_error, scope_fields=factory is None,
                      table_specs={table.name: table for table in tables})
    filters.tables = {table.name: table.read_state(args, filters) for table in tables}
    return filters
