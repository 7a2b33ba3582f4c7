"""The SLA clocks (metrics.sla): pure functions of a complaint's timestamps,
against SPEC section 4's targets, computed by hand."""

import datetime

import pytest

from metrics import sla

T0 = datetime.datetime(2026, 3, 2, 1, 0)  # 09:00 in Shanghai
H = datetime.timedelta(hours=1)


@pytest.mark.parametrize("severity, first_response, resolution", [
    ("critical", 4, 24), ("high", 4, 72), ("normal", 24, 168), ("low", 24, 336)])
def test_targets_follow_the_spec(severity, first_response, resolution):
    clocks = sla.clocks(severity, T0, None, None, T0)
    assert clocks.first_response.due_at == T0 + first_response * H
    assert clocks.resolution.due_at == T0 + resolution * H
    assert clocks.first_response.left == first_response * H
    assert sla.least_time_left(severity, T0, None, None, T0) == first_response * H


def test_a_running_clock_counts_down_then_warns_then_breaches():
    def state(hours_later):
        return sla.clocks("critical", T0, None, None, T0 + hours_later * H).first_response

    assert state(1).state == "running" and state(1).left == 3 * H
    assert state(2).state == "due_soon"          # exactly two hours left: the warning
    assert state(4).state == "due_soon" and state(4).left == datetime.timedelta(0)
    past = state(5.5)
    assert past.state == "breached" and past.left == -1.5 * H


def test_a_stopped_clock_is_met_or_missed_and_stops_counting():
    met = sla.clocks("high", T0, T0 + 4 * H, None, T0 + 100 * H)
    assert met.first_response.state == "met"          # exactly at the target
    assert met.first_response.left == datetime.timedelta(0)
    assert met.resolution.state == "breached"         # 72 h passed, still open
    assert met.resolution.left == -28 * H
    missed = sla.clocks("normal", T0, T0 + 30 * H, T0 + 200 * H, T0 + 999 * H)
    assert missed.first_response.state == "missed" and missed.first_response.left == -6 * H
    assert missed.resolution.state == "missed" and missed.resolution.left == -32 * H
    assert sla.least_time_left("normal", T0, T0 + 30 * H, T0 + 200 * H, T0 + 999 * H) is None


def test_resolving_without_a_reply_stops_the_first_response_clock_too():
    clocks = sla.clocks("low", T0, None, T0 + 3 * H, T0 + 50 * H)
    assert clocks.first_response.stopped_at == T0 + 3 * H
    assert clocks.first_response.state == "met"


def test_least_time_left_is_the_most_urgent_running_clock():
    now = T0 + 10 * H
    for severity in ("critical", "high", "normal", "low"):
        for responded in (None, T0 + H):
            for created in (T0, T0 + 9 * H, T0 - 400 * H):
                clocks = sla.clocks(severity, created, responded, None, now)
                expected = min(clock.left for clock in clocks if clock.running)
                assert sla.least_time_left(severity, created, responded, None, now) == expected
    assert sla.least_time_left("critical", T0, None, None, now) == -6 * H  # first response


def test_alerts_owed_warn_then_breach_and_skip_a_late_warning():
    assert sla.alerts_due(sla.clocks("normal", T0, None, None, T0 + 21 * H)) == []
    assert sla.alerts_due(sla.clocks("normal", T0, None, None, T0 + 22 * H)) == [
        ("first_response", "due_soon")]
    assert sla.alerts_due(sla.clocks("normal", T0, None, None, T0 + 167 * H)) == [
        ("first_response", "breached"), ("resolution", "due_soon")]
    assert sla.alerts_due(sla.clocks("normal", T0, T0 + H, None, T0 + 170 * H)) == [
        ("resolution", "breached")]
    assert sla.alerts_due(sla.clocks("normal", T0, T0 + H, T0 + 2 * H, T0 + 170 * H)) == []


def test_durations_split_into_days_hours_minutes():
    assert sla.split_duration(datetime.timedelta(days=2, hours=3, minutes=4, seconds=59)) == (
        2, 3, 4)
    assert sla.split_duration(-datetime.timedelta(minutes=45)) == (0, 0, 45)
