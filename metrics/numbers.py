"""Exact arithmetic helpers shared by the dashboards' KPI modules."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")


def ratio(numerator, denominator):
    """``numerator / denominator`` as an exact Decimal; ``None`` when the
    denominator is 0 or missing (SPEC: a KPI over nothing is null)."""
    if denominator is None or numerator is None or denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def growth(value, base):
    """``value / base - 1``; ``None`` when ``base`` is 0 or missing."""
    quotient = ratio(value, base)
    return None if quotient is None else quotient - 1


def fen_to_yuan(fen):
    """Integer fen as exact Decimal yuan (``None`` stays ``None``)."""
    return None if fen is None else Decimal(int(fen)) / 100


def median(values):
    """The median; an even count gives the mean of the two middle values.
    ``None`` for no values. Values may be ints or Decimals."""
    ordered = sorted(values)
    count = len(ordered)
    if count == 0:
        return None
    middle = count // 2
    if count % 2:
        return Decimal(ordered[middle])
    return (Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2


def mean(values):
    """The arithmetic mean as a Decimal; ``None`` for no values."""
    values = list(values)
    return ratio(sum(values), len(values)) if values else None


def round_money(value):
    """Money for the API: 2 decimals, half up."""
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_rate(value):
    """Rates, ratios, hours and averages for the API: 4 decimals, half up."""
    return None if value is None else Decimal(value).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def change(value, previous, kind):
    """How ``value`` moved from ``previous``: relative growth for money and
    counts, the difference for rates (0.05 = five percentage points)."""
    if value is None or previous is None:
        return None
    if kind == "rate":
        return Decimal(value) - Decimal(previous)
    return growth(value, previous)
