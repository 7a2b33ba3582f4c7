"""One complaint and its thread, as a given reader may see them.

This is the one place that decides what of a complaint's history an owner
sees; pages, partials, exports and notifications for owners read it from
here, never from ``ComplaintEvent`` directly:

* staff see every entry, internal notes and hand-overs marked as such;
* an owner never gets an internal entry (``ComplaintEvent.internal``) --
  they are left out by the query itself --, nor an assignee change, and of
  the staff side they see only the assignee's display name: an entry by any
  other staff member is signed "platform staff" (``author`` is ``None`` and
  ``by_staff`` true).

``visible_complaint(user, code)`` finds a complaint through ``scope.py``'s
one rule (``None`` when the user may not see it, exactly as when it does
not exist).
"""

from dataclasses import dataclass

from models import Complaint, ComplaintEvent, Factory, User
from scope import visible_factory_ids


def visible_complaint(user, code):
    """The complaint with ``code`` if ``user`` may see its factory, else ``None``."""
    return (Complaint.select(Complaint, Factory)
            .join(Factory, on=(Complaint.factory == Factory.id))
            .where(Complaint.code == code, Complaint.factory.in_(visible_factory_ids(user)))
            .first())


@dataclass(frozen=True)
class Entry:
    """One entry of the thread. ``kind``: ``filed``, ``comment``, ``note``
    (internal), ``status``, ``assignee`` or ``rating``."""

    id: int
    kind: str
    at: object
    author: str | None  # a display name; None: the owner's side sees "platform staff"
    by_staff: bool
    body: str
    internal: bool
    from_status: str | None = None
    to_status: str | None = None
    from_assignee: str | None = None
    to_assignee: str | None = None
    satisfaction: int | None = None


def _kind(event):
    if event.satisfaction is not None:
        return "rating"
    if event.to_assignee_id is not None or event.from_assignee_id is not None:
        return "assignee"
    if event.to_status is not None:
        return "filed" if event.from_status is None else "status"
    return "note" if event.internal else "comment"


def visible_events(complaint, reader):
    """The query of ``complaint``'s events ``reader`` may see, oldest first."""
    query = (ComplaintEvent.select()
             .where(ComplaintEvent.complaint == complaint.id)
             .order_by(ComplaintEvent.created_at, ComplaintEvent.id))
    if not reader.is_staff:
        query = query.where(ComplaintEvent.internal == False,  # noqa: E712
                            ComplaintEvent.from_assignee.is_null(),
                            ComplaintEvent.to_assignee.is_null())
    return query


def thread(complaint, reader):
    """The entries of ``complaint`` that ``reader`` may see, oldest first."""
    events = list(visible_events(complaint, reader))
    ids = {e.author_id for e in events} | {e.from_assignee_id for e in events} \
        | {e.to_assignee_id for e in events}
    ids.discard(None)
    people = {user.id: user for user in
              User.select(User.id, User.display_name, User.role).where(User.id.in_(ids))}
    entries = []
    for event in events:
        author = people.get(event.author_id)
        by_staff = author is not None and author.is_staff
        name = author.display_name if author is not None else None
        if not reader.is_staff and by_staff and event.author_id != complaint.assignee_id:
            name = None
        entries.append(Entry(
            id=event.id, kind=_kind(event), at=event.created_at, author=name,
            by_staff=by_staff, body=event.body, internal=event.internal,
            from_status=event.from_status, to_status=event.to_status,
            from_assignee=_name(people, event.from_assignee_id),
            to_assignee=_name(people, event.to_assignee_id),
            satisfaction=event.satisfaction))
    return entries


def _name(people, user_id):
    user = people.get(user_id)
    return user.display_name if user is not None else None
