"""The 吐槽板's rows, filters and chart rows (metrics.complaint_board), and
the SLA alerts the sweep owes (metrics.escalation), on a real database with
hand-computed expectations."""

import datetime

import pytest

from metrics.complaint_board import (BoardFilters, board, by_category, by_region,
                                     details, read)
from metrics.escalation import pending_alerts
from metrics.period import Period
from metrics.scoping import Scope
from models import ComplaintAlert, db
from tests.builders import make_complaint, make_user

H = datetime.timedelta(hours=1)
# Tuesday 2026-03-10, 10:00 in Shanghai.
NOW = datetime.datetime(2026, 3, 10, 2, 0)
PERIOD = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 10))


@pytest.fixture
def board_data(users):
    """Complaints of the team's factory (and one of the other factory)::

        breached   critical, 30 h old, answered: resolution 6 h past
        late_reply normal, 25 h old, unanswered: first response 1 h past
        soon       high, 3 h old, unanswered: 1 h to first response
        calm       low, 1 h old, answered
        done       normal, resolved on 3 March
        old_done   resolved before the period: not on the board
        carried    low, created in February, still open (on the board)
        other      the other factory's
    """
    factory, other = users.factory, users.other_factory
    rows = {
        "breached": make_complaint(factory, NOW - 30 * H, "critical", "logistics",
                                   first_response_at=NOW - 29 * H, assignee=users.rep,
                                   channel="group"),
        "late_reply": make_complaint(factory, NOW - 25 * H, "normal", "traffic",
                                     assignee=users.manager),
        "soon": make_complaint(factory, NOW - 3 * H, "high", "after_sales", assignee=users.rep),
        "calm": make_complaint(factory, NOW - H, "low", "tools", assignee=users.rep,
                               first_response_at=NOW - 0.5 * H),
        "done": make_complaint(factory, datetime.datetime(2026, 3, 2, 2), "normal", "fees",
                               first_response_at=datetime.datetime(2026, 3, 2, 3),
                               resolved_at=datetime.datetime(2026, 3, 3, 2),
                               assignee=users.rep, satisfaction=4),
        "old_done": make_complaint(factory, datetime.datetime(2026, 2, 1, 2), "normal", "fees",
                                   first_response_at=datetime.datetime(2026, 2, 1, 3),
                                   resolved_at=datetime.datetime(2026, 2, 2, 2)),
        "carried": make_complaint(factory, datetime.datetime(2026, 2, 20, 2), "low", "fees",
                                  first_response_at=datetime.datetime(2026, 2, 20, 3),
                                  assignee=users.rep),
        "other": make_complaint(other, NOW - 30 * H, "critical", "logistics",
                                assignee=users.other_rep),
    }
    return rows


def codes(rows):
    return [row.code for row in details(rows)]


def test_board_is_sorted_by_urgency_and_scoped(users, board_data):
    b = board_data
    rows = board(Scope(users.rep), PERIOD, BoardFilters(), NOW)
    # breached 6 h past (resolution), late_reply 1 h past (first response),
    # soon 1 h left, carried (336 h from 20 Feb 10:00 = 6 March: breached
    # 4 days ago!) -- so carried is the most urgent of all.
    assert codes(rows) == [b["carried"].code, b["breached"].code, b["late_reply"].code,
                           b["soon"].code, b["calm"].code, b["done"].code]
    carried = rows[0]
    assert carried.clocks.resolution.left == -(4 * 24 * H)
    assert rows[1].clocks.resolution.left == -6 * H
    assert rows[3].clocks.first_response.left == H
    assert rows[1].factory_code == "F-OWN" and rows[1].assignee == "陈小二"
    assert rows[1].channel == "group" and rows[1].category == "logistics"
    assert rows[-1].age == 24 * H  # filed until resolved
    assert sum(row.breached for row in rows) == 3
    assert sum(row.resolved_at is None for row in rows) == 5
    # The owner sees the same board of their factory; the other rep none of it.
    assert codes(board(Scope(users.owner), PERIOD, BoardFilters(), NOW)) == codes(rows)
    assert codes(board(Scope(users.other_rep), PERIOD, BoardFilters(), NOW)) == [
        b["other"].code]
    assert len(board(Scope(users.admin), PERIOD, BoardFilters(), NOW)) == 7


@pytest.mark.parametrize("args, expected", [
    ({"status": "resolved"}, ["done"]),
    ({"status": "in_progress"}, ["carried", "breached", "calm"]),
    ({"severity": "critical"}, ["breached"]),
    ({"category": "fees"}, ["carried", "done"]),
    ({"channel": "group"}, ["breached"]),
    ({"breached": True}, ["carried", "breached", "late_reply"]),
    ({"mine": True}, ["carried", "breached", "soon", "calm", "done"]),
    ({"mine": True, "breached": True, "severity": "low"}, ["carried"]),
])
def test_board_filters(users, board_data, args, expected):
    rows = board(Scope(users.rep), PERIOD, BoardFilters(**args), NOW)
    assert codes(rows) == [board_data[name].code for name in expected]


def test_assigned_to_me_is_the_signed_in_users(users, board_data):
    rows = board(Scope(users.manager), PERIOD, BoardFilters(mine=True), NOW)
    assert codes(rows) == [board_data["late_reply"].code]


def test_one_read_serves_the_kpis_and_the_board(users, board_data):
    from metrics import complaints

    scope = Scope(users.admin)
    shared = read(scope, PERIOD)
    facts = complaints.facts(scope.factory_ids(PERIOD.end), PERIOD)
    assert complaints.compute(shared.facts(), PERIOD) == complaints.compute(facts, PERIOD)
    assert codes(board(scope, PERIOD, BoardFilters(), NOW, shared)) == codes(
        board(scope, PERIOD, BoardFilters(), NOW))
    assert by_category(scope, PERIOD, shared) == by_category(scope, PERIOD)


def test_chart_rows_by_category_and_region(users, board_data):
    # Previous period: 19..28 February: only "carried" (20 Feb, fees).
    rows = {row["category"]: row for row in by_category(Scope(users.rep), PERIOD)}
    assert len(rows) == 9
    assert rows["fees"] == {"category": "fees", "opened": 1, "previous": 1}
    assert rows["logistics"]["opened"] == 1 and rows["traffic"]["opened"] == 1
    assert rows["payment"] == {"category": "payment", "opened": 0, "previous": 0}
    regions = by_region(Scope(users.admin), PERIOD)
    assert [r["code"] for r in regions] == ["GZ-WOMEN", "ST-UNDER"]
    # By the end of 10 March: breached (24 h target from 9 Mar 04:00 Shanghai),
    # carried (6 Mar) and late_reply? no: 168 h. other: 24 h -> breached.
    assert regions[0]["breached_open"] == 2 and regions[1]["breached_open"] == 1
    assert regions[0]["resolved"] == 1 and regions[0]["sla_attainment"] == 1
    assert regions[1]["sla_attainment"] is None


def test_pending_alerts_pick_recipients_and_skip_what_was_sent(users, board_data):
    b = board_data
    manager_all = make_user("manager", username="manager_all")
    alerts = {(a.code, a.clock, a.stage): a.recipients for a in pending_alerts(NOW)}
    assert alerts == {
        (b["carried"].code, "resolution", "breached"): (users.manager.id,),
        (b["breached"].code, "resolution", "breached"): (users.manager.id,),
        (b["late_reply"].code, "first_response", "breached"): (users.manager.id,),
        (b["soon"].code, "first_response", "due_soon"): (users.rep.id,),
        # Nobody manages the other region by name: the all-region manager.
        (b["other"].code, "first_response", "breached"): (manager_all.id,),
        (b["other"].code, "resolution", "breached"): (manager_all.id,),
    }
    with db.atomic():
        ComplaintAlert.create(complaint=b["soon"], clock="first_response", stage="due_soon")
    later = {(a.code, a.clock, a.stage) for a in pending_alerts(NOW)}
    assert (b["soon"].code, "first_response", "due_soon") not in later
    assert len(later) == 5
    # An hour and a half later it breaches: that alert is new.
    assert (b["soon"].code, "first_response", "breached") in {
        (a.code, a.clock, a.stage) for a in pending_alerts(NOW + 1.5 * H)}


def test_a_warning_goes_to_the_rep_when_nobody_is_assigned(users):
    complaint = make_complaint(users.factory, NOW - 23 * H, "normal")
    assert [(a.code, a.recipients) for a in pending_alerts(NOW)] == [
        (complaint.code, (users.rep.id,))]


def test_new_complaint_codes_carry_the_shanghai_date_and_differ():
    from models import Complaint

    late_evening_utc = datetime.datetime(2026, 3, 1, 17, 30)  # 2 March, 01:30 in Shanghai
    codes_ = {Complaint.new_code(late_evening_utc) for _ in range(200)}
    assert len(codes_) == 200
    for code in codes_:
        assert code.startswith("TC260302-") and len(code) == 14
        assert set(code[9:]) <= set(Complaint.CODE_ALPHABET)


def test_open_breaches_of_any_age_for_the_managers_home(users, board_data):
    from metrics.complaint_board import open_breaches

    b = board_data
    ancient = make_complaint(users.factory, NOW - 400 * 24 * H, "low", "other")
    rows = open_breaches(Scope(users.manager), NOW)
    assert codes(rows) == [ancient.code, b["carried"].code, b["breached"].code,
                           b["late_reply"].code]
    assert codes(open_breaches(Scope(users.admin), NOW))[-1] == b["late_reply"].code
    assert len(open_breaches(Scope(users.admin), NOW)) == 5
