"""Languages and the Jinja filters that format numbers, money and time.

zh-CN is the default. The chosen language is remembered per user
(``User.locale``) and, before login, per browser (the ``lang`` cookie).
Money shows ¥ with 万/亿 in Chinese and K/M/B in English; the exact figure
goes into tooltips and exports. Times are stored in UTC and shown in
Asia/Shanghai.
"""

import datetime
import functools
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import parse_pattern
from flask import g, request
from flask_babel import format_date, get_locale

from extensions import babel

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGE_COOKIE = "lang"
EMPTY = "—"  # a KPI with a zero denominator
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the app's BABEL_DEFAULT_TIMEZONE


def select_locale():
    """The signed-in user's language, else the browser's cookie, else zh-CN."""
    user = g.get("user")
    if user is not None and user.locale in LANGUAGES:
        return user.locale
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE


def is_chinese():
    """True when the current page is rendered in Chinese."""
    return str(get_locale()).startswith("zh")


@functools.lru_cache(maxsize=16)
def _pattern(decimals):
    # Parsed once: babel's format_decimal parses its pattern on every call,
    # which a table of 20 rows x 8 figures felt.
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def _number(value, decimals):
    """``value`` with locale grouping and a fixed number of decimals (what
    ``babel.numbers.format_decimal`` gives for that pattern)."""
    return _pattern(decimals).apply(value, get_locale())


def format_money(yuan):
    """Compact money: ¥1,068 万 / ¥1.07 亿 in Chinese, ¥10.68M in English."""
    if yuan is None:
        return EMPTY
    value = Decimal(yuan)
    sign, value = ("-" if value < 0 else ""), abs(value)
    if is_chinese():
        units = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
    else:
        units = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K"))
    for size, suffix in units:
        if value >= size:
            scaled = value / size
            decimals = 0 if scaled >= 1000 else 1 if scaled >= 100 else 2
            space = " " if is_chinese() else ""
            return f"{sign}¥{_number(scaled, decimals)}{space}{suffix}"
    return f"{sign}¥{_number(value, 0)}"


def format_money_exact(yuan):
    """The exact amount, for tooltips: ¥10,680,000.00."""
    if yuan is None:
        return EMPTY
    return f"¥{_number(Decimal(yuan), 2)}"


def format_number(value, decimals=0):
    """A count or amount with grouping; ``None`` shows as —."""
    return EMPTY if value is None else _number(value, decimals)


def format_percent(rate, decimals=1):
    """A rate 0..1 as a percentage; ``None`` (zero denominator) shows as —."""
    return EMPTY if rate is None else f"{_number(Decimal(str(rate)) * 100, decimals)}%"


def format_shanghai_datetime(value):
    """A naive-UTC timestamp as a short Asia/Shanghai date and time,
    ``yyyy-MM-dd HH:mm`` (Babel's pattern for ``BABEL_DEFAULT_TIMEZONE``):
    digits only in every language, so written here without Babel's
    per-call locale and pattern look-ups (an export writes thousands)."""
    if value is None:
        return EMPTY
    local = value.replace(tzinfo=datetime.timezone.utc).astimezone(SHANGHAI)
    return (f"{local.year:04d}-{local.month:02d}-{local.day:02d} "
            f"{local.hour:02d}:{local.minute:02d}")


def format_day(value):
    """A calendar date, medium length in the page's language."""
    return EMPTY if value is None else format_date(value, "medium")


FILTERS = {
    "money": format_money,
    "money_exact": format_money_exact,
    "number": format_number,
    "percent": format_percent,
    "datetime": format_shanghai_datetime,
    "day": format_day,
}


def init_app(app):
    """Attach Flask-Babel (``views.template_globals`` registers the
    formatting filters for templates)."""
    babel.init_app(app, locale_selector=select_locale)
