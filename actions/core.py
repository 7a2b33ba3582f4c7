"""The one path every form post takes once the view has parsed the form and
authorised the user: validate, write and audit in one transaction, respond.

``submit`` is the whole machinery; ``bump_version`` is optimistic
concurrency; ``Change`` is what a write tells the audit log; ``Stale`` and
``FieldError`` are how a write refuses. See ``actions/__init__.py`` for a
worked example.
"""

from dataclasses import dataclass

from flask import abort, make_response, redirect
from flask_babel import lazy_gettext as _l

import audit
from models import db
from views.rendering import is_htmx_partial_request

STALE_MESSAGE = _l("Someone else changed this while you had the form open. "
                   "Nothing was saved: check what is shown now and send again.")


class Stale(Exception):
    """Someone else changed the object since the form was drawn; nothing is
    written. ``version`` is the object's version now, for the form again."""

    def __init__(self, version=None):
        super().__init__("stale form")
        self.version = version


class FieldError(Exception):
    """A rule only the write can check (a key taken meanwhile): shown next
    to ``field`` with a 422, and the transaction is rolled back."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Change:
    """What one action did, as the audit log records it: ``action`` (e.g.
    ``factory.stage``), the object, and its state ``before`` and ``after``."""

    action: str
    object_type: str
    object_id: object
    before: object = None
    after: object = None
    detail: str = ""


def authorise(allowed):
    """403 unless ``allowed`` (a rule beyond the scope rule: "owners may
    not", "never the proposer"). Scope itself is ``access.visible_*_or_404``."""
    if not allowed:
        abort(403)


def bump_version(model, row_id, version):
    """Claim the row for this write: ``UPDATE ... SET version = version + 1
    WHERE id = row_id AND version = version``. Zero rows updated means
    someone else won: raise ``Stale`` (the caller's transaction rolls back).
    ``version`` None (a client that sent none: SPEC section 9 lists only the
    fields) claims the row whatever its version: the write still waits for
    any other one on the row, and must re-check its rules on what it reads
    next."""
    query = model.update(version=model.version + 1).where(model.id == row_id)
    if version is not None:
        query = query.where(model.version == version)
    if query.execute() != 1:
        raise Stale(model.select(model.version).where(model.id == row_id).scalar())


def submit(form, perform, *, again, done, version=None):
    """Run one action and answer it.

    * ``version`` (the object's version as the view read it) differs from
      the form's: 409 at once, before any other check, so the user hears
      "someone changed this" rather than a rule the change broke.
    * ``form`` fails validation: 422 with ``again()`` (the form re-rendered
      from ``form``: its errors next to each field, the input kept).
    * else ``perform()`` runs inside ``db.atomic()``; the ``Change`` it
      returns is written to the audit log in the same transaction (``None``:
      nothing changed, nothing logged). Notifications it sends are rows of
      the same transaction too.
    * ``perform`` raises ``Stale``: rolled back, 409 with ``again()`` and the
      message on ``form.form_errors`` (the form's version refreshed, so
      sending again is a deliberate choice).
    * ``perform`` raises ``FieldError``: rolled back, 422 with the message
      next to that field.
    * success: ``done(result)`` where ``result`` is the ``Change`` (use
      ``respond_done``).
    """
    sent = getattr(getattr(form, "version", None), "data", None)
    if version is not None and sent is not None and sent != version:
        return _stale(form, again, version)
    if not form.validate():
        return _again(again, 422)
    try:
        with db.atomic():
            change = perform()
            if change is not None:
                audit.record(change.action, object_type=change.object_type,
                             object_id=change.object_id, before=change.before,
                             after=change.after, detail=change.detail)
    except Stale as stale:
        return _stale(form, again, stale.version)
    except FieldError as error:
        field = getattr(form, error.field)
        field.errors = list(field.errors) + [error.message]
        return _again(again, 422)
    return done(change)


def respond_done(url, partial=None, target=None, trigger=None):
    """The answer to a successful action: ``303 See Other`` to ``url``; for
    an htmx request, ``partial()`` (the updated fragment, swapped into the
    CSS selector ``target`` when given) or, with no partial, ``HX-Redirect``.
    ``trigger``: an event for the page (``HX-Trigger``) so a list that shows
    the object elsewhere refreshes itself (My day); with a trigger and no
    partial, the htmx answer is empty: the form that posted goes away."""
    if not is_htmx_partial_request():
        return redirect(url, code=303)
    if partial is None and trigger is None:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response(partial() if partial is not None else "")
    if target:
        response.headers["HX-Retarget"] = target
        response.headers["HX-Reswap"] = "outerHTML"
    if trigger:
        response.headers["HX-Trigger"] = trigger
    response.vary.add("HX-Request")
    return response


def _stale(form, again, version):
    """409: the form again with the stale message and the version now."""
    form.form_errors.append(STALE_MESSAGE)
    if version is not None and hasattr(form, "version"):
        form.version.raw_data = None
        form.version.data = version
    return _again(again, 409)


def _again(again, status):
    """The form again, with ``status``."""
    response = make_response(again())
    response.status_code = status
    response.vary.add("HX-Request")
    return response
