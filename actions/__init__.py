"""The write machinery, once for every form of the product (STYLE "Writes").

Rooms: ``core`` (``submit``, ``bump_version``, ``Change``, ``Stale``,
``FieldError``, ``authorise``, ``respond_done``), ``fields`` (date, time and
version fields with translated messages), ``notifications`` (``notify``,
``register``: notification rows and their text in the reader's language),
then one module per area's actions (``stage``, ``visits``).

A view for an action reads: parse -> authorise -> ``submit(perform)`` ->
respond. What each step gives you:

* **CSRF** is already checked by ``access``'s gate before the view runs
  (the ``csrf_token`` field or htmx's ``X-CSRFToken`` header, which
  base.html sets on <body>): a request without one gets 400 and the view
  never runs.
* **Scope**: load the object with ``access.visible_factory_by_code_or_404``
  (or another ``visible_*`` of scope.py): outside the user's scope, 404.
  Rules beyond scope ("owners may not", "never the proposer"):
  ``@roles_required(...)`` and ``authorise(condition)``, both 403.
* **Validation**: a Flask-WTF form; field rules as ``validate_<field>``
  with ``lazy_gettext`` messages. ``submit`` answers 422 with your
  ``again()`` (the same template re-rendered from the form: errors next to
  each field, the input kept) and writes nothing.
* **The write**: ``perform()`` runs inside ``db.atomic()``; it returns a
  ``Change`` (action, object, before, after) that ``submit`` writes to the
  audit log in the same transaction, and calls ``notify(...)`` for anyone
  to tell (a row in the same transaction). Raise ``FieldError(field,
  message)`` for a rule only the write can check (422, rolled back).
* **Concurrency**: put ``version = VersionField()`` on the form (drawn from
  the row's ``version`` column) and call ``bump_version(Model, id,
  form.version.data)`` first in ``perform``: a stale form raises ``Stale``,
  ``submit`` answers 409 with the form again and a message in
  ``form.form_errors`` (version refreshed), and nothing is written.
* **The answer**: ``done(change)`` -> ``respond_done(url, partial, target)``:
  303 to the object's page; to htmx, ``partial()`` swapped into ``target``
  (``HX-Retarget``), or ``HX-Redirect`` when there is no partial.
  static/js/app.js lets htmx swap 409 and 422 answers (responseHandling),
  so a form with ``hx-post`` and ``hx-target="this"`` ``hx-swap="outerHTML"``
  shows its errors in place.

Worked example: a new action ``POST /factories/<code>/phone`` that changes a
factory's phone number::

    # actions/phone.py
    class PhoneForm(FlaskForm):
        phone = StringField(_l("Phone"), validators=[Length(max=32)])
        version = VersionField()

    def change_phone(factory, form, user):
        bump_version(Factory, factory.id, form.version.data)   # 409 if stale
        before = {"phone": factory.phone}
        Factory.update(phone=form.phone.data).where(Factory.id == factory.id).execute()
        notify(factory.rep, "phone_changed", url_for("factories.page", code=factory.code),
               actor=user, who=user.display_name, factory=factory.name)
        return Change("factory.phone", "factory", factory.code, before,
                      {"phone": form.phone.data})

    notifications.register("phone_changed", _l("%(who)s changed the phone of %(factory)s."))

    # views/factories.py
    @bp.post("/factories/<code>/phone")
    @roles_required("rep", "manager", "admin")              # owners: 403
    def change_phone(code):
        factory = visible_factory_by_code_or_404(code)      # outside scope: 404
        form = PhoneForm()
        return submit(
            form, lambda: phone.change_phone(factory, form, g.user),
            again=lambda: render_template("factories/_phone_form.html",
                                          factory=factory, form=form),
            done=lambda change: respond_done(
                url_for("factories.page", code=code),
                partial=lambda: factory_partial(code), target="#factory"))

Tests to copy: tests/test_actions.py (every behaviour above, on SQLite and
PostgreSQL).
"""

from actions.core import (STALE_MESSAGE, Change, FieldError, Stale, authorise, bump_version,
                          respond_done, submit)
from actions.fields import DayField, ShanghaiDateTimeField, VersionField
from actions.notifications import notify

__all__ = [
    "Change", "DayField", "FieldError", "STALE_MESSAGE", "ShanghaiDateTimeField", "Stale",
    "VersionField", "authorise", "bump_version", "notify", "respond_done", "submit",
]
