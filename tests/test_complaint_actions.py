"""The complaint forms of SPEC section 9, through real HTTP on a real
database: intake, comments and internal notes, status (resolve, reopen),
the owner's rating and a change of assignee; who may, what is written,
audited and notified, and what bad input and stale forms get."""


import datetime
import re

import pytest

from models import AuditLog, Complaint, ComplaintEvent, Notification, db, utcnow
from tests.builders import make_complaint

H = datetime.timedelta(hours=1)


def post(client, url, **data):
    return client.post(url, data=dict(data, csrf_token=client.csrf_token))


def file_as(client, **fields):
    values = dict(category="logistics", title="买家投诉不包邮", body="运费太贵了")
    values.update(fields)
    return post(client, "/complaints", **values)


def filed(response):
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    match = re.fullmatch(r"/complaints/(TC\d{6}-[A-Z0-9]{5})", response.headers["Location"])
    assert match, response.headers["Location"]
    return Complaint.get(Complaint.code == match.group(1))


def notifications(user, kind=None):
    query = Notification.select().where(Notification.recipient == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(query)


@pytest.fixture
def complaint(users):
    """An open complaint of the team's factory, filed by its owner an hour ago."""
    row = make_complaint(users.factory, utcnow() - H, "high", "after_sales",
                         assignee=users.rep, filed_by=users.owner, title="售后差")
    with db.atomic():
        ComplaintEvent.create(complaint=row, author=users.owner, created_at=row.created_at,
                              to_status="open")
    return row


# --- intake ------------------------------------------------------------------------

def test_owner_files_on_the_board_with_the_suggested_severity(client_as, users):
    owner = client_as("owner")
    before = utcnow()
    complaint = filed(file_as(owner, channel="phone"))
    assert complaint.factory_id == users.factory.id
    assert complaint.channel == "board"  # an owner's complaint is always on the board
    assert complaint.severity == "high"  # logistics suggests high
    assert complaint.assignee_id == users.rep.id and complaint.filed_by_id == users.owner.id
    assert complaint.status == "open" and before <= complaint.created_at <= utcnow()
    assert complaint.title == "买家投诉不包邮" and complaint.body == "运费太贵了"
    assert [(e.to_status, e.author_id) for e in complaint.events] == [("open", users.owner.id)]
    [told] = notifications(users.rep, "complaint_filed")
    assert told.link == f"/complaints/{complaint.code}"
    audit = AuditLog.get(AuditLog.action == "complaint.filed")
    assert audit.object_id == complaint.code and audit.user_id == users.owner.id
    assert owner.get(f"/complaints/{complaint.code}").status_code == 200


def test_the_filer_may_change_the_suggested_severity(client_as):
    assert filed(file_as(client_as("owner"), severity="low")).severity == "low"


def test_an_owner_cannot_file_for_another_factory(client_as, users):
    response = file_as(client_as("owner"), factory=users.other_factory.code)
    assert response.status_code == 404
    assert Complaint.select().count() == 0


def test_staff_file_for_a_factory_they_see_and_choose_the_channel(client_as, users):
    complaint = filed(file_as(client_as("rep"), factory=users.factory.code, channel="visit",
                              category="fees", title="年费值不值"))
    assert (complaint.channel, complaint.severity, complaint.filed_by_id) == (
        "visit", "normal", users.rep.id)
    assert notifications(users.rep) == []  # nobody is told about their own action


@pytest.mark.parametrize("fields, field", [
    ({"factory": ""}, "factory"),
    ({"channel": "board"}, "channel"),
    ({"category": "weather"}, "category"),
    ({"severity": "panic"}, "severity"),
    ({"title": "   "}, "title"),
    ({"title": "长" * 201}, "title"),
    ({"body": "x" * 5001}, "body"),
])
def test_bad_intake_is_422_next_to_the_field_with_the_input_kept(client_as, users, fields,
                                                                 field):
    values = dict(factory=users.factory.code, channel="phone")
    values.update(fields)
    response = file_as(client_as("manager"), **values)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page
    assert "运费太贵了" in page or field == "body"  # what was typed is kept
    assert Complaint.select().count() == 0


def test_staff_naming_a_factory_outside_their_scope_get_404(client_as, users):
    response = file_as(client_as("rep"), factory=users.other_factory.code, channel="phone")
    assert response.status_code == 404
    assert Complaint.select().count() == 0


def test_intake_needs_the_csrf_token(client_as):
    owner = client_as("owner")
    response = owner.post("/complaints", data={"category": "fees", "title": "x"})
    assert response.status_code == 400
    assert Complaint.select().count() == 0


def test_htmx_intake_redirects_to_the_new_complaint(client_as):
    owner = client_as("owner")
    response = owner.post("/complaints", headers={"HX-Request": "true"}, data={
        "category": "traffic", "title": "流量都给头部商家了", "csrf_token": owner.csrf_token})
    code = Complaint.get().code
    assert response.headers["HX-Redirect"] == f"/complaints/{code}"


# --- comments -------------------------------------------------------------------------

def test_first_public_staff_reply_sets_first_response_and_tells_the_owner(
        client_as, users, complaint):
    rep = client_as("rep")
    url = f"/complaints/{complaint.code}/comments"
    assert post(rep, url, body="您好，已收到，今天内回复。").status_code == 303
    row = Complaint.get_by_id(complaint.id)
    assert row.first_response_at is not None and row.status == "in_progress"
    first = row.first_response_at
    assert post(rep, url, body="补充一下进展").status_code == 303
    assert Complaint.get_by_id(complaint.id).first_response_at == first
    assert len(notifications(users.owner, "complaint_owner_reply")) == 2
    kinds = [(e.from_status, e.to_status, e.internal) for e in
             Complaint.get_by_id(complaint.id).events.order_by(ComplaintEvent.id)]
    assert kinds == [(None, "open", False), (None, None, False), ("open", "in_progress", False),
                     (None, None, False)]


def test_an_internal_note_sets_nothing_and_tells_no_owner(client_as, users, complaint):
    manager = client_as("manager")
    response = post(manager, f"/complaints/{complaint.code}/comments", body="商家情绪大，续费有风险",
                    internal="1")
    assert response.status_code == 303
    row = Complaint.get_by_id(complaint.id)
    assert row.first_response_at is None and row.status == "open"
    assert notifications(users.owner) == []
    assert len(notifications(users.rep, "complaint_note")) == 1
    note = ComplaintEvent.get(ComplaintEvent.body == "商家情绪大，续费有风险")
    assert note.internal
    owner_page = client_as("owner").get(f"/complaints/{complaint.code}").get_data(as_text=True)
    assert "商家情绪大" not in owner_page
    assert "商家情绪大" in client_as("rep").get(f"/complaints/{complaint.code}").get_data(
        as_text=True)


def test_an_owner_may_reply_but_not_write_internal_notes(client_as, users, complaint):
    owner = client_as("owner")
    url = f"/complaints/{complaint.code}/comments"
    assert post(owner, url, body="想偷偷写", internal="1").status_code == 403
    assert post(owner, url, body="什么时候能有结果？").status_code == 303
    assert Complaint.get_by_id(complaint.id).first_response_at is None
    assert len(notifications(users.rep, "complaint_reply")) == 1
    assert ComplaintEvent.select().where(ComplaintEvent.internal == True).count() == 0  # noqa: E712


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_bad_comments_are_422(client_as, complaint, body):
    response = post(client_as("rep"), f"/complaints/{complaint.code}/comments", body=body)
    assert response.status_code == 422
    assert ComplaintEvent.select().count() == 1


def test_nobody_outside_the_scope_may_see_or_touch_it(client_as, users, complaint):
    for who in (users.other_owner, users.other_rep):
        client = client_as(who)
        assert client.get(f"/complaints/{complaint.code}").status_code == 404
        for action, data in (("comments", {"body": "hi"}), ("status", {"status": "resolved"}),
                             ("rating", {"satisfaction": "5"}),
                             ("assignee", {"assignee": "manager"})):
            status = post(client, f"/complaints/{complaint.code}/{action}", **data).status_code
            assert status in (403, 404), (who.username, action, status)
    assert ComplaintEvent.select().count() == 1
    assert Complaint.get_by_id(complaint.id).status == "open"


# --- status ---------------------------------------------------------------------------

def test_resolve_then_reopen_clears_the_resolution_and_rating(client_as, users, complaint):
    rep = client_as("rep")
    url = f"/complaints/{complaint.code}/status"
    assert post(rep, url, status="resolved", note="已处理", version="0").status_code == 303
    row = Complaint.get_by_id(complaint.id)
    assert row.status == "resolved" and row.resolved_at is not None and row.version == 1
    assert len(notifications(users.owner, "complaint_owner_status")) == 1
    owner = client_as("owner")
    assert post(owner, f"/complaints/{complaint.code}/rating", satisfaction="4",
                comment="还行", version="1").status_code == 303
    assert post(rep, url, status="in_progress", note="商家说问题还在", version="2").status_code == 303
    row = Complaint.get_by_id(complaint.id)
    assert (row.status, row.resolved_at, row.satisfaction, row.rating_comment, row.rated_at) == (
        "in_progress", None, None, "", None)
    assert AuditLog.select().where(AuditLog.action == "complaint.reopened").count() == 1


def test_status_is_for_staff_and_must_change(client_as, complaint):
    url = f"/complaints/{complaint.code}/status"
    assert post(client_as("owner"), url, status="resolved").status_code == 403
    response = post(client_as("rep"), url, status="open", version="0")
    assert response.status_code == 422
    assert post(client_as("rep"), url, status="closed", version="0").status_code == 422
    assert Complaint.get_by_id(complaint.id).version == 0


def test_two_people_at_once_one_wins_the_other_is_told(client_as, complaint):
    url = f"/complaints/{complaint.code}/status"
    assert post(client_as("rep"), url, status="in_progress", version="0").status_code == 303
    late = post(client_as("manager"), url, status="resolved", version="0")
    assert late.status_code == 409
    assert "别人已经修改了这里" in late.get_data(as_text=True)  # the machinery's message
    row = Complaint.get_by_id(complaint.id)
    assert row.status == "in_progress" and row.resolved_at is None


# --- rating ---------------------------------------------------------------------------

def test_the_owner_rates_only_a_resolved_complaint_and_may_rate_again(client_as, users,
                                                                      complaint):
    owner = client_as("owner")
    url = f"/complaints/{complaint.code}/rating"
    assert post(owner, url, satisfaction="5", version="0").status_code == 422
    with db.atomic():
        Complaint.update(status="resolved", resolved_at=utcnow(),
                         first_response_at=utcnow()).where(Complaint.id == complaint.id).execute()
    assert post(client_as("rep"), url, satisfaction="5").status_code == 403
    for bad in ("0", "6", "abc", ""):
        assert post(owner, url, satisfaction=bad, version="0").status_code == 422, bad
    assert post(owner, url, satisfaction="2", comment="太慢", version="0").status_code == 303
    assert post(owner, url, satisfaction="5", comment="后来解决了", version="1").status_code == 303
    row = Complaint.get_by_id(complaint.id)
    assert (row.satisfaction, row.rating_comment) == (5, "后来解决了")
    assert len(notifications(users.rep, "complaint_rated")) == 2
    page = owner.get(f"/complaints/{complaint.code}").get_data(as_text=True)
    assert "后来解决了" in page


# --- assignee -------------------------------------------------------------------------

def test_staff_hand_a_complaint_to_someone_who_sees_the_factory(client_as, users, complaint):
    rep = client_as("rep")
    url = f"/complaints/{complaint.code}/assignee"
    assert post(rep, url, assignee="other_rep", version="0").status_code == 422
    assert post(client_as("owner"), url, assignee="manager").status_code == 403
    assert post(rep, url, assignee="manager", note="紧急，请经理接手", version="0").status_code == 303
    row = Complaint.get_by_id(complaint.id)
    assert row.assignee_id == users.manager.id
    event = ComplaintEvent.get(ComplaintEvent.to_assignee == users.manager.id)
    assert event.internal and event.from_assignee_id == users.rep.id
    assert len(notifications(users.manager, "complaint_assigned")) == 1
    owner_page = client_as("owner").get(f"/complaints/{complaint.code}").get_data(as_text=True)
    assert "紧急，请经理接手" not in owner_page and "王经理" in owner_page  # the assignee's name
