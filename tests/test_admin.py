"""The admin pages: users, regions, API tokens and the audit log."""

import datetime
import json


import audit
from models import ApiToken, AuditLog, LoginSession, Region, User, UserRegion, db
from tests.builders import make_region
from tests.helpers import login, page_soup


_soup = page_soup


def _errors_of(soup, name):
    """The error messages shown next to field ``name``."""
    field = soup.find(attrs={"name": name})
    assert field is not None, name
    box = soup.find(id=f"{field['id']}-errors")
    return [p.get_text(strip=True) for p in box.find_all("p")] if box else []


def test_admin_creates_an_owner_with_a_factory(client_as, users):
    admin = client_as("admin")
    response = admin.post("/admin/users/new", data={
        "csrf_token": admin.csrf_token, "username": "new_owner", "display_name": "新厂长",
        "role": "owner", "factory_code": "F-OWN", "email": "boss@example.com",
        "phone": "+86 138 0000 0000", "is_active": "y", "password": "first-password"})
    assert response.status_code == 303
    user = User.get(User.username == "new_owner")
    assert user.factory_id == users.factory.id and user.check_password("first-password")
    entry = AuditLog.get(AuditLog.action == "user.created")
    assert json.loads(entry.after)["factory"] == "F-OWN"
    assert entry.user_id == users.admin.id


def test_user_form_errors_are_next_to_the_fields_and_input_is_kept(client_as, users):
    admin = client_as("admin")
    response = admin.post("/admin/users/new", data={
        "csrf_token": admin.csrf_token, "username": "rep", "display_name": "",
        "role": "owner", "factory_code": "NOPE", "email": "not-an-email", "phone": "abc"})
    assert response.status_code == 400
    soup = _soup(response)
    assert _errors_of(soup, "username") == ["用户名已被占用。"]
    assert _errors_of(soup, "display_name")
    assert _errors_of(soup, "factory_code") == ["没有这个编号的工厂。"]
    assert _errors_of(soup, "email") and _errors_of(soup, "phone")
    assert soup.find(attrs={"name": "factory_code"})["value"] == "NOPE"
    assert soup.find(attrs={"name": "email"})["value"] == "not-an-email"
    assert soup.find(attrs={"name": "display_name"})["aria-invalid"] == "true"
    assert User.select().where(User.username == "rep").count() == 1


def test_admin_edits_role_and_regions(client_as, users):
    admin = client_as("admin")
    response = admin.post(f"/admin/users/{users.rep.id}", data={
        "csrf_token": admin.csrf_token, "display_name": "陈经理", "role": "manager",
        "regions": [str(users.region.id), str(users.other_region.id)], "is_active": "y",
        "email": "", "phone": ""})
    assert response.status_code == 303
    user = User.get_by_id(users.rep.id)
    assert user.role == "manager" and user.display_name == "陈经理"
    assert UserRegion.select().where(UserRegion.user == user.id).count() == 2
    entry = AuditLog.get(AuditLog.action == "user.updated")
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert before["role"] == "rep" and after["role"] == "manager"
    assert after["regions"] == sorted([users.region.code, users.other_region.code])


def test_disabling_a_user_ends_their_sessions_at_once(app, client_as, users):
    rep = client_as("rep")
    assert rep.get("/my-day").status_code == 200
    admin = client_as("admin")
    admin.post(f"/admin/users/{users.rep.id}", data={
        "csrf_token": admin.csrf_token, "display_name": "陈小二", "role": "rep",
        "regions": [str(users.region.id)], "email": "", "phone": ""})
    assert not User.get_by_id(users.rep.id).is_active
    assert rep.get("/my-day").status_code == 302
    assert LoginSession.select().where(LoginSession.user == users.rep.id,
                                       LoginSession.revoked_at.is_null()).count() == 0


def test_admin_cannot_lock_themselves_out(client_as, users):
    admin = client_as("admin")
    response = admin.post(f"/admin/users/{users.admin.id}", data={
        "csrf_token": admin.csrf_token, "display_name": "x", "role": "rep",
        "email": "", "phone": ""})
    assert response.status_code == 400
    soup = _soup(response)
    assert _errors_of(soup, "role") and _errors_of(soup, "is_active")
    assert User.get_by_id(users.admin.id).role == "admin"


def test_password_reset_ends_the_users_sessions(client_as, users):
    rep = client_as("rep")
    admin = client_as("admin")
    response = admin.post(f"/admin/users/{users.rep.id}/password", data={
        "csrf_token": admin.csrf_token, "pw-new_password": "brand-new-pass",
        "pw-confirm": "brand-new-pass"})
    assert response.status_code == 303
    assert User.get_by_id(users.rep.id).check_password("brand-new-pass")
    assert rep.get("/my-day").status_code == 302
    assert AuditLog.get(AuditLog.action == "user.password_reset").object_id == str(users.rep.id)


def test_password_reset_errors_are_shown(client_as, users):
    admin = client_as("admin")
    response = admin.post(f"/admin/users/{users.rep.id}/password", data={
        "csrf_token": admin.csrf_token, "pw-new_password": "short", "pw-confirm": "other"})
    assert response.status_code == 400
    soup = _soup(response)
    assert _errors_of(soup, "pw-new_password") and _errors_of(soup, "pw-confirm")


def test_token_is_shown_once_and_only_its_hash_is_stored(client_as, users):
    admin = client_as("admin")
    response = admin.post(f"/admin/users/{users.manager.id}/tokens", data={
        "csrf_token": admin.csrf_token, "token-name": "Excel 周报"})
    assert response.status_code == 200
    token = _soup(response).find("input", class_="token-text")["value"]
    assert token.startswith("sf_") and len(token) > 40
    row = ApiToken.get()
    assert row.user_id == users.manager.id and token not in row.token_hash
    page = admin.get(f"/admin/users/{users.manager.id}").get_data(as_text=True)
    assert token not in page and "Excel 周报" in page
    assert AuditLog.get(AuditLog.action == "token.issued").object_id == str(row.id)


def test_revoking_a_token(client_as, users):
    admin = client_as("admin")
    admin.post(f"/admin/users/{users.manager.id}/tokens", data={
        "csrf_token": admin.csrf_token, "token-name": "BI"})
    row = ApiToken.get()
    response = admin.post(f"/admin/users/{users.manager.id}/tokens/{row.id}/revoke",
                          data={"csrf_token": admin.csrf_token})
    assert response.status_code == 303
    assert ApiToken.get_by_id(row.id).revoked_at is not None
    # a token id of another user is not found
    response = admin.post(f"/admin/users/{users.rep.id}/tokens/{row.id}/revoke",
                          data={"csrf_token": admin.csrf_token})
    assert response.status_code == 404


def test_user_list_filters_with_htmx(client_as, users):
    admin = client_as("admin")
    response = admin.get("/admin/users?role=owner", headers={"HX-Request": "true"})
    soup = _soup(response)
    assert soup.find("html") is None and soup.find(id="results")
    names = [a.get_text() for a in soup.select("#results tbody a")]
    assert names == ["other_owner", "owner"]
    page = _soup(admin.get("/admin/users?q=经理"))
    assert [a.get_text() for a in page.select("#results tbody a")] == ["manager"]


def test_admin_creates_and_edits_a_region(client_as, users):
    admin = client_as("admin")
    data = {"csrf_token": admin.csrf_token, "code": "FS-TILE", "name_zh": "佛山瓷砖",
            "name_en": "Foshan tiles", "province": "广东", "city": "佛山",
            "industry_zh": "瓷砖", "industry_en": "Tiles"}
    assert admin.post("/admin/regions/new", data=data).status_code == 303
    region = Region.get(Region.code == "FS-TILE")
    response = admin.post(f"/admin/regions/{region.id}", data=dict(data, city="佛山市"))
    assert response.status_code == 303
    assert Region.get_by_id(region.id).city == "佛山市"
    entry = AuditLog.get(AuditLog.action == "region.updated")
    assert json.loads(entry.before)["city"] == "佛山" and json.loads(entry.after)["city"] == "佛山市"


def test_region_code_must_be_unique(client_as, users):
    admin = client_as("admin")
    response = admin.post("/admin/regions/new", data={
        "csrf_token": admin.csrf_token, "code": users.region.code, "name_zh": "重复",
        "name_en": "Dup", "province": "广东", "city": "广州", "industry_zh": "女装",
        "industry_en": ""})
    assert response.status_code == 400
    soup = _soup(response)
    assert _errors_of(soup, "code") == ["已有区域使用这个编号。"]
    assert _errors_of(soup, "industry_en")
    assert soup.find(attrs={"name": "name_zh"})["value"] == "重复"


def _entry(action, at, username="admin"):
    with db.atomic():
        row = audit.record(action, username=username, detail=action)
        AuditLog.update(at=at).where(AuditLog.id == row.id).execute()


def test_audit_log_filters_by_user_action_and_shanghai_dates(client_as, users):
    _entry("region.created", datetime.datetime(2026, 3, 1, 15, 30), "admin")  # 3-01 23:30 CST
    _entry("region.created", datetime.datetime(2026, 3, 1, 16, 30), "admin")  # 3-02 00:30 CST
    _entry("user.updated", datetime.datetime(2026, 3, 2, 3, 0), "manager")
    admin = client_as("admin")

    def listed(query):
        soup = _soup(admin.get("/admin/audit?" + query, headers={"HX-Request": "true"}))
        return len(soup.select("#results tbody tr td.audit-detail"))

    assert listed("action=region.created") == 2
    assert listed("date_from=2026-03-02&date_to=2026-03-02") == 2
    assert listed("date_from=2026-03-02&date_to=2026-03-02&user=manager") == 1
    assert listed("date_to=2026-03-01") == 1


def test_audit_log_bad_dates_say_why(client_as, users):
    admin = client_as("admin")
    soup = _soup(admin.get("/admin/audit?date_from=2026-03-05&date_to=2026-03-01"))
    assert "结束日期早于开始日期" in soup.find(id="results").get_text()
    soup = _soup(admin.get("/admin/audit?date_from=yesterday"))
    assert soup.find(id="results").find(class_="field-error")


def test_audit_log_pages(client_as, users):
    with db.atomic():
        for n in range(120):
            audit.record("region.updated", username="admin", detail=f"entry {n}")
    admin = client_as("admin")
    soup = _soup(admin.get("/admin/audit?action=region.updated&page=3"))
    assert len(soup.select("#results tbody tr")) == 20
    assert "第 3 / 3 页" in soup.find(class_="pager").get_text()
    links = [a["href"] for a in soup.select(".pager a")]
    assert links == ["/admin/audit?action=region.updated&page=2"]


def test_refused_requests_are_audited(client_as, users):
    rep = client_as("rep")
    rep.get("/admin/users")
    rep.post("/language", data={"lang": "en"})
    actions = {entry.action: entry for entry in AuditLog.select()}
    assert actions["access.denied"].user_id == users.rep.id
    assert actions["access.denied"].detail == "/admin/users"
    assert actions["csrf.refused"].user_id == users.rep.id


def test_language_choice_is_saved_on_the_user_and_audited(client_as, users):
    owner = client_as("owner")
    owner.post("/language", data={"lang": "en", "next": "/my-factory",
                                  "csrf_token": owner.csrf_token})
    assert User.get_by_id(users.owner.id).locale == "en"
    entry = AuditLog.get(AuditLog.action == "user.language")
    assert json.loads(entry.after) == {"locale": "en"}
    fresh = login(owner.application.test_client(), users.owner)
    assert '<html lang="en">' in fresh.get("/my-factory").get_data(as_text=True)


def test_admin_home_counts(client_as, users):
    make_region(code="EXTRA")
    soup = _soup(client_as("admin").get("/admin/"))
    tiles = {tile["data-kpi"]: tile["data-value"] for tile in soup.select("[data-kpi]")}
    assert tiles == {"users_rep": "2", "users_manager": "1", "users_owner": "2",
                     "users_admin": "1"}


def test_disabling_a_user_revokes_their_api_tokens_for_good(app, client_as, users):
    from access import issue_api_token

    with db.atomic():
        _row, token = issue_api_token(users.rep, "bi", users.admin)
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200
    admin = client_as("admin")
    fields = {"csrf_token": admin.csrf_token, "display_name": "陈小二", "role": "rep",
              "regions": [str(users.region.id)], "email": "", "phone": ""}
    assert admin.post(f"/admin/users/{users.rep.id}", data=fields).status_code == 303
    assert admin.post(f"/admin/users/{users.rep.id}",
                      data=dict(fields, is_active="y")).status_code == 303
    assert User.get_by_id(users.rep.id).is_active
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    assert ApiToken.get(ApiToken.user == users.rep.id).revoked_at is not None
    entry = (AuditLog.select().where(AuditLog.action == "user.updated")
             .order_by(AuditLog.id).first())
    assert "API tokens revoked: 1" in entry.detail


def test_an_admin_password_reset_ends_the_users_sessions_and_is_audited(client_as, users):
    rep = client_as("rep")
    admin = client_as("admin")
    response = admin.post(f"/admin/users/{users.rep.id}/password", data={
        "pw-csrf_token": admin.csrf_token, "pw-new_password": "a-new-password",
        "pw-confirm": "a-new-password"})
    assert response.status_code == 303
    assert rep.get("/my-day").status_code == 302
    assert AuditLog.get(AuditLog.action == "user.password_reset").detail == "sessions ended: 1"


def test_a_manager_with_no_region_needs_all_regions_ticked(client_as, users):
    admin = client_as("admin")
    fields = {"csrf_token": admin.csrf_token, "display_name": "王经理", "role": "manager",
              "email": "", "phone": "", "is_active": "y"}
    response = admin.post(f"/admin/users/{users.manager.id}", data=fields)
    assert response.status_code == 400
    assert _errors_of(_soup(response), "all_regions")
    assert UserRegion.select().where(UserRegion.user == users.manager.id).count() == 1
    response = admin.post(f"/admin/users/{users.manager.id}", data=dict(fields, all_regions="y"))
    assert response.status_code == 303
    assert UserRegion.select().where(UserRegion.user == users.manager.id).count() == 0
    page = _soup(admin.get(f"/admin/users/{users.manager.id}"))
    assert page.find("input", attrs={"name": "all_regions"}).has_attr("checked")
