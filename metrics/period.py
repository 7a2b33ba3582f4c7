"""Periods of Asia/Shanghai calendar dates (SPEC section 4).

A period is ``start``..``end``, both inclusive. Stored timestamps are naive
UTC; ``Period.utc_bounds`` turns the period into the half-open UTC range
``[start 00:00 Shanghai, end + 1 day 00:00 Shanghai)`` a query needs.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from metrics.errors import ParameterError, _

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.timezone.utc
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366  # a longer period is almost certainly a typo
GRAINS = ("day", "week", "month")
ONE_DAY = datetime.timedelta(days=1)
# The dates a request may name: wide enough for any real record, narrow
# enough that every period computed from one (previous, last year, the
# default 90 days) stays a valid date, so year 1 or 9999 is a 400, not an
# OverflowError.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


def shanghai_today(now=None):
    """Today's date in Asia/Shanghai (``now``: an aware datetime, for tests)."""
    now = now or datetime.datetime.now(UTC)
    return now.astimezone(SHANGHAI).date()


def shanghai_date(utc_naive):
    """The Asia/Shanghai calendar date of a stored (naive UTC) timestamp."""
    if utc_naive is None:
        return None
    return utc_naive.replace(tzinfo=UTC).astimezone(SHANGHAI).date()


def utc_start_of(day):
    """Midnight at the start of ``day`` in Shanghai, as naive UTC."""
    local = datetime.datetime.combine(day, datetime.time(), tzinfo=SHANGHAI)
    return local.astimezone(UTC).replace(tzinfo=None)


def shift_years(day, years):
    """``day`` moved by whole years; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, order=True)
class Period:
    """Calendar dates ``start``..``end`` (inclusive) in Asia/Shanghai."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError("a period cannot end before it starts")

    @property
    def days(self):
        """How many calendar days the period covers."""
        return (self.end - self.start).days + 1

    def dates(self):
        """Every date of the period, in order."""
        return [self.start + datetime.timedelta(days=n) for n in range(self.days)]

    def contains(self, day):
        return day is not None and self.start <= day <= self.end

    def previous(self):
        """The period of the same length ending the day before this one."""
        end = self.start - ONE_DAY
        return Period(end - datetime.timedelta(days=self.days - 1), end)

    def last_year(self):
        """The same dates one year earlier (29 Feb maps to 28 Feb)."""
        return Period(shift_years(self.start, -1), shift_years(self.end, -1))

    def utc_bounds(self):
        """``(first, after)``: naive-UTC instants with ``first <= t < after``
        exactly for the timestamps whose Shanghai date is in the period."""
        return utc_start_of(self.start), utc_start_of(self.end + ONE_DAY)

    def buckets(self, grain):
        """The period cut into days, ISO weeks (Monday first) or calendar
        months, the first and last clipped to the period."""
        if grain not in GRAINS:
            raise ValueError(f"unknown grain {grain!r}")
        result = []
        start = self.start
        while start <= self.end:
            if grain == "day":
                end = start
            elif grain == "week":
                end = start + datetime.timedelta(days=6 - start.weekday())
            else:
                next_month = (start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
                end = next_month - ONE_DAY
            end = min(end, self.end)
            result.append(Period(start, end))
            start = end + ONE_DAY
        return result

    def as_dict(self):
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def default_period(today=None):
    """The 90 days ending today (Shanghai)."""
    today = today or shanghai_today()
    return Period(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)


def parse_date(param, text):
    """A ``YYYY-MM-DD`` parameter as a date between ``EARLIEST_DATE`` and
    ``LATEST_DATE``, or ``ParameterError``."""
    try:
        if len(text) != 10:
            raise ValueError
        day = datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ParameterError(param, _("%(value)s is not a date in the form YYYY-MM-DD.", value=text)) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ParameterError(param, _("%(value)s is not between %(first)s and %(last)s.",
                                      value=text, first=EARLIEST_DATE.isoformat(),
                                      last=LATEST_DATE.isoformat()))
    return day


def period_from_args(args, today=None):
    """The period of a request's ``from`` and ``to`` parameters (either may
    be left out: ``to`` defaults to today, ``from`` to 89 days before
    ``to``). Raises ``ParameterError`` naming the bad parameter."""
    raw_from = (args.get("from") or "").strip()
    raw_to = (args.get("to") or "").strip()
    end = parse_date("to", raw_to) if raw_to else (today or shanghai_today())
    if raw_from:
        start = parse_date("from", raw_from)
    else:
        start = end - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ParameterError("from", _("from (%(start)s) is after to (%(end)s).", start=start, end=end))
    if (end - start).days + 1 > MAX_DAYS:
        raise ParameterError("from", _("The period may cover at most %(days)s days.", days=MAX_DAYS))
    return Period(start, end)
