"""The period picker every dashboard shares: a preset (this month, the last
30 or 90 days, this year) or a custom ``from``..``to``, and the grain of its
charts (day, week or month).

The URL carries ``period`` for a preset, so a bookmark of "the last 30 days"
stays the last 30 days, or ``from``/``to`` (SPEC section 5) for a custom range.
"""

import datetime

from flask_babel import lazy_gettext as _l

PRESETS = {
    "this_month": _l("This month"),
    "last_30": _l("Last 30 days"),
    "last_90": _l("Last 90 days"),
    "this_year": _l("This year"),
    "custom": _l("Custom"),
}
DEFAULT_PRESET = "last_90"  # SPEC section 5: the 90 days ending today
GRAINS = {"day": _l("Day"), "week": _l("Week"), "month": _l("Month")}


def preset_range(preset, today):
    """The dates of ``preset`` ending ``today`` (inclusive)."""
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_30":
        return today - datetime.timedelta(days=29), today
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    return today - datetime.timedelta(days=89), today


def default_grain(start, end):
    """Days for a month or less, weeks up to half a year, months beyond."""
    days = (end - start).days + 1
    return "day" if days <= 31 else "week" if days <= 184 else "month"
