"""KPI values as the API answers them (SPEC section 5): money (names ending
in ``_cny``) rounded to 2 decimals, rates and other fractional values to 4,
counts as integers, null for a zero denominator."""

from metrics.numbers import round_money, round_rate


def format_value(name, value):
    """One KPI value as a JSON number (``int`` or ``float``) or ``None``."""
    if value is None or isinstance(value, (bool, int)):
        return value
    return float(round_money(value) if name.endswith("_cny") else round_rate(value))


def format_kpis(kpis):
    """A whole ``{name: value}`` dict of one dashboard, formatted."""
    return {name: format_value(name, value) for name, value in kpis.items()}
