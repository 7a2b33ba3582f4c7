"""The write machinery (actions/), through its first two actions: stage moves
and visits, over real HTTP on a real database (SQLite, or PostgreSQL with
DATABASE_URL). Every behaviour of ``actions.submit``: 303 / htmx partial on
success, 422 with the input kept, 409 on a stale version, 400 without CSRF,
403/404 out of scope, the audit entry and notifications in the same
transaction, nothing half-written."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup

import audit
from actions import notifications
from metrics.period import shanghai_today
from models import AuditLog, Factory, Notification, StageEvent, Visit, utcnow
from tests.builders import make_stage

TODAY = shanghai_today()
DAYS = datetime.timedelta


def _days_ago(n):
    return TODAY - DAYS(days=n)


@pytest.fixture
def lead(users):
    """``users.factory`` entered ``lead`` ten days ago."""
    make_stage(users.factory, "lead", _days_ago(10))
    return users.factory


def _stage_post(client, code="F-OWN", headers=None, csrf=True, **fields):
    data = dict(fields)
    if csrf:
        data["csrf_token"] = client.csrf_token
    return client.post(f"/factories/{code}/stage", data=data, headers=headers or {})


def _visit_post(client, code="F-OWN", headers=None, **fields):
    return client.post(f"/factories/{code}/visits",
                       data=dict(fields, csrf_token=client.csrf_token), headers=headers or {})


def _stages(factory):
    return [(row.stage, row.pipeline) for row in
            StageEvent.select().where(StageEvent.factory == factory.id).order_by(StageEvent.id)]


def _audit(action):
    return list(AuditLog.select().where(AuditLog.action == action))


HTMX = {"HX-Request": "true"}


# --- success -------------------------------------------------------------------

def test_stage_move_answers_303_and_writes_the_stage_with_its_audit(client_as, users, lead):
    rep = client_as("rep")
    response = _stage_post(rep, stage="visited", entered_on=_days_ago(2).isoformat(),
                           note="见到了厂长", version="0")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/factories/F-OWN")
    assert _stages(lead) == [("lead", 1), ("visited", 1)]  # contacted skipped, stays unentered
    row = StageEvent.get(StageEvent.stage == "visited")
    assert (row.entered_on, row.note, row.moved_by_id) == (_days_ago(2), "见到了厂长", users.rep.id)
    [entry] = _audit("factory.stage")
    assert entry.user_id == users.rep.id and entry.object_id == "F-OWN"
    assert json.loads(entry.before)["stage"] == "lead"
    assert json.loads(entry.after) == {"stage": "visited", "entered_on": _days_ago(2).isoformat(),
                                       "pipeline": 1, "note": "见到了厂长"}
    assert Factory.get_by_id(lead.id).version == 1


def test_entered_on_defaults_to_today(client_as, lead):
    assert _stage_post(client_as("rep"), stage="contacted").status_code == 303
    assert StageEvent.get(StageEvent.stage == "contacted").entered_on == TODAY


def test_htmx_move_answers_the_updated_page_block(client_as, lead):
    response = _stage_post(client_as("rep"), stage="contacted", headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#factory"
    assert response.headers["HX-Reswap"] == "outerHTML"
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("#factory #current-stage")["data-stage"] == "contacted"
    assert page.find("html") is None  # a fragment, not a page


def test_htmx_with_the_csrf_header_instead_of_the_field(client_as, lead):
    rep = client_as("rep")
    response = _stage_post(rep, csrf=False, stage="contacted",
                           headers=dict(HTMX, **{"X-CSRFToken": rep.csrf_token}))
    assert response.status_code == 200
    assert _stages(lead)[-1] == ("contacted", 1)


# --- bad input: 422, the form again, input kept, nothing written ------------------

def test_lost_without_a_note_is_422_with_the_message_next_to_the_field(client_as, lead):
    response = _stage_post(client_as("rep"), stage="lost", entered_on=_days_ago(1).isoformat(),
                           note="   ")
    assert response.status_code == 422
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    note_field = page.select_one("#note").find_parent(class_="field")
    assert "has-error" in note_field["class"]
    assert note_field.select_one(".field-error").get_text(strip=True)
    assert page.select_one("#entered_on")["value"] == _days_ago(1).isoformat()  # input kept
    assert page.select_one("#stage option[selected]")["value"] == "lost"
    assert _stages(lead) == [("lead", 1)]
    assert not _audit("factory.stage")
    assert Factory.get_by_id(lead.id).version == 0


def test_htmx_422_answers_only_the_form(client_as, lead):
    response = _stage_post(client_as("rep"), stage="lost", headers=HTMX)
    assert response.status_code == 422
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("div#stage-forms") is not None
    assert page.select_one("#timeline") is None


@pytest.mark.parametrize("fields, bad_field", [
    ({"stage": "lead"}, "stage"),                      # not later than the current stage
    ({"stage": "flying"}, "stage"),                    # not a stage
    ({"stage": "contacted", "entered_on": (TODAY + DAYS(days=1)).isoformat()}, "entered_on"),
    ({"stage": "contacted", "entered_on": (TODAY - DAYS(days=11)).isoformat()}, "entered_on"),
    ({"stage": "contacted", "entered_on": "yesterday"}, "entered_on"),
    ({"stage": "contacted", "note": "x" * 2001}, "note"),
])
def test_stage_rules_are_422_and_change_nothing(client_as, lead, fields, bad_field):
    response = _stage_post(client_as("rep"), **fields)
    assert response.status_code == 422
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    errors = page.select(".has-error")
    assert [e.select_one("[name]")["name"] for e in errors] == [bad_field]
    assert _stages(lead) == [("lead", 1)]


def test_lost_only_before_live_and_reopen_starts_a_new_pipeline(client_as, users, lead):
    rep = client_as("rep")
    assert _stage_post(rep, stage="lost", note="不想交钱", entered_on=_days_ago(5).isoformat()
                       ).status_code == 303
    # From lost, only a reopen: lead again, the next pipeline.
    assert _stage_post(rep, stage="signed").status_code == 422
    assert _stage_post(rep, stage="lead", entered_on=_days_ago(5).isoformat()).status_code == 303
    assert _stage_post(rep, stage="live").status_code == 303
    assert _stages(lead) == [("lead", 1), ("lost", 1), ("lead", 2), ("live", 2)]
    assert _stage_post(rep, stage="lost", note="倒闭").status_code == 422  # not from live


def test_a_reopen_on_the_day_of_the_loss_reads_lead(client_as, lead):
    rep = client_as("rep")
    _stage_post(rep, stage="lost", note="价格", entered_on=TODAY.isoformat())
    _stage_post(rep, stage="lead", entered_on=TODAY.isoformat())
    page = BeautifulSoup(rep.get("/factories/F-OWN").get_data(as_text=True), "html.parser")
    assert page.select_one("#current-stage")["data-stage"] == "lead"


def test_onboarding_kpis_change_at_once(client_as, lead):
    rep = client_as("rep")
    args = {"from": _days_ago(30).isoformat(), "to": TODAY.isoformat()}
    before = rep.get("/api/v1/kpis/onboarding", query_string=args).get_json()["kpis"]
    assert (before["leads"], before["reached_signed"]) == (1, 0)
    _stage_post(rep, stage="signed")
    after = rep.get("/api/v1/kpis/onboarding", query_string=args).get_json()["kpis"]
    assert (after["leads"], after["reached_signed"], after["reached_contacted"]) == (1, 1, 0)
    # Lost and reopened inside the period: still one factory in the cohort.
    _stage_post(rep, stage="lost", note="走了")
    _stage_post(rep, stage="lead")
    again = rep.get("/api/v1/kpis/onboarding", query_string=args).get_json()["kpis"]
    assert (again["leads"], again["reached_signed"], again["lead_to_live_rate"]) == (1, 1, 0.0)


# --- concurrency: 409 on a stale version ----------------------------------------

def test_a_stale_form_is_409_with_a_message_and_changes_nothing(client_as, lead):
    rep, manager = client_as("rep"), client_as("manager")
    assert _stage_post(manager, stage="contacted", version="0").status_code == 303
    response = _stage_post(rep, stage="visited", version="0", note="我的备注")
    assert response.status_code == 409
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("#stage-forms .form-error[role=alert]").get_text(strip=True)
    assert page.select_one("#note").get_text().strip() == "我的备注"  # input kept
    assert page.select_one("#stage-forms input[name=version]")["value"] == "1"  # now current
    assert _stages(lead) == [("lead", 1), ("contacted", 1)]
    assert len(_audit("factory.stage")) == 1


def test_the_version_claim_happens_inside_the_write(app, client_as, lead, monkeypatch):
    """Two moves drawn from version 0 that both pass the view's first
    check: the second loses at ``bump_version`` and writes nothing."""
    from actions import stage

    real_move = stage.move

    def move_after_someone_else(factory, form, user):
        Factory.update(version=Factory.version + 1).where(Factory.id == factory.id).execute()
        return real_move(factory, form, user)

    monkeypatch.setattr(stage, "move", move_after_someone_else)
    response = _stage_post(client_as("rep"), stage="contacted", version="0", headers=HTMX)
    assert response.status_code == 409
    assert _stages(lead) == [("lead", 1)]
    assert Factory.get_by_id(lead.id).version == 0  # rolled back with the rest


def test_a_client_sending_no_version_still_moves(client_as, lead):
    """SPEC section 9 lists only stage, entered_on and note: plain HTTP
    clients need no version."""
    assert _stage_post(client_as("rep"), stage="contacted").status_code == 303


# --- CSRF and scope ----------------------------------------------------------------

def test_without_csrf_token_it_is_400_and_nothing_changes(client_as, lead):
    rep = client_as("rep")
    assert _stage_post(rep, csrf=False, stage="contacted").status_code == 400
    assert rep.post("/factories/F-OWN/visits", data={"purpose": "routine"}).status_code == 400
    assert _stages(lead) == [("lead", 1)]
    assert Visit.select().count() == 0


@pytest.mark.parametrize("role, code, status", [
    ("owner", "F-OWN", 403),         # an owner may see it but not act
    ("other_rep", "F-OWN", 404),     # not in their book
    ("rep", "F-OTHER", 404),
    ("manager", "F-OTHER", 404),     # outside their region
    ("rep", "NO-SUCH", 404),
])
def test_out_of_scope_is_403_or_404_and_nothing_changes(client_as, users, lead, role, code,
                                                          status):
    make_stage(users.other_factory, "lead", _days_ago(10))
    client = client_as(role)
    assert _stage_post(client, code=code, stage="contacted").status_code == status
    assert _visit_post(client, code=code, purpose="routine").status_code == status
    assert StageEvent.select().count() == 2
    assert Visit.select().count() == 0
    assert not _audit("factory.stage") and not _audit("visit.logged")
    assert Notification.select().count() == 0


def test_manager_of_the_region_and_admin_may_move(client_as, lead):
    assert _stage_post(client_as("manager"), stage="contacted").status_code == 303
    assert _stage_post(client_as("admin"), stage="visited").status_code == 303


# --- one transaction -----------------------------------------------------------------

def test_a_failing_audit_write_rolls_the_move_back(client_as, lead, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    manager = client_as("manager")
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        _stage_post(manager, stage="contacted")
    assert _stages(lead) == [("lead", 1)]
    assert Notification.select().count() == 0
    assert Factory.get_by_id(lead.id).version == 0


def test_a_failing_notification_rolls_the_move_back(client_as, lead, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no notifications")

    manager = client_as("manager")
    monkeypatch.setattr(Notification, "create", broken)
    with pytest.raises(RuntimeError):
        _stage_post(manager, stage="contacted")
    assert _stages(lead) == [("lead", 1)]
    assert not _audit("factory.stage")


# --- visits ------------------------------------------------------------------------------

def test_a_visit_is_logged_as_the_signed_in_user_with_its_check_in(client_as, users, lead):
    manager = client_as("manager")
    response = _visit_post(manager, purpose="training", notes="教他们上架",
                           next_action_on=(TODAY + DAYS(days=7)).isoformat(),
                           latitude="23.129110", longitude="113.264385", accuracy="18")
    assert response.status_code == 303
    visit = Visit.get()
    assert (visit.rep_id, visit.purpose, visit.notes) == (users.manager.id, "training", "教他们上架")
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (23.12911, 113.264385, 18.0)
    assert visit.next_action_on == TODAY + DAYS(days=7)
    assert abs((utcnow() - visit.visited_at).total_seconds()) < 60  # default: now
    [entry] = _audit("visit.logged")
    assert json.loads(entry.after)["purpose"] == "training"


def test_a_visit_time_in_shanghai_or_with_an_offset(client_as, lead):
    rep = client_as("rep")
    local = (datetime.datetime.combine(_days_ago(1), datetime.time(9, 30)))
    assert _visit_post(rep, purpose="routine", visited_at=local.strftime("%Y-%m-%dT%H:%M")
                       ).status_code == 303
    assert _visit_post(rep, purpose="renewal",
                       visited_at=local.strftime("%Y-%m-%dT%H:%M:00+00:00")).status_code == 303
    first, second = Visit.select().order_by(Visit.id)
    assert first.visited_at == local - DAYS(hours=8)  # stored as UTC
    assert second.visited_at == local


@pytest.mark.parametrize("fields, bad_field", [
    ({"purpose": "party"}, "purpose"),
    ({}, "purpose"),
    ({"purpose": "routine", "visited_at": (datetime.datetime.now() + DAYS(days=2)).strftime(
        "%Y-%m-%dT%H:%M")}, "visited_at"),
    ({"purpose": "routine", "visited_at": "2020-01-01T09:00"}, "visited_at"),
    ({"purpose": "routine", "visited_at": "last week"}, "visited_at"),
    ({"purpose": "routine", "next_action_on": _days_ago(3).isoformat()}, "next_action_on"),
    ({"purpose": "routine", "latitude": "23.1"}, "latitude"),
    ({"purpose": "routine", "latitude": "123", "longitude": "10"}, "latitude"),
])
def test_visit_rules_are_422_with_input_kept(client_as, lead, fields, bad_field):
    response = _visit_post(client_as("rep"), notes="保留我写的字", **fields)
    assert response.status_code == 422
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("#notes").get_text().strip() == "保留我写的字"
    assert page.select(".field-error")
    error_names = {tag["name"] for box in page.select(".has-error") for tag in box.select("[name]")}
    if bad_field not in ("latitude",):
        assert bad_field in error_names
    assert Visit.select().count() == 0


def test_the_same_client_key_twice_makes_one_visit(client_as, lead):
    rep = client_as("rep")
    fields = {"purpose": "routine", "client_key": "k3y-from-the-browser-1"}
    assert _visit_post(rep, **fields).status_code == 303
    assert _visit_post(rep, **fields).status_code == 303
    assert Visit.select().count() == 1
    assert len(_audit("visit.logged")) == 1


def test_someone_elses_client_key_is_refused(client_as, users, lead):
    fields = {"purpose": "routine", "client_key": "k3y-from-the-browser-2"}
    assert _visit_post(client_as("rep"), **fields).status_code == 303
    assert _visit_post(client_as("manager"), **fields).status_code == 422
    assert Visit.select().count() == 1


def test_two_visits_at_the_same_minute_are_a_form_error(client_as, lead):
    rep = client_as("rep")
    moment = (datetime.datetime.combine(_days_ago(1), datetime.time(10, 0))).strftime(
        "%Y-%m-%dT%H:%M")
    assert _visit_post(rep, purpose="routine", visited_at=moment).status_code == 303
    response = _visit_post(rep, purpose="training", visited_at=moment)
    assert response.status_code == 422
    assert Visit.select().count() == 1


# --- notifications ---------------------------------------------------------------------------

def test_the_rep_is_told_when_someone_else_acts_on_their_factory(client_as, users, lead):
    manager, rep = client_as("manager"), client_as("rep")
    _stage_post(manager, stage="signed")
    _visit_post(manager, purpose="renewal")
    _stage_post(rep, stage="store_ready")  # their own move: no notification
    _visit_post(rep, purpose="routine")
    rows = list(Notification.select().order_by(Notification.id))
    assert [(row.recipient_id, row.kind, row.link) for row in rows] == [
        (users.rep.id, "stage_moved", "/factories/F-OWN"),
        (users.rep.id, "visit_logged", "/factories/F-OWN")]
    assert notifications.unread_count(users.rep) == 2


def test_a_notification_reads_in_the_readers_language(app, client_as, users, lead):
    _stage_post(client_as("manager"), stage="signed")
    rep = client_as("rep")
    chinese = rep.get("/notifications/").get_data(as_text=True)
    assert "王经理" in chinese and "已签约" in chinese
    rep.post("/language", data={"lang": "en", "next": "/", "csrf_token": rep.csrf_token})
    english = rep.get("/notifications/").get_data(as_text=True)
    assert "王经理 moved 广州锦绣服饰厂 to the stage “Signed”." in english


def test_old_notifications_are_deleted_after_the_retention_period(app, users, lead):
    from models import db

    with db.atomic():
        old = notifications.notify(users.rep, "stage_moved", "/factories/F-OWN",
                                   actor=users.manager, who="x", factory="y", stage="lead")
        Notification.update(created_at=utcnow() - DAYS(days=91)).where(
            Notification.id == old.id).execute()
        notifications.notify(users.rep, "stage_moved", "/factories/F-OWN",
                             actor=users.manager, who="x", factory="y", stage="contacted")
    assert [row.params for row in Notification.select()] == [
        json.dumps({"who": "x", "factory": "y", "stage": "contacted"}, ensure_ascii=False)]
