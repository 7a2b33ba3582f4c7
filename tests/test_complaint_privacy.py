"""An internal note never reaches an owner: not on any page or partial,
in any export, nor in a notification; and of the staff side the owner sees
only the assignee's name."""

import io
import zipfile

from actions.notifications import text as notification_text
from models import ComplaintEvent, Notification, db
from tests.test_complaint_pages import board  # noqa: F401 (the fixture)

SECRET = "内部备注-只给员工看-7Q3Z"
HANDOVER_SECRET = "转交原因-只给员工看-K9P2"


def test_an_internal_note_never_reaches_an_owner_anywhere(app, client_as, users, board):
    """Write an internal note and a hand-over with marked texts, then look
    at everything the owner can reach."""
    complaint = board["breached"]
    rep = client_as("rep")
    for data in ({"body": SECRET, "internal": "1"}, {"body": "您好，正在处理"}):
        assert rep.post(f"/complaints/{complaint.code}/comments",
                        data=dict(data, csrf_token=rep.csrf_token)).status_code == 303
    assert rep.post(f"/complaints/{complaint.code}/assignee",
                    data={"assignee": "manager", "note": HANDOVER_SECRET, "version": "0",
                          "csrf_token": rep.csrf_token}).status_code == 303
    assert ComplaintEvent.select().where(ComplaintEvent.body.in_(
        [SECRET, HANDOVER_SECRET])).count() == 2
    # The staff see both.
    staff_page = rep.get(f"/complaints/{complaint.code}").get_data(as_text=True)
    assert SECRET in staff_page and HANDOVER_SECRET in staff_page

    owner = client_as("owner")
    seen = []
    with app.test_request_context():
        rules = [rule for rule in app.url_map.iter_rules()
                 if "GET" in rule.methods and rule.endpoint != "static"]
    for rule in rules:
        args = {}
        for name in rule.arguments:
            code = complaint.code if rule.endpoint.startswith("complaints.") \
                else users.factory.code
            args[name] = {"code": code, "factory_code": users.factory.code,
                          "file_format": "csv", "fmt": "csv", "kind": "complaints",
                          "dashboard": "complaints"}.get(name)
        if None in args.values():
            continue
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **args)
        for headers in ({}, {"HX-Request": "true"}):
            response = owner.get(url, headers=headers)
            seen.append(url)
            body = response.get_data()
            if url.endswith(".xlsx") or response.mimetype.endswith("sheet"):
                with zipfile.ZipFile(io.BytesIO(body)) as book:
                    body = b"".join(book.read(name) for name in book.namelist())
            text = body.decode("utf-8", "replace")
            assert SECRET not in text and HANDOVER_SECRET not in text, url
    assert f"/complaints/{complaint.code}" in seen and "/complaints/board.csv" in seen
    for fmt in ("csv", "xlsx"):
        response = owner.get(f"/complaints/board.{fmt}")
        body = response.get_data()
        if fmt == "xlsx":
            with zipfile.ZipFile(io.BytesIO(body)) as book:
                body = b"".join(book.read(name) for name in book.namelist())
        assert SECRET.encode() not in body and HANDOVER_SECRET.encode() not in body
    # Notifications: none of the owner's carries either text, in any language.
    with app.test_request_context():
        for note in Notification.select().where(Notification.recipient == users.owner.id):
            assert SECRET not in note.params and HANDOVER_SECRET not in note.params
            assert SECRET not in notification_text(note)
    # And the staff names other than the assignee's are not on the owner's page.
    page = owner.get(f"/complaints/{complaint.code}").get_data(as_text=True)
    assert "陈小二" not in page  # the rep replied, but the manager is the assignee now
    assert "王经理" in page
    db.close()
