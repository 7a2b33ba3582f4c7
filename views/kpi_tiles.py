"""KPI tiles: a KPI's value as the page shows it, its raw number for
``data-value`` (SPEC section 5), and its change against earlier periods.

Money and counts change by a relative amount (+12.3%); rates change by
percentage points (+1.2 pp), because "the repeat-order rate grew 10%" is
ambiguous and owners read it wrong.
"""

from dataclasses import dataclass
from decimal import Decimal, ROUND_HALF_UP

from flask_babel import lazy_gettext as _l

import i18n

MONEY, COUNT, RATE = "money", "count", "rate"
_CENT = Decimal("0.01")
_RATE_PLACES = Decimal("0.0001")


def api_number(kind, value):
    """The raw number the KPI API returns: money to 2 decimals, rates to 4,
    counts as integers; ``None`` (an empty denominator) stays ``None``."""
    if value is None:
        return None
    if kind == MONEY:
        return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)
    if kind == RATE:
        return Decimal(value).quantize(_RATE_PLACES, rounding=ROUND_HALF_UP)
    return int(value)


@dataclass(frozen=True)
class KpiDefinition:
    name: str  # the SPEC section 4 name, used for data-kpi
    label: str
    kind: str  # MONEY, COUNT or RATE


@dataclass(frozen=True)
class Change:
    """A KPI's change against an earlier period, ready to show."""

    label: str
    text: str  # "▲ 12.3%", "▼ 1.2 pp" or "—"
    direction: str  # "up", "down", "flat" or "none"


@dataclass(frozen=True)
class Tile:
    name: str
    label: str
    kind: str
    value: object  # the raw number (api_number) or None
    text: str  # the value formatted for the page's language
    exact: str  # the exact figure for the tooltip
    changes: tuple


def _change(label, kind, current, earlier):
    """The change from ``earlier`` to ``current`` (None when either is
    unknown, or for money and counts when ``earlier`` is zero)."""
    if current is None or earlier is None:
        return Change(label, i18n.EMPTY, "none")
    if kind == RATE:
        points = (Decimal(current) - Decimal(earlier)) * 100
        magnitude = f"{i18n.format_number(abs(points), 1)} {_l('pp')}"
        delta = points
    else:
        if Decimal(earlier) == 0:
            return Change(label, i18n.EMPTY, "none")
        ratio = Decimal(current) / Decimal(earlier) - 1
        magnitude = i18n.format_percent(abs(ratio))
        delta = ratio
    rounded = delta.quantize(Decimal("0.001"))
    if rounded == 0:
        return Change(label, f"± {magnitude}", "flat")
    arrow, direction = ("▲", "up") if delta > 0 else ("▼", "down")
    return Change(label, f"{arrow} {magnitude}", direction)


def _display(kind, value):
    if kind == MONEY:
        return i18n.format_money(value), i18n.format_money_exact(value)
    if kind == RATE:
        return i18n.format_percent(value), i18n.format_percent(value, 2)
    return i18n.format_number(value), i18n.format_number(value)


def build_tiles(definitions, current, previous=None, last_year=None):
    """Tiles for ``definitions`` from KPI dicts (name -> value) of the period,
    the previous period and the same period a year earlier."""
    tiles = []
    for definition in definitions:
        value = api_number(definition.kind, current.get(definition.name))
        text, exact = _display(definition.kind, value)
        changes = []
        for label, earlier in ((_l("vs previous period"), previous),
                               (_l("vs last year"), last_year)):
            if earlier is not None:
                before = api_number(definition.kind, earlier.get(definition.name))
                changes.append(_change(label, definition.kind, value, before))
        tiles.append(Tile(definition.name, definition.label, definition.kind, value, text,
                          exact, tuple(changes)))
    return tiles
