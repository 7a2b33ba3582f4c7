"""My day: the order of the list (``metrics.my_day.priority``) on hand-built
items, what the book brings into it (with hand-computed hours, days and
fees), the page's words in both languages, its filters, and an item that
leaves the list once its visit is logged from it."""

import datetime
import random
from decimal import Decimal

import pytest

from metrics import my_day
from metrics.health import Health
from metrics.my_day import Item, counts, ordered, priority
from metrics.period import shanghai_today
from models import RenewalCase, db, utcnow
from tests.builders import (make_complaint, make_factory, make_membership, make_stage,
                            make_user, make_visit)
from tests.helpers import page_soup

H = datetime.timedelta(hours=1)


def _health(score):
    band = "healthy" if score >= 70 else "watch" if score >= 40 else "at_risk"
    return Health(score=score, band=band, drivers=())


def complaint(code, hours_left, factory="F1"):
    return Item("complaint", factory, factory, complaint_code=code, title="t",
                severity="high", clock="resolution", left=hours_left * H)


def renewal(term_id, days_left, health=None, factory="F1"):
    return Item("renewal", factory, factory, term_id=term_id, days_left=days_left,
                fee_cny=Decimal(106800), health=None if health is None else _health(health),
                case_status="open")


def action(factory, days_overdue):
    return Item("next_action", factory, factory, days_overdue=days_overdue)


def stalled(factory, days):
    return Item("stalled", factory, factory, stage="contacted", days_in_stage=days)


def not_visited(factory, days):
    return Item("not_visited", factory, factory, days_since_visit=days)


# --- the order, on hand-built items ---------------------------------------------------

def test_a_breach_outranks_a_renewal_a_month_away():
    assert ordered([renewal(1, 30, health=10), complaint("C1", -1)])[0].kind == "complaint"


def test_a_complaint_due_within_a_day_outranks_a_renewal_ending_today():
    assert ordered([renewal(1, 0), complaint("C1", 5)])[0].kind == "complaint"


def test_a_stale_next_action_does_not_outrank_a_renewal_ending_in_six_days():
    months_overdue = action("F2", 120)
    six_days = renewal(1, 6, health=95)
    assert ordered([months_overdue, six_days]) == [six_days, months_overdue]
    # nor does it outrank a renewal a month away: it is follow-up work
    assert ordered([months_overdue, renewal(2, 30, health=95)])[0].kind == "renewal"


def test_a_recent_next_action_counts_as_due_today():
    due_today, week_late = action("F2", 0), action("F3", 7)
    in_three_days, ending_today = renewal(1, 3), renewal(2, 0, health=80)
    assert ordered([in_three_days, due_today, week_late, ending_today]) == [
        ending_today, week_late, due_today, in_three_days]


def test_renewals_this_month_go_weakest_health_first_after_this_weeks():
    week, weak, strong, unknown = (renewal(1, 7, 90), renewal(2, 25, 20), renewal(3, 9, 85),
                                   renewal(4, 28, None))
    assert ordered([strong, weak, week, unknown]) == [week, unknown, weak, strong]


def test_complaints_most_overdue_first():
    assert [item.complaint_code for item in ordered(
        [complaint("C1", 3), complaint("C2", -50), complaint("C3", -2)])] == ["C2", "C3", "C1"]


def test_follow_up_stalled_then_stale_actions_then_longest_unvisited():
    never, long_ago, lately = not_visited("F1", None), not_visited("F2", 200), not_visited("F3", 31)
    stale, stuck = action("F4", 8), stalled("F5", 15)
    assert ordered([lately, stale, never, long_ago, stuck]) == [
        stuck, stale, never, long_ago, lately]


def test_the_whole_order_on_a_shuffled_day():
    expected = [complaint("C9", -30), complaint("C8", 20), renewal(1, -3), action("F7", 2),
                renewal(2, 6, 90), renewal(3, 12, 15), renewal(4, 29, 60), stalled("F5", 60),
                stalled("F6", 16), action("F8", 300), not_visited("F9", None),
                not_visited("F1", 45)]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert ordered(shuffled) == expected
    assert [priority(item)[0] for item in expected] == [0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3]


def test_counts_per_kind():
    items = [complaint("C1", -1), complaint("C2", 1), renewal(1, 3), stalled("F2", 20)]
    assert counts(items) == {"all": 4, "complaint": 2, "renewal": 1, "next_action": 0,
                             "stalled": 1, "not_visited": 0}


# --- what the book brings --------------------------------------------------------------

@pytest.fixture
def book(users):
    """The rep's book with one reason of each kind (and some that are not)."""
    today = shanghai_today()
    now = utcnow()
    days = datetime.timedelta
    f = users.factory  # visited yesterday, a breached and an almost-due complaint
    make_visit(f, users.rep, now - days(days=1))
    make_complaint(f, now - days(hours=30), severity="high", code="C-LATE",
                   first_response_at=now - days(hours=29))  # 72 h: 42 h left: not yet
    make_complaint(f, now - days(hours=26), severity="critical", code="C-BREACH",
                   first_response_at=now - days(hours=25))  # 24 h target: 2 h past
    make_complaint(f, now - days(hours=70), severity="high", code="C-SOON",
                   first_response_at=now - days(hours=69))  # 72 h: 2 h left
    make_complaint(f, now - days(hours=100), severity="critical", code="C-DONE",
                   first_response_at=now - days(hours=99), resolved_at=now - days(hours=90))
    renewing = make_factory(region=users.region, rep=users.rep, code="F-RENEW")
    term = make_membership(renewing, today - days(days=359), end=today + days(days=6))
    make_visit(renewing, users.rep, now - days(days=3), next_action_on=today + days(days=2))
    proposed = make_factory(region=users.region, rep=users.rep, code="F-PROPOSED")
    waiting = make_membership(proposed, today - days(days=355), end=today + days(days=10))
    RenewalCase.create(membership=waiting, status="proposed")
    make_visit(proposed, users.rep, now - days(days=3))
    later = make_factory(region=users.region, rep=users.rep, code="F-LATER")
    make_membership(later, today - days(days=300), end=today + days(days=65))
    make_visit(later, users.rep, now - days(days=2))
    promised = make_factory(region=users.region, rep=users.rep, code="F-PROMISED")
    make_visit(promised, users.rep, now - days(days=40), next_action_on=today - days(days=9))
    stuck = make_factory(region=users.region, rep=users.rep, code="F-STUCK")
    make_stage(stuck, "lead", today - days(days=40))
    make_stage(stuck, "contacted", today - days(days=20))
    make_visit(stuck, users.rep, now - days(days=31))
    fresh = make_factory(region=users.region, rep=users.rep, code="F-FRESH")
    make_stage(fresh, "lead", today - days(days=10))
    make_visit(fresh, users.rep, now - days(days=1))
    lost = make_factory(region=users.region, rep=users.rep, code="F-LOST")
    make_stage(lost, "lead", today - days(days=90))
    make_stage(lost, "lost", today - days(days=60))
    make_complaint(lost, now - days(hours=30), severity="critical", code="C-LOST",
                   first_response_at=now - days(hours=29))
    make_membership(lost, today - days(days=350), end=today + days(days=15))
    never = make_factory(region=users.region, rep=users.rep, code="F-NEVER")
    make_membership(never, today - days(days=400), end=today - days(days=36), outcome="renewed")
    return term


def test_the_book_brings_each_reason_once_in_order(users, book):
    items, totals = my_day.rep_day(users.rep, shanghai_today(), utcnow())
    assert [item.key for item in items] == [
        "complaint-C-LOST", "complaint-C-BREACH", "complaint-C-SOON",
        f"renewal-{book.id}",
        "stalled-F-STUCK", "next_action-F-PROMISED", "not_visited-F-NEVER",
        "not_visited-F-STUCK"]
    assert totals == {"all": 8, "complaint": 3, "renewal": 1, "next_action": 1, "stalled": 1,
                      "not_visited": 2}
    by_key = {item.key: item for item in items}
    breach = by_key["complaint-C-BREACH"]
    assert breach.clock == "resolution"
    assert round(breach.left / H, 2) == -2  # created 26 h ago, 24 h target
    assert round(by_key["complaint-C-SOON"].left / H, 2) == 2
    renewing = by_key[f"renewal-{book.id}"]
    assert (renewing.days_left, renewing.fee_cny, renewing.case_status) == (
        6, Decimal("106800.00"), "open")
    assert renewing.health is not None
    assert by_key["next_action-F-PROMISED"].days_overdue == 9
    assert by_key["stalled-F-STUCK"].days_in_stage == 20
    assert by_key["not_visited-F-STUCK"].days_since_visit == 31
    assert by_key["not_visited-F-NEVER"].days_since_visit is None


def test_another_reps_book_stays_out(users, book):
    items, _totals = my_day.rep_day(users.other_rep, shanghai_today(), utcnow())
    assert [item.key for item in items] == ["not_visited-F-OTHER"]


def _queries(user):
    count = {"n": 0}
    database = db.obj  # the proxy's database: every query goes through its execute_sql
    original = database.execute_sql

    def counting(*args, **kwargs):
        count["n"] += 1
        return original(*args, **kwargs)

    database.execute_sql = counting
    try:
        my_day.rep_day(user, shanghai_today(), utcnow())
    finally:
        del database.execute_sql
    return count["n"]


def test_the_query_count_does_not_grow_with_the_book(users, book):
    before = _queries(users.rep)
    today, now = shanghai_today(), utcnow()
    for n in range(12):
        extra = make_factory(region=users.region, rep=users.rep)
        make_membership(extra, today - datetime.timedelta(days=350),
                        end=today + datetime.timedelta(days=n + 1))
        make_stage(extra, "lead", today - datetime.timedelta(days=30 + n))
        make_visit(extra, users.rep, now - datetime.timedelta(days=n),
                   next_action_on=today - datetime.timedelta(days=n))
        make_complaint(extra, now - datetime.timedelta(hours=80), severity="normal")
    assert _queries(users.rep) == before
    assert before <= 15


# --- the page -------------------------------------------------------------------

def _items(soup):
    return [li["data-key"] for li in soup.select("li.day-item")]


def test_page_says_why_in_chinese_and_english(client_as, users, book):
    rep = client_as("rep")
    soup = page_soup(rep.get("/my-day"), 200)
    reasons = {li["data-key"]: " ".join(li.select_one(".reason").get_text(" ").split())
               for li in soup.select("li.day-item")}
    assert reasons["complaint-C-BREACH"].startswith("⚠ 解决超时 2 小时")
    assert "“投诉" in reasons["complaint-C-BREACH"]
    assert reasons[f"renewal-{book.id}"].startswith("会员 6 天后到期")
    assert "年费 ¥10.68 万" in reasons[f"renewal-{book.id}"]
    assert reasons["next_action-F-PROMISED"].startswith("下一步跟进已逾期 9 天")
    assert reasons["stalled-F-STUCK"] == "入驻停滞：在“已联系”阶段 20 天"
    assert reasons["not_visited-F-NEVER"] == "从未拜访"
    rep.post("/language", data={"lang": "en", "next": "/my-day", "csrf_token": rep.csrf_token})
    soup = page_soup(rep.get("/my-day"), 200)
    reasons = {li["data-key"]: " ".join(li.select_one(".reason").get_text(" ").split())
               for li in soup.select("li.day-item")}
    assert reasons["complaint-C-BREACH"].startswith("⚠ Resolution overdue by 2 h")
    assert reasons[f"renewal-{book.id}"].startswith("Membership ends in 6 days")
    assert "Fee ¥106.8K" in reasons[f"renewal-{book.id}"]
    assert reasons["next_action-F-PROMISED"].startswith("Next action overdue by 9 days")
    assert reasons["stalled-F-STUCK"] == "Onboarding stalled: 20 days in “Contacted”"
    assert reasons["not_visited-F-NEVER"] == "Never visited"


def test_each_item_has_its_one_action(client_as, users, book):
    soup = page_soup(client_as("rep").get("/my-day"), 200)
    action = {li["data-key"]: li.select_one(".day-action") for li in soup.select("li.day-item")}
    assert action["complaint-C-BREACH"]["href"] == "/complaints/C-BREACH"
    assert action[f"renewal-{book.id}"]["href"] == f"/renewals/{book.id}"
    stage = action["stalled-F-STUCK"]
    assert stage["href"] == "/factories/F-STUCK#stage-forms"  # without JavaScript
    assert stage["hx-get"] == "/factories/F-STUCK/stage-form?next=/my-day"
    visit = action["next_action-F-PROMISED"]
    assert visit["href"] == "/factories/F-PROMISED#visit-form"  # without JavaScript
    assert visit["hx-get"] == "/factories/F-PROMISED/visit-form?next=/my-day"
    assert visit["hx-target"] == "#form-next_action-F-PROMISED"


def test_counts_filter_the_list_as_a_page_and_as_a_partial(client_as, users, book):
    rep = client_as("rep")
    soup = page_soup(rep.get("/my-day"), 200)
    links = {a.select_one("[data-kpi]")["data-kpi"]: a for a in soup.select("a.day-count")}
    assert links["my_day_complaint"]["href"] == "/my-day?show=complaint"
    assert links["my_day_complaint"].select_one("[data-kpi]")["data-value"] == "3"
    assert links["my_day_complaint"]["hx-push-url"] == "true"
    page = page_soup(rep.get("/my-day?show=complaint"), 200)
    assert _items(page) == ["complaint-C-LOST", "complaint-C-BREACH", "complaint-C-SOON"]
    assert page.find("h1")  # a plain link gets the whole page
    partial = rep.get("/my-day?show=stalled", headers={"HX-Request": "true"})
    assert "HX-Request" in partial.headers["Vary"]
    soup = page_soup(partial, 200)
    assert soup.find("h1") is None and soup.select_one("#my-day")
    assert _items(soup) == ["stalled-F-STUCK"]
    # the counts stay those of the whole day
    assert soup.find(attrs={"data-kpi": "my_day_all"})["data-value"] == "8"
    assert rep.get("/my-day?show=everything").status_code == 400


def test_only_reps_have_a_day(client_as, users):
    for role in ("owner", "manager", "admin"):
        assert client_as(role).get("/my-day").status_code == 403


def test_an_empty_book_and_a_quiet_day_say_so(client_as, users):
    newcomer = make_user("rep", regions=[users.region])
    text = client_as(newcomer).get("/my-day").get_data(as_text=True)
    assert "还没有分配给你的工厂" in text
    make_visit(users.factory, users.rep, utcnow() - datetime.timedelta(days=2))
    text = client_as("rep").get("/my-day").get_data(as_text=True)
    assert "今天没有需要你处理的事" in text


def test_the_visit_form_opens_in_place_and_a_logged_visit_leaves_the_list(client_as, users,
                                                                          book):
    rep = client_as("rep")
    form_url = "/factories/F-PROMISED/visit-form?next=/my-day"
    # without htmx: the factory page, at its form
    plain = rep.get(form_url)
    assert plain.status_code == 302 and plain.headers["Location"].endswith(
        "/factories/F-PROMISED#visit-form")
    form = page_soup(rep.get(form_url, headers={"HX-Request": "true"}), 200).find("form")
    assert form["hx-post"] == "/factories/F-PROMISED/visits"
    assert form.find("input", attrs={"name": "next"})["value"] == "/my-day"
    fields = {"csrf_token": rep.csrf_token, "next": "/my-day", "purpose": "routine",
              "client_key": form.find("input", attrs={"name": "client_key"})["value"]}
    # bad input: the form again in place, with the way back kept
    again = rep.post("/factories/F-PROMISED/visits", data=dict(fields, purpose="nap"),
                     headers={"HX-Request": "true"})
    assert again.status_code == 422
    assert page_soup(again).find("input", attrs={"name": "next"})["value"] == "/my-day"
    done = rep.post("/factories/F-PROMISED/visits", data=fields, headers={"HX-Request": "true"})
    assert done.status_code == 200 and done.get_data(as_text=True) == ""
    assert done.headers["HX-Trigger"] == "factory-changed"
    refreshed = page_soup(rep.get("/my-day", headers={"HX-Request": "true"}), 200)
    assert "next_action-F-PROMISED" not in _items(refreshed)
    assert refreshed.find(attrs={"data-kpi": "my_day_next_action"})["data-value"] == "0"
    # without htmx the post goes back to My day
    del fields["client_key"]
    plain = rep.post("/factories/F-STUCK/visits", data=fields)
    assert plain.status_code == 303 and plain.headers["Location"] == "/my-day"
    assert "not_visited-F-STUCK" not in _items(page_soup(rep.get("/my-day")))


def test_the_stage_form_opens_in_place_and_a_moved_stage_leaves_the_list(client_as, users,
                                                                           book):
    rep = client_as("rep")
    form_url = "/factories/F-STUCK/stage-form?next=/my-day?show=stalled"
    plain = rep.get(form_url)
    assert plain.status_code == 302 and plain.headers["Location"].endswith(
        "/factories/F-STUCK#stage-forms")
    forms = page_soup(rep.get(form_url, headers={"HX-Request": "true"}), 200)
    button = forms.select_one("#next-stage-button")
    assert "已拜访" in button.get_text()  # contacted -> visited, one tap
    one_tap = button.find_parent("form")
    fields = {tag["name"]: tag.get("value", "") for tag in one_tap.find_all("input")}
    assert fields["next"] == "/my-day?show=stalled" and fields["stage"] == "visited"
    # a date before the current stage's: the forms again in place, the way back kept
    again = rep.post("/factories/F-STUCK/stage", headers={"HX-Request": "true"}, data=dict(
        fields, entered_on=(shanghai_today() - datetime.timedelta(days=30)).isoformat()))
    assert again.status_code == 422
    assert page_soup(again).find("input", attrs={"name": "next"})["value"] == \
        "/my-day?show=stalled"
    done = rep.post("/factories/F-STUCK/stage", data=fields, headers={"HX-Request": "true"})
    assert done.status_code == 200 and done.headers["HX-Trigger"] == "factory-changed"
    refreshed = page_soup(rep.get("/my-day?show=stalled", headers={"HX-Request": "true"}))
    assert _items(refreshed) == []
    assert refreshed.find(attrs={"data-kpi": "my_day_stalled"})["data-value"] == "0"


def test_a_next_elsewhere_is_refused(client_as, users):
    rep = client_as("rep")
    response = rep.post("/factories/F-OWN/visits", data={
        "csrf_token": rep.csrf_token, "purpose": "routine", "next": "//evil.example/"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/factories/F-OWN")
