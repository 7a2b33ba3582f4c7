"""Periods: Asia/Shanghai dates, UTC bounds, previous period, last year,
buckets and the parsing of ``from``/``to``."""

import datetime

import pytest

from metrics import ParameterError
from metrics.period import (Period, default_period, period_from_args, shanghai_date,
                            shanghai_today, utc_start_of)

D = datetime.date


def test_shanghai_dates_of_utc_timestamps():
    # 2026-01-01 15:59 UTC is 23:59 in Shanghai; 16:00 UTC is the next day there.
    assert shanghai_date(datetime.datetime(2026, 1, 1, 15, 59)) == D(2026, 1, 1)
    assert shanghai_date(datetime.datetime(2026, 1, 1, 16, 0)) == D(2026, 1, 2)
    now = datetime.datetime(2026, 3, 1, 17, 0, tzinfo=datetime.timezone.utc)
    assert shanghai_today(now) == D(2026, 3, 2)


def test_utc_bounds_are_shanghai_midnights():
    first, after = Period(D(2026, 1, 1), D(2026, 1, 31)).utc_bounds()
    assert first == datetime.datetime(2025, 12, 31, 16, 0)
    assert after == datetime.datetime(2026, 1, 31, 16, 0)
    assert utc_start_of(D(2026, 1, 1)) == first


def test_previous_period_and_last_year():
    period = Period(D(2025, 12, 30), D(2026, 1, 2))
    assert period.days == 4
    assert period.previous() == Period(D(2025, 12, 26), D(2025, 12, 29))
    assert period.last_year() == Period(D(2024, 12, 30), D(2025, 1, 2))
    leap = Period(D(2024, 2, 1), D(2024, 2, 29))
    assert leap.last_year() == Period(D(2023, 2, 1), D(2023, 2, 28))


def test_buckets_by_day_week_and_month():
    period = Period(D(2025, 12, 30), D(2026, 2, 3))
    assert len(period.buckets("day")) == 36
    weeks = period.buckets("week")
    # 2025-12-30 is a Tuesday: the first week is clipped to Tue..Sun.
    assert weeks[0] == Period(D(2025, 12, 30), D(2026, 1, 4))
    assert weeks[1] == Period(D(2026, 1, 5), D(2026, 1, 11))
    assert weeks[-1] == Period(D(2026, 2, 2), D(2026, 2, 3))
    assert period.buckets("month") == [
        Period(D(2025, 12, 30), D(2025, 12, 31)),
        Period(D(2026, 1, 1), D(2026, 1, 31)),
        Period(D(2026, 2, 1), D(2026, 2, 3)),
    ]


def test_default_is_the_90_days_ending_today():
    today = D(2026, 3, 31)
    assert default_period(today) == Period(D(2026, 1, 1), today)
    assert period_from_args({}, today=today) == Period(D(2026, 1, 1), today)
    assert period_from_args({"to": "2026-01-31"}, today=today).start == D(2025, 11, 3)


@pytest.mark.parametrize("args, param", [
    ({"from": "2026-13-01"}, "from"),
    ({"from": "yesterday"}, "from"),
    ({"to": "2026-02-30"}, "to"),
    ({"to": "2026-2-3"}, "to"),
    ({"from": "2026-02-02", "to": "2026-02-01"}, "from"),
    ({"from": "2010-01-01", "to": "2026-02-01"}, "from"),
])
def test_bad_dates_name_the_parameter(args, param):
    with pytest.raises(ParameterError) as error:
        period_from_args(args, today=D(2026, 3, 1))
    assert error.value.param == param
    assert param in str(error.value)
