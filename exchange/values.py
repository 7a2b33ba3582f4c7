"""Cell parsers: one per kind of value a file column holds.

Each parser takes a cell as the reader gives it (text from a CSV; text,
number, date or datetime from an XLSX) and returns the Python value to store,
or raises ``BadValue`` with a reason. Reasons are English msgids marked with
``N_`` so the admin page can show them translated; the CLI prints them as
they are.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from exchange.formulas import restore_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.timezone.utc


def N_(message):
    """Mark ``message`` for translation without translating it here."""
    return message


class BadValue(ValueError):
    """A cell that cannot be stored; ``message`` % ``params`` says why."""

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def is_blank(cell):
    """True for a missing or empty cell."""
    if type(cell) is str:
        return not cell or cell.isspace()
    return cell is None


def text(cell, max_length=None):
    """Free text, kept exactly (no trimming); a formula-neutralising quote
    that our own export added is taken off again."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    value = restore_text(str(cell))
    if max_length is not None and len(value) > max_length:
        raise BadValue(N_("longer than %(max)s characters"), max=max_length)
    return value


def code(cell, max_length=None):
    """An identifier (code, username): surrounding spaces trimmed."""
    if type(cell) is str and cell[0] != "'" and (max_length is None or len(cell) <= max_length):
        return cell.strip()  # the common case, fast: a million rows go through here
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    value = restore_text("" if cell is None else str(cell)).strip()
    if max_length is not None and len(value) > max_length:
        raise BadValue(N_("longer than %(max)s characters"), max=max_length)
    return value


def choice(cell, values):
    """One of ``values`` (lower-cased, trimmed)."""
    value = "" if cell is None else str(cell).strip().lower()
    if value not in values:
        raise BadValue(N_("must be one of %(choices)s"), choices=", ".join(values))
    return value


YES = {"yes", "y", "true", "1", "是"}
NO = {"no", "n", "false", "0", "否", ""}


def yes_no(cell):
    """yes/no (also true/false, 1/0, 是/否); empty means no."""
    if isinstance(cell, bool):
        return cell
    value = "" if cell is None else str(cell).strip().lower()
    if isinstance(cell, (int, float)):
        value = str(int(cell)) if float(cell).is_integer() else value
    if value in YES:
        return True
    if value in NO:
        return False
    raise BadValue(N_("must be yes or no"))


_WHOLE = re.compile(r"[0-9]+")


def count(cell):
    """A whole number that is zero or more."""
    if type(cell) is str and cell.isdigit() and cell.isascii() and len(cell) < 10:
        return int(cell)  # the common case, fast
    if isinstance(cell, bool):
        raise BadValue(N_("not a whole number"))
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, float):
        if not cell.is_integer():
            raise BadValue(N_("not a whole number"))
        value = int(cell)
    else:
        raw = "" if cell is None else str(cell).strip()
        if raw.startswith("-") and _WHOLE.fullmatch(raw[1:]):
            raise BadValue(N_("must not be negative"))
        if not _WHOLE.fullmatch(raw):
            raise BadValue(N_("not a whole number"))
        value = int(raw)
    if value < 0:
        raise BadValue(N_("must not be negative"))
    if value > 2_000_000_000:
        raise BadValue(N_("too large"))
    return value


def pipeline(cell):
    """A stage pipeline number: 1, or more after reopens."""
    value = count(cell)
    if value < 1 or value > 1000:
        raise BadValue(N_("must be 1 or more"))
    return value


def coordinate(cell, limit, low=None):
    """A decimal number in ``low``..``limit`` (default -limit..limit): a
    latitude, a longitude or an accuracy in metres."""
    if isinstance(cell, bool):
        raise BadValue(N_("not a number"))
    try:
        value = float(cell if isinstance(cell, (int, float)) else str(cell).strip())
    except ValueError:
        raise BadValue(N_("not a number")) from None
    if not (-limit if low is None else low) <= value <= limit:
        raise BadValue(N_("out of range"))
    return value


_MONEY = re.compile(r"([0-9]{1,13})(?:\.([0-9]{1,2}))?")


def money_fen(cell):
    """An amount of yuan, at most 2 decimals, zero or more, as integer fen."""
    if type(cell) is str:
        match = _MONEY.fullmatch(cell)
        if match:  # the common case, fast: plain digits with up to 2 decimals
            yuan, cents = match.groups()
            return int(yuan) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
    if isinstance(cell, bool):
        raise BadValue(N_("not an amount of money"))
    if isinstance(cell, float):
        cell = repr(cell)
    try:
        amount = Decimal(str(cell).strip())
    except (InvalidOperation, ValueError):
        raise BadValue(N_("not an amount of money")) from None
    if not amount.is_finite():
        raise BadValue(N_("not an amount of money"))
    if amount < 0:
        raise BadValue(N_("must not be negative"))
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise BadValue(N_("at most 2 decimal places"))
    if fen > 10 ** 15:
        raise BadValue(N_("too large"))
    return int(fen)


def format_fen(fen):
    """Integer fen as the yuan text exports write: 106800.00."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


_DATES = {}


def date(cell):
    """A calendar date: YYYY-MM-DD (or YYYY/M/D, as Chinese Excel writes)."""
    known = _DATES.get(cell) if type(cell) is str else None
    if known is not None:
        return known  # a file repeats the same few hundred dates a million times
    if isinstance(cell, datetime.datetime):
        if cell.time() != datetime.time(0):
            raise BadValue(N_("a date without a time is expected (YYYY-MM-DD)"))
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    match = _DATE.fullmatch("" if cell is None else str(cell).strip())
    if not match:
        raise BadValue(N_("not a date (YYYY-MM-DD)"))
    try:
        value = datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadValue(N_("no such date")) from None
    if len(_DATES) < 100_000:
        _DATES[cell] = value
    return value


def timestamp(cell):
    """An ISO 8601 timestamp with offset, as naive UTC (how it is stored).

    An XLSX date-time cell has no offset: it is read as Asia/Shanghai time."""
    if isinstance(cell, datetime.datetime):
        moment = cell if cell.tzinfo else cell.replace(tzinfo=SHANGHAI)
    else:
        raw = "" if cell is None else str(cell).strip()
        try:
            moment = datetime.datetime.fromisoformat(raw)
        except ValueError:
            raise BadValue(N_("not an ISO 8601 timestamp (2025-03-01T09:30:00+08:00)")) from None
        if moment.tzinfo is None:
            raise BadValue(N_("the timestamp needs a UTC offset, e.g. +08:00"))
    return moment.astimezone(UTC).replace(tzinfo=None)


def format_timestamp(value):
    """A stored naive-UTC timestamp as ISO 8601 in Asia/Shanghai time."""
    if value is None:
        return ""
    if isinstance(value, str):  # SQLite hands back text for raw queries
        value = datetime.datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC).astimezone(SHANGHAI).isoformat()


def format_date(value):
    """A stored date as YYYY-MM-DD."""
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()
