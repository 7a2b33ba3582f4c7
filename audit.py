"""The audit log: who did what, when, with the state before and after.

Every state change (stage move, renewal decision, complaint status, import,
user and region edits) and every login and refused request is recorded with
``record``. Write it inside the same transaction as the change it describes,
so the log never claims a change that was rolled back.
"""

import json

from flask import g, has_request_context, request

from models import AuditLog


def _as_json(value):
    """JSON text for ``before``/``after`` (Chinese kept readable)."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(action, *, user=None, object_type="", object_id="", before=None,
           after=None, detail="", username=None):
    """Append one entry. ``user`` defaults to the signed-in user (``g.user``);
    ``username`` names an actor with no account (a failed login's name)."""
    if user is None and has_request_context():
        user = g.get("user")
    # The client's address is its own text behind a proxy: no NUL in it.
    ip = (request.remote_addr or "").replace("\x00", "") if has_request_context() else ""
    return AuditLog.create(
        user=user.id if user is not None else None,
        username=username if username is not None else (user.username if user else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        before=_as_json(before),
        after=_as_json(after),
        detail=detail,
        ip=ip,
    )
