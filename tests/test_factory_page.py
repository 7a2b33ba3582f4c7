"""The factory page, its timeline and the notifications pages: what each role
sees (an owner nothing meant for staff), paging and filtering, hostile text
escaped, the bell."""

import datetime

import pytest
from bs4 import BeautifulSoup

from metrics.period import shanghai_today
from models import Notification, RenewalCase, StageEvent, db, utcnow
from tests.builders import (make_complaint, make_membership, make_sales, make_stage,
                            make_visit)

TODAY = shanghai_today()
STAFF_ONLY = ("内部备注VISIT", "流失原因STAGE", "风险RISKNOTE", "提案PROPOSAL", "审批DECISION",
              "23.12911")


def _soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.fixture
def history(users):
    """A factory with a bit of everything, including staff-only text."""
    factory = users.factory
    make_stage(factory, "lead", TODAY - datetime.timedelta(days=400))
    StageEvent.create(factory=factory, stage="lost", entered_on=TODAY - datetime.timedelta(days=300),
                      note="流失原因STAGE", moved_by=users.rep)
    make_visit(factory, users.rep, utcnow() - datetime.timedelta(days=2), notes="内部备注VISIT",
               next_action_on=TODAY + datetime.timedelta(days=3), latitude=23.12911,
               longitude=113.264385, accuracy_m=12)
    term = make_membership(factory, TODAY - datetime.timedelta(days=200))
    RenewalCase.create(membership=term, status="rejected", risk_note="风险RISKNOTE",
                       proposal_note="提案PROPOSAL", decision="rejected",
                       decision_note="审批DECISION", decided_by=users.manager,
                       decided_at=utcnow() - datetime.timedelta(days=1))
    make_complaint(factory, utcnow() - datetime.timedelta(days=5), title="不包邮")
    return factory


def test_staff_see_every_kind_with_notes(client_as, history):
    page = _soup(client_as("rep").get("/factories/F-OWN"))
    kinds = {li["data-kind"] for li in page.select("#timeline-entries li.entry")}
    assert kinds == {"stage", "visit", "complaint", "term", "decision"}
    text = page.get_text()
    assert "内部备注VISIT" in text and "流失原因STAGE" in text and "审批DECISION" in text
    assert page.select_one("#stage-forms") and page.select_one("#visit-form")


def test_the_owner_sees_their_factory_without_anything_for_staff(client_as, history):
    html = client_as("owner").get("/factories/F-OWN").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    for secret in STAFF_ONLY:
        assert secret not in html, secret
    assert not page.select("[data-staff-only]")
    assert not page.select("form[action*='/stage'], form[action*='/visits']")
    kinds = {li["data-kind"] for li in page.select("#timeline-entries li.entry")}
    assert kinds == {"stage", "visit", "complaint", "term"}
    assert "不包邮" in html
    # The timeline partial and its pages are the same for them.
    partial = client_as("owner").get("/factories/F-OWN/timeline", headers={"HX-Request": "true"})
    assert not any(secret in partial.get_data(as_text=True) for secret in STAFF_ONLY)
    assert client_as("owner").get("/factories/F-OWN/timeline?kind=decision").status_code == 400


def test_header_shows_stage_term_and_the_apis_30_day_gmv(client_as, history):
    make_sales(history, TODAY - datetime.timedelta(days=3), gmv_fen=1234_56, orders=3)
    make_sales(history, TODAY - datetime.timedelta(days=30), gmv_fen=99_999_00, orders=9)
    manager = client_as("manager")
    page = _soup(manager.get("/factories/F-OWN"))
    assert page.select_one("#current-stage")["data-stage"] == "lost"
    assert page.select_one("a.sales-summary")["href"] == "/sales/factories/F-OWN"
    api = manager.get("/api/v1/kpis/sales", query_string={
        "factory": "F-OWN", "from": (TODAY - datetime.timedelta(days=29)).isoformat(),
        "to": TODAY.isoformat()}).get_json()["kpis"]
    assert api["gmv_cny"] == 1234.56
    assert float(page.select_one("[data-kpi=gmv_cny]")["data-value"]) == api["gmv_cny"]
    assert float(page.select_one("[data-kpi=membership_roi]")["data-value"]) == \
        api["membership_roi"]
    assert page.select_one("#next-stage-button")  # reopen offered


def test_timeline_pages_newest_first_with_show_more(client_as, users):
    start = utcnow() - datetime.timedelta(days=25)
    for n in range(25):
        make_visit(users.factory, users.rep, start + datetime.timedelta(days=n), notes=f"第{n}次")
    rep = client_as("rep")
    page = _soup(rep.get("/factories/F-OWN"))
    entries = page.select("#timeline-entries li.entry")
    assert len(entries) == 20 and "第24次" in entries[0].get_text()
    more = page.select_one("li.timeline-more a")
    assert more["href"] == more["hx-get"] == "/factories/F-OWN/timeline?page=2"
    partial = _soup(rep.get(more["href"], headers={"HX-Request": "true"}))
    rest = partial.select("#timeline-entries li.entry")
    assert [li.get_text().count("第") for li in rest] == [1] * 5
    assert "第4次" in rest[0].get_text() and not partial.select("li.timeline-more")
    assert partial.find("html") is None
    full = _soup(rep.get(more["href"]))  # the plain link is a whole page
    assert full.find("html") and len(full.select("#timeline-entries li.entry")) == 5


def test_timeline_kind_filter(client_as, history):
    page = _soup(client_as("rep").get("/factories/F-OWN?kind=visit"))
    assert {li["data-kind"] for li in page.select("#timeline-entries li.entry")} == {"visit"}
    assert page.select_one(".chips a[aria-current]")["href"] == "/factories/F-OWN?kind=visit"


@pytest.mark.parametrize("query", ["kind=nonsense", "page=0", "page=x"])
def test_bad_timeline_parameters_are_400(client_as, users, query):
    assert client_as("rep").get(f"/factories/F-OWN/timeline?{query}").status_code == 400


@pytest.mark.parametrize("role, code", [("other_rep", "F-OWN"), ("other_owner", "F-OWN"),
                                        ("manager", "F-OTHER"), ("owner", "F-OTHER")])
def test_out_of_scope_pages_are_404(client_as, users, role, code):
    client = client_as(role)
    assert client.get(f"/factories/{code}").status_code == 404
    assert client.get(f"/factories/{code}/timeline").status_code == 404


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_is_escaped_on_page_timeline_and_notifications(client_as, users):
    users.factory.name = HOSTILE
    users.factory.save()
    users.manager.display_name = HOSTILE
    users.manager.save()
    make_stage(users.factory, "lead", TODAY)
    make_visit(users.factory, users.rep, utcnow() - datetime.timedelta(hours=1), notes=HOSTILE)
    make_complaint(users.factory, utcnow() - datetime.timedelta(hours=2), title=HOSTILE)
    manager = client_as("manager")
    response = manager.post("/factories/F-OWN/stage", data={
        "stage": "contacted", "note": HOSTILE, "csrf_token": manager.csrf_token})
    assert response.status_code == 303
    rep = client_as("rep")
    for path in ("/factories/F-OWN", "/factories/F-OWN/timeline", "/notifications/"):
        html = rep.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path


def test_bell_counts_unread_and_notifications_are_marked_read(client_as, users):
    make_stage(users.factory, "lead", TODAY)
    manager = client_as("manager")
    manager.post("/factories/F-OWN/stage", data={"stage": "contacted",
                                                 "csrf_token": manager.csrf_token})
    manager.post("/factories/F-OWN/visits", data={"purpose": "routine",
                                                  "csrf_token": manager.csrf_token})
    rep = client_as("rep")
    bell = _soup(rep.get("/notifications/bell", headers={"HX-Request": "true"}))
    assert bell.select_one("#bell .bell-count")["data-unread"] == "2"
    page = _soup(rep.get("/my-day"))
    assert page.select_one("#bell .bell-count")["data-unread"] == "2"  # every page renders it
    listing = _soup(rep.get("/notifications/"))
    assert len(listing.select("li.notification.is-unread")) == 2
    first = listing.select_one("li.notification form")["action"]
    opened = rep.post(first, data={"csrf_token": rep.csrf_token})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/factories/F-OWN")
    assert Notification.select().where(Notification.read_at.is_null()).count() == 1
    assert rep.post("/notifications/read", data={"csrf_token": rep.csrf_token}).status_code == 303
    assert Notification.select().where(Notification.read_at.is_null()).count() == 0
    # Someone else's notification cannot be opened, and is left unread.
    with db.atomic():
        theirs = Notification.create(recipient=users.manager, kind="stage_moved", link="/",
                                     params="{}")
    assert rep.post(f"/notifications/{theirs.id}/open",
                    data={"csrf_token": rep.csrf_token}).status_code == 404
    assert Notification.get_by_id(theirs.id).read_at is None


def test_my_day_links_each_factory_to_its_page(client_as, users):
    page = _soup(client_as("rep").get("/my-day"))
    assert page.select_one("a.factory-name")["href"] == "/factories/F-OWN"
