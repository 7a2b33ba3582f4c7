"""KPI tiles: a KPI's value as the page shows it, the raw number the KPI API
gives for it (``data-value``, SPEC section 5), and its change against the
previous period and the same period last year.

Money and counts change by a relative amount (▲ 12.3%); rates change by
percentage points (▲ 1.2 pp), because "the repeat-order rate grew 10%" is
ambiguous. Every change has an arrow and a sign, never colour alone.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

import i18n
from metrics.api_format import format_value


@dataclass(frozen=True)
class Change:
    """A KPI's change against an earlier period, ready to show."""

    label: str
    text: str  # "▲ 12.3%", "▼ 1.2 pp", "± 0.0%" or "—"
    direction: str  # "up", "down", "flat" or "none"


@dataclass(frozen=True)
class Tile:
    """What ``_partials/_tiles.html``'s ``tiles`` macro shows."""

    name: str  # the SPEC section 4 name (data-kpi); None for a tile that is no KPI
    label: str
    value: object  # the API's number (data-value) or None
    text: str  # the value for the page's language
    exact: str  # the exact figure, for the tooltip
    changes: tuple


def format_kpi(kind, value):
    """``(short, exact)`` text of a KPI value of ``kind`` (see
    ``metrics.sales.KPI_KINDS``)."""
    if kind == "money":
        return i18n.format_money(value), i18n.format_money_exact(value)
    if kind == "rate":
        return i18n.format_percent(value), i18n.format_percent(value, 2)
    if kind == "ratio":
        text = i18n.EMPTY if value is None else f"{i18n.format_number(value, 1)}×"
        return text, text
    return i18n.format_number(value), i18n.format_number(value)


def format_change(kind, delta):
    """``(text, direction)`` of a change from ``metrics.numbers.change``."""
    if delta is None:
        return i18n.EMPTY, "none"
    delta = Decimal(delta)
    if kind == "rate":
        magnitude = _("%(points)s pp", points=i18n.format_number(abs(delta) * 100, 1))
        flat = abs(delta) < Decimal("0.0005")
    else:
        magnitude = i18n.format_percent(abs(delta))
        flat = abs(delta) < Decimal("0.0005")
    if flat:
        return f"± {magnitude}", "flat"
    return (f"▲ {magnitude}", "up") if delta > 0 else (f"▼ {magnitude}", "down")


# KPIs that are themselves a change (a growth rate): a change of a change
# reads as noise, so their tiles show the value alone.
CHANGES_SHOWN_NONE = frozenset({"gmv_yoy_growth"})


def tile(name, label, kind, value, changes=()):
    """One tile of KPI ``name`` (the API's name, for ``data-kpi``) whose
    exact ``value`` is of ``kind`` (money, count, rate or ratio)."""
    text, exact = format_kpi(kind, value)
    return Tile(name, label, format_value(name, value), text, exact, tuple(changes))


def text_tile(label, text):
    """A tile that is not a KPI (no ``data-kpi``): a date, a count of days."""
    return Tile(None, label, None, text, text, ())


def build_tiles(labels, comparison):
    """Tiles for the KPIs named in ``labels`` (name -> label, in order) from
    a ``compare``-shaped answer: ``{name: {"value", "kind", "vs_previous",
    "vs_last_year"}}`` (``metrics.sales.compare``)."""
    tiles = []
    for name, label in labels.items():
        entry = comparison[name]
        changes = () if name in CHANGES_SHOWN_NONE else (
            Change(change_label, *format_change(entry["kind"], entry[key]))
            for key, change_label in (("vs_previous", _("vs previous period")),
                                      ("vs_last_year", _("vs last year"))))
        tiles.append(tile(name, label, entry["kind"], entry["value"], changes))
    return tiles
