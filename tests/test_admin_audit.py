"""The audit log reads as words: every action code the app writes has a
label in both languages, and each entry names its object ("用户 rep"),
linked to its page, with one query per kind of object on a page."""

import datetime
import re
from pathlib import Path

import audit
from access import issue_api_token
from models import db
from tests.builders import make_complaint, make_membership, make_visit
from tests.helpers import page_soup
from views import admin_audit

ROOT = Path(__file__).resolve().parent.parent
# Actions written with a computed code (the first argument is not a literal).
COMPUTED_ACTIONS = {"renewal.approved", "renewal.rejected", "renewal.renewed", "renewal.churned",
                    "complaint.comment", "complaint.resolved", "complaint.reopened",
                    "complaint.status", "import", "import.dry_run", "import.rejected",
                    "access.denied", "csrf.refused"}
LITERAL_ACTION = re.compile(r'(?:audit\.record|Change)\(\s*"([a-z_]+(?:\.[a-z_]+)?)"')


def test_every_action_the_app_writes_has_a_label():
    written = set(COMPUTED_ACTIONS)
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "node_modules" in path.parts:
            continue
        written |= set(LITERAL_ACTION.findall(path.read_text(encoding="utf-8")))
    written.discard("factory.phone")  # actions/__init__.py's worked example
    assert "user.created" in written and "complaint.filed" in written  # the scan works
    assert written - set(admin_audit.ACTION_LABELS) == set()


def _entries(users):
    """One entry per kind of object, and one about a user deleted since."""
    complaint = make_complaint(users.factory, datetime.datetime(2026, 3, 1, 2), title="售后差")
    term = make_membership(users.factory, datetime.date(2026, 1, 1))
    visit = make_visit(users.factory, users.rep, datetime.datetime(2026, 3, 1, 17))  # 3-02 CST
    with db.atomic():
        audit.record("user.updated", username="admin", object_type="user",
                     object_id=users.rep.id)
        audit.record("complaint.filed", username="owner", object_type="complaint",
                     object_id=complaint.code)
        audit.record("factory.stage", username="rep", object_type="factory",
                     object_id=users.factory.code)
        audit.record("renewal.proposed", username="rep", object_type="membership",
                     object_id=term.id)
        audit.record("region.updated", username="admin", object_type="region",
                     object_id=users.region.id)
        audit.record("visit.logged", username="rep", object_type="visit", object_id=visit.id)
        audit.record("import", username="admin", object_type="import", object_id="sales")
        token, _secret = issue_api_token(users.manager, "BI 报表", users.admin)
        audit.record("token.issued", username="admin", object_type="api_token",
                     object_id=token.id)
        audit.record("user.created", username="admin", object_type="user", object_id=9999)
    return complaint, term


def _rows(soup):
    return {row.select("td")[2].contents[0].strip(): row.select("td")[3]
            for row in soup.select("#results tbody tr")}


def test_the_audit_log_names_and_links_each_object(client_as, users):
    complaint, term = _entries(users)
    admin = client_as("admin")
    rows = _rows(page_soup(admin.get("/admin/audit"), status=200))
    assert rows["修改用户"].get_text() == "用户 rep"
    assert rows["修改用户"].a["href"] == f"/admin/users/{users.rep.id}"
    assert rows["提交吐槽"].get_text() == f"吐槽 {complaint.code} 售后差"
    assert rows["提交吐槽"].a["href"] == f"/complaints/{complaint.code}"
    assert rows["推进入驻阶段"].get_text() == "工厂 F-OWN 广州锦绣服饰厂"
    assert rows["提交续约方案"].get_text() == "会员期 广州锦绣服饰厂 2026年1月1日 – 2026年12月31日"
    assert rows["提交续约方案"].a["href"] == f"/renewals/{term.id}"
    assert rows["修改区域"].get_text() == "区域 GZ-WOMEN 广州女装"
    assert rows["记录拜访"].get_text() == "拜访 广州锦绣服饰厂 2026年3月2日"
    assert rows["导入数据"].get_text() == "导入 每日销售"
    assert rows["创建用户"].get_text() == "用户 #9999"  # deleted since: kind and id
    assert rows["发放 API 令牌"].get_text() == "manager 的 API 令牌“BI 报表”"
    assert rows["发放 API 令牌"].a["href"] == f"/admin/users/{users.manager.id}"


def test_the_audit_log_in_english(client_as, users):
    complaint, _term = _entries(users)
    admin = client_as("admin")
    admin.post("/language", data={"lang": "en", "next": "/", "csrf_token": admin.csrf_token})
    soup = page_soup(admin.get("/admin/audit"), status=200)
    rows = _rows(soup)
    assert rows["User changed"].get_text() == "User rep"
    assert rows["Complaint filed"].get_text() == f"Complaint {complaint.code} 售后差"
    assert rows["Region changed"].get_text() == "Region GZ-WOMEN Guangzhou womenswear"
    options = [option.get_text() for option in soup.select('select[name="action"] option')]
    assert "Onboarding stage moved" in options and "factory.stage" not in options


def test_the_action_filter_lists_translated_actions(client_as, users):
    _entries(users)
    soup = page_soup(client_as("admin").get("/admin/audit"), status=200)
    options = {option["value"]: option.get_text()
               for option in soup.select('select[name="action"] option')}
    assert options["complaint.filed"] == "提交吐槽" and options["visit.logged"] == "记录拜访"


def test_targets_take_one_query_per_kind_of_object(app, users):
    _entries(users)
    with db.atomic():
        for _n in range(30):
            audit.record("user.updated", username="admin", object_type="user",
                         object_id=users.manager.id)
    entries = list(audit.AuditLog.select())
    executed = []
    original = db.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        executed.append(sql)
        return original(sql, params, *args, **kwargs)

    db.obj.execute_sql = counting
    try:
        with app.test_request_context():
            named = admin_audit.targets(entries)
    finally:
        db.obj.execute_sql = original
    assert len(named) == len(entries)
    # user, token, complaint, factory, membership, region, visit; imports need none.
    assert len(executed) == 7
