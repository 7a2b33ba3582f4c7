"""In-app notifications: rows written in the same transaction as the change
they tell about, read by the bell and ``/notifications``.

A kind is registered once with its message (a lazy translation with
``%(name)s`` placeholders) and, for parameters that are codes, the labels
that translate them; ``notify`` stores the kind and the raw parameters, so
each reader sees the text in their own language. Rows older than
``RETENTION_DAYS`` are deleted whenever a new one is written.
"""

import datetime
import json

from flask_babel import lazy_gettext as _l

from labels import STAGE_LABELS, VISIT_PURPOSE_LABELS
from models import Notification, utcnow

RETENTION_DAYS = 90
KINDS = {}


def register(kind, message, **labels):
    """Declare a kind: ``message`` with ``%(param)s`` placeholders; each
    ``labels[param]`` maps a code parameter to its translated word."""
    if len(kind) > Notification.kind.max_length:
        raise ValueError(f"notification kind too long: {kind!r}")
    KINDS[kind] = (message, labels)


def notify(recipient, kind, link, *, actor=None, **params):
    """Tell ``recipient`` (a User, or None: nobody) about something at
    ``link`` (a path). Nobody is told about their own action. Call inside
    the action's transaction; returns the row, or None when nobody was told.
    ``params`` must be JSON-serialisable (names, codes, dates as text)."""
    if kind not in KINDS:
        raise ValueError(f"unregistered notification kind: {kind!r}")
    if recipient is None or not recipient.is_active:
        return None
    if actor is not None and recipient.id == actor.id:
        return None
    purge_expired()
    return Notification.create(recipient=recipient, actor=actor, kind=kind, link=link,
                               params=json.dumps(params, ensure_ascii=False, default=str))


def text(notification):
    """The notification's message in the current language (plain text: the
    template escapes it)."""
    message, labels = KINDS.get(notification.kind, (None, {}))
    params = json.loads(notification.params or "{}")
    if message is None:
        return notification.kind
    for name, words in labels.items():
        if name in params:
            params[name] = str(words.get(params[name], params[name]))
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return str(message)


def unread_count(user):
    """How many of ``user``'s notifications are unread (one indexed count)."""
    return (Notification.select()
            .where(Notification.recipient == user.id, Notification.read_at.is_null())
            .count())


def mark_read(user, ids=None):
    """Mark ``user``'s notifications read: those with ``ids``, or all.
    Returns how many changed. Call inside a transaction."""
    query = Notification.update(read_at=utcnow()).where(
        Notification.recipient == user.id, Notification.read_at.is_null())
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    return query.execute()


def purge_expired(now=None):
    """Delete notifications older than ``RETENTION_DAYS`` (any recipient)."""
    cutoff = (now or utcnow()) - datetime.timedelta(days=RETENTION_DAYS)
    return Notification.delete().where(Notification.created_at < cutoff).execute()


# The kinds this product sends. Renewals and complaints register theirs in
# their own action modules the same way.
register("stage_moved", _l("%(who)s moved %(factory)s to the stage “%(stage)s”."),
         stage=STAGE_LABELS)
register("visit_logged", _l("%(who)s logged a visit to %(factory)s (%(purpose)s)."),
         purpose=VISIT_PURPOSE_LABELS)
