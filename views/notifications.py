"""The bell and ``/notifications``: a user's own notifications, newest first.

* ``GET /notifications``: the list (kept 90 days, ``actions.notifications``),
  unread ones marked.
* ``POST /notifications/<id>/open``: mark one read and go to its object.
* ``POST /notifications/read``: mark all read.
* ``GET /notifications/bell``: the header's bell with the unread count, the
  fragment htmx refreshes every 60 s and when the window gets the focus
  (every page load renders it afresh too).
"""

from flask import Blueprint, abort, g, redirect, render_template, url_for

from access import roles_required, safe_next
from actions import notifications as notes
from models import Notification, db
from views.rendering import is_htmx_partial_request, render_page

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

EVERYONE = ("rep", "manager", "owner", "admin")
LIST_LIMIT = 200


@bp.get("/")
@roles_required(*EVERYONE)
def index():
    """The user's notifications, newest first, in their language."""
    rows = list(Notification.select().where(Notification.recipient == g.user.id)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(LIST_LIMIT))
    items = [{"row": row, "text": notes.text(row)} for row in rows]
    return render_page("notifications/index.html", items=items,
                       retention_days=notes.RETENTION_DAYS)


@bp.post("/<int:note_id>/open")
@roles_required(*EVERYONE)
def open_one(note_id):
    """Mark one of the user's notifications read and follow its link
    (someone else's notification: 404)."""
    row = Notification.get_or_none(Notification.id == note_id,
                                   Notification.recipient == g.user.id)
    if row is None:
        abort(404)
    with db.atomic():
        notes.mark_read(g.user, [row.id])
    return redirect(safe_next(row.link) or url_for("notifications.index"), code=303)


@bp.post("/read")
@roles_required(*EVERYONE)
def read_all():
    """Mark every notification of the user read."""
    with db.atomic():
        notes.mark_read(g.user)
    return redirect(url_for("notifications.index"), code=303)


@bp.get("/bell")
@roles_required(*EVERYONE)
def bell():
    """The bell alone for htmx; as a page, the list it stands for."""
    if not is_htmx_partial_request():
        return redirect(url_for("notifications.index"))
    response = render_template("notifications/_bell.html")
    return response
