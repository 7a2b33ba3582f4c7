"""Visits, ``POST /factories/<code>/visits`` (SPEC section 9).

The visit is the signed-in user's. ``visited_at`` defaults to now, is not
in the future nor more than 30 days back; ``next_action_on`` is not before
the visit's date. An optional check-in (``latitude``, ``longitude``,
``accuracy`` in metres, from the browser's geolocation) comes as a whole or
not at all. ``client_key`` (optional, made by the browser) makes a second
delivery of the same form a success without a second row. The factory's rep
is told when someone else logs a visit there.
"""

import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from peewee import IntegrityError
from wtforms import FloatField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, Regexp, ValidationError

from actions.core import Change, FieldError
from actions.fields import DayField, ShanghaiDateTimeField
from actions.notifications import notify
from labels import VISIT_PURPOSE_LABELS
from metrics.period import shanghai_date
from models import VISIT_PURPOSES, Visit, db, utcnow

NOTES_MAX = 5000
MAX_AGE_DAYS = 30
CLOCK_SKEW = datetime.timedelta(minutes=5)  # a phone's clock a little ahead is not "the future"


class VisitForm(FlaskForm):
    """The visit's fields; the check-in and the client key are optional."""

    visited_at = ShanghaiDateTimeField(_l("When"))
    purpose = RadioField(_l("Purpose"), validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=NOTES_MAX, message=_l(
        "At most %(max)d characters."))])
    next_action_on = DayField(_l("Next action on"))
    latitude = FloatField(validators=[Optional(), NumberRange(-90, 90, message=_l(
        "Not a position on Earth."))])
    longitude = FloatField(validators=[Optional(), NumberRange(-180, 180, message=_l(
        "Not a position on Earth."))])
    accuracy = FloatField(validators=[Optional(), NumberRange(0, 100_000, message=_l(
        "Not a position on Earth."))])
    client_key = StringField(validators=[Optional(), Regexp(
        r"^[A-Za-z0-9_\-]{8,64}$", message=_l("Not a valid key."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose.choices = [(code, VISIT_PURPOSE_LABELS[code]) for code in VISIT_PURPOSES]
        self.now = utcnow()

    def validate_visited_at(self, field):
        field.data = field.data or self.now
        if field.data > self.now + CLOCK_SKEW:
            raise ValidationError(_l("The visit cannot be in the future."))
        if field.data < self.now - datetime.timedelta(days=MAX_AGE_DAYS):
            raise ValidationError(_l("The visit cannot be more than %(days)d days ago.",
                                     days=MAX_AGE_DAYS))

    def validate_purpose(self, field):
        if field.data not in VISIT_PURPOSES:
            raise ValidationError(_l("Choose what the visit was for."))

    def validate_next_action_on(self, field):
        moment = self.visited_at.data
        if field.data and moment and field.data < shanghai_date(moment):
            raise ValidationError(_l("The next action cannot be before the visit."))

    def validate_latitude(self, field):
        given = [f.data is not None for f in (self.latitude, self.longitude)]
        if any(given) and not all(given):
            raise ValidationError(_l("A check-in needs both latitude and longitude."))


def log(factory, form, user):
    """Write the visit (inside ``submit``'s transaction) and tell the rep.
    Returns the audit ``Change``, or None when ``client_key`` shows this
    visit was logged already."""
    key = form.client_key.data or None
    if key and _logged_already(key, factory, user):
        return None
    values = dict(factory=factory, rep=user, visited_at=form.visited_at.data,
                  purpose=form.purpose.data, notes=(form.notes.data or "").strip(),
                  next_action_on=form.next_action_on.data, latitude=form.latitude.data,
                  longitude=form.longitude.data,
                  accuracy_m=form.accuracy.data if form.latitude.data is not None else None,
                  client_key=key)
    try:
        with db.atomic():  # a savepoint: PostgreSQL's transaction survives the error
            visit = Visit.create(**values)
    except IntegrityError as error:
        if key and _logged_already(key, factory, user):
            return None
        raise FieldError("visited_at", _l(
            "You already logged a visit to this factory at this time.")) from error
    notify(factory.rep, "visit_logged", url_for("factories.page", code=factory.code),
           actor=user, who=user.display_name, factory=factory.name, purpose=visit.purpose)
    after = {key_: values[key_] for key_ in ("visited_at", "purpose", "notes", "next_action_on",
                                             "latitude", "longitude", "accuracy_m")}
    after["factory"] = factory.code
    return Change("visit.logged", "visit", visit.id, None, after)


def _logged_already(key, factory, user):
    """True when a visit with ``key`` exists for this factory and user; a
    key of someone else's visit is refused (never a hint about that row)."""
    existing = Visit.get_or_none(Visit.client_key == key)
    if existing is None:
        return False
    if existing.factory_id != factory.id or existing.rep_id != user.id:
        raise FieldError("client_key", _l("Not a valid key."))
    return True
