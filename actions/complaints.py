"""Complaint actions (SPEC section 9): filing a complaint, comments and
internal notes, status changes (resolve, reopen), the owner's rating and a
change of assignee. Each form validates; each ``perform`` function runs
inside ``actions.submit``'s transaction and returns the audit ``Change``.

Rules kept here, once:

* ``POST /complaints``: an owner files for their own factory, always on the
  ``board`` channel; staff file for a factory they may see and choose the
  channel (group, visit, phone). The severity defaults to the one the
  category suggests (``models.SUGGESTED_SEVERITY``). The assignee is the
  factory's rep, told at once (with no rep: the region's managers).
* ``.../comments``: anyone who may see the complaint; only staff may write
  an internal note (``internal=1``). The first public staff comment sets
  ``first_response_at`` (and moves an open complaint to in progress).
* ``.../status``: staff. ``resolved`` sets ``resolved_at``; moving a
  resolved complaint back clears it and the rating (a reopen).
* ``.../rating``: an owner of the factory, only while resolved; rating
  again replaces the rating.
* ``.../assignee``: staff who may see the complaint, to a staff member who
  may see its factory; recorded as an internal entry of the thread.

Notifications never carry a comment's text, and an owner is never told
about an internal entry: owners hear only "a reply", "resolved",
"reopened", with no staff name.
"""

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from peewee import IntegrityError
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from actions.core import Change, FieldError, bump_version
from actions.fields import VersionField
from actions.notifications import notify, register
from metrics.escalation import managers_by_region
from models import (COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, SEVERITIES,
                    SUGGESTED_SEVERITY, Complaint, ComplaintEvent, Factory, User, db, utcnow)
from scope import can_see_factory
from labels import CHANNEL_LABELS, SEVERITY_LABELS
from labels import COMPLAINT_CATEGORY_LABELS as CATEGORY_LABELS
from labels import COMPLAINT_STATUS_LABELS as STATUS_LABELS

TITLE_MAX = 200
BODY_MAX = 5000
RATING_COMMENT_MAX = 1000
STAFF_CHANNELS = ("group", "visit", "phone")
CODE_ATTEMPTS = 5

register("complaint_filed", _l("New complaint %(code)s from %(factory)s: %(title)s"))
register("complaint_reply", _l("%(who)s replied on complaint %(code)s: %(title)s"))
register("complaint_owner_reply", _l("There is a reply to your complaint %(code)s: %(title)s"))
register("complaint_note", _l("%(who)s added an internal note on complaint %(code)s"))
register("complaint_status", _l("%(who)s set complaint %(code)s to “%(status)s”"),
         status=STATUS_LABELS)
register("complaint_owner_status", _l("Your complaint %(code)s is now “%(status)s”: %(title)s"),
         status=STATUS_LABELS)
register("complaint_rated", _l("%(factory)s rated complaint %(code)s: %(satisfaction)s of 5"))
register("complaint_assigned", _l("%(who)s gave you complaint %(code)s: %(title)s"))


def _whole_number(value):
    """``value`` as an int, or None when it is not one (the validator then
    says so in the page's language)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _required(message):
    return DataRequired(message=message)


class IntakeForm(FlaskForm):
    """``POST /complaints``: factory (staff; an owner may leave it out),
    category, severity (empty: the category's suggestion), channel (staff),
    title (1-200 characters), body."""

    factory = StringField(_l("Factory code"), validators=[Length(max=32)])
    category = RadioField(_l("What is it about?"), validate_choice=False)
    severity = RadioField(_l("How urgent is it?"), validate_choice=False)
    channel = SelectField(_l("How did it reach us?"), validate_choice=False)
    title = StringField(_l("In one line"), validators=[
        _required(_l("Say in one line what is wrong.")),
        Length(max=TITLE_MAX, message=_l("At most %(max)d characters."))])
    body = TextAreaField(_l("What happened"), validators=[
        Length(max=BODY_MAX, message=_l("At most %(max)d characters."))])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.category.choices = [SelectChoice(code, CATEGORY_LABELS[code])
                                 for code in COMPLAINT_CATEGORIES]
        self.severity.choices = [SelectChoice(code, SEVERITY_LABELS[code]) for code in SEVERITIES]
        self.channel.choices = [SelectChoice(code, CHANNEL_LABELS[code])
                                for code in STAFF_CHANNELS]

    def validate_factory(self, field):
        if self.user.is_staff and not (field.data or "").strip():
            raise ValidationError(_l("Say which factory the complaint is from."))

    def validate_category(self, field):
        if field.data not in COMPLAINT_CATEGORIES:
            raise ValidationError(_l("Choose what the complaint is about."))

    def validate_severity(self, field):
        if not field.data and self.category.data in SUGGESTED_SEVERITY:
            field.data = SUGGESTED_SEVERITY[self.category.data]
        if field.data and field.data not in SEVERITIES:
            raise ValidationError(_l("Choose how urgent it is."))

    def validate_channel(self, field):
        if not self.user.is_staff:
            field.data = "board"  # an owner's complaint is always on the board
        elif field.data not in STAFF_CHANNELS:
            raise ValidationError(_l("Choose how the complaint reached you."))

    def validate_title(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError(_l("Say in one line what is wrong."))


class CommentForm(FlaskForm):
    """``POST /complaints/<code>/comments``: body (1-5,000 characters),
    internal (``1``: an internal note, staff only)."""

    body = TextAreaField(_l("Your reply"), validators=[
        Length(max=BODY_MAX, message=_l("At most %(max)d characters."))])
    internal = HiddenField()

    def validate_body(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError(_l("Write something first."))

    @property
    def is_internal(self):
        return self.internal.data == "1"


class StatusForm(FlaskForm):
    """``POST /complaints/<code>/status``: status, note, and the version the
    form was drawn from."""

    status = SelectField(_l("Status"), validate_choice=False)
    note = TextAreaField(_l("Note (the factory sees it)"), validators=[
        Length(max=BODY_MAX, message=_l("At most %(max)d characters."))])
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(code, STATUS_LABELS[code])
                               for code in COMPLAINT_STATUSES]

    def validate_status(self, field):
        if field.data not in COMPLAINT_STATUSES:
            raise ValidationError(_l("Choose a status."))


class RatingForm(FlaskForm):
    """``POST /complaints/<code>/rating``: satisfaction (1-5), comment."""

    satisfaction = RadioField(_l("How satisfied are you with how it was solved?"),
                              coerce=_whole_number,
                              validate_choice=False,
                              choices=[SelectChoice(n, str(n)) for n in range(5, 0, -1)])
    comment = TextAreaField(_l("Anything to add? (optional)"), validators=[
        Length(max=RATING_COMMENT_MAX, message=_l("At most %(max)d characters."))])
    version = VersionField()

    def validate_satisfaction(self, field):
        if field.data not in range(1, 6):
            raise ValidationError(_l("Choose 1 to 5 stars."))


class AssigneeForm(FlaskForm):
    """``POST /complaints/<code>/assignee``: assignee (a username), note."""

    assignee = SelectField(_l("Assign to"), validate_choice=False)
    note = TextAreaField(_l("Internal note (staff only)"), validators=[
        Length(max=BODY_MAX, message=_l("At most %(max)d characters."))])
    version = VersionField()

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {user.username: user for user in candidates}
        self.assignee.choices = [SelectChoice(user.username, user.display_name)
                                 for user in candidates]

    def validate_assignee(self, field):
        if field.data not in self.candidates:
            raise ValidationError(_l("Choose someone who may see this factory."))


# --- who ------------------------------------------------------------------------

def owners_of(factory_id):
    """The active owner accounts of a factory."""
    return list(User.select().where(User.role == "owner", User.factory == factory_id,
                                    User.is_active == True))  # noqa: E712


def assignee_candidates(factory):
    """The active staff who may see ``factory`` (its rep, the managers who
    see its region, admins), by display name: who a complaint may go to."""
    staff = (User.select().where(User.is_active == True,  # noqa: E712
                                 (User.role.in_(("manager", "admin")))
                                 | (User.id == factory.rep_id))
             .order_by(User.role.desc(), User.display_name))
    return [user for user in staff if can_see_factory(user, factory.id)]


def region_managers(factory):
    by_region, everywhere = managers_by_region()
    ids = by_region.get(factory.region_id) or everywhere
    return list(User.select().where(User.id.in_(ids))) if ids else []


def _link(complaint):
    return url_for("complaints.page", code=complaint.code)


def _event(complaint, user, now, **fields):
    return ComplaintEvent.create(complaint=complaint.id, author=user, created_at=now, **fields)


def _state(complaint):
    """What the audit log records of a complaint."""
    return {"status": complaint.status, "assignee": complaint.assignee_id,
            "first_response_at": complaint.first_response_at,
            "resolved_at": complaint.resolved_at, "satisfaction": complaint.satisfaction,
            "rating_comment": complaint.rating_comment}


def _reload(complaint):
    """The complaint as it is now, inside the write's transaction."""
    return Complaint.get_by_id(complaint.id)


# --- the actions -----------------------------------------------------------------

def file(factory, form, user):
    """A new complaint of ``factory`` (already scope-checked) from ``form``;
    returns the ``Change`` (its ``object_id`` is the new code)."""
    now = utcnow()
    values = dict(factory=factory.id, category=form.category.data,
                  severity=form.severity.data, channel=form.channel.data,
                  title=form.title.data, body=(form.body.data or "").strip(),
                  status="open", assignee=factory.rep_id, filed_by=user.id, created_at=now)
    complaint = None
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with db.atomic():  # a savepoint: a taken code is drawn again
                complaint = Complaint.create(code=Complaint.new_code(now), **values)
            break
        except IntegrityError:
            if not Factory.select().where(Factory.id == factory.id).exists():
                raise FieldError("factory", _l("That factory no longer exists.")) from None
    if complaint is None:
        raise FieldError("title", _l("Please send the form again."))
    _event(complaint, user, now, to_status="open")
    recipients = [factory.rep] if factory.rep_id else region_managers(factory)
    for recipient in recipients:
        notify(recipient, "complaint_filed", _link(complaint), actor=user,
               code=complaint.code, factory=factory.name, title=complaint.title)
    after = {key: values[key] for key in ("category", "severity", "channel", "title", "body",
                                          "status")}
    after.update(factory=factory.code, assignee=factory.rep_id)
    return Change("complaint.filed", "complaint", complaint.code, None, after)


def comment(complaint, form, user):
    """A comment or (staff) an internal note on ``complaint``."""
    internal = form.is_internal and user.is_staff  # the view refuses an owner's note (403)
    now = utcnow()
    current = _reload(complaint)
    staff_reply = user.is_staff and not internal
    if staff_reply and current.first_response_at is None:
        # Claim the row, then read it again: two first replies at once must
        # not both set the first response and move the status twice.
        bump_version(Complaint, current.id, None)
        current = _reload(complaint)
    before = _state(current)
    _event(current, user, now, body=form.body.data, internal=internal)
    if staff_reply and current.first_response_at is None:
        changes = {"first_response_at": now}
        if current.status == "open":
            changes["status"] = "in_progress"
        Complaint.update(**changes).where(Complaint.id == current.id).execute()
        if "status" in changes:
            _event(current, user, now, from_status="open", to_status="in_progress")
    after = _state(_reload(complaint))
    link = _link(current)
    if internal:
        notify(current.assignee, "complaint_note", link, actor=user, who=user.display_name,
               code=current.code)
    elif user.is_staff:
        for owner in owners_of(current.factory_id):
            notify(owner, "complaint_owner_reply", link, actor=user, code=current.code,
                   title=current.title)
        notify(current.assignee, "complaint_reply", link, actor=user, who=user.display_name,
               code=current.code, title=current.title)
    else:
        notify(current.assignee, "complaint_reply", link, actor=user, who=user.display_name,
               code=current.code, title=current.title)
    return Change("complaint.note" if internal else "complaint.comment", "complaint",
                  current.code, before, dict(after, comment_internal=internal))


def set_status(complaint, form, user):
    """Move ``complaint`` to ``form.status``: resolve, reopen, or between
    open and in progress."""
    bump_version(Complaint, complaint.id, form.version.data)
    current = _reload(complaint)
    target = form.status.data
    if target == current.status:
        raise FieldError("status", _l("The complaint is already “%(status)s”.",
                                      status=STATUS_LABELS[target]))
    now = utcnow()
    before = _state(current)
    changes = {"status": target}
    if target == "resolved":
        changes["resolved_at"] = now
    elif current.status == "resolved":  # a reopen: the rating goes with the resolution
        changes.update(resolved_at=None, satisfaction=None, rating_comment="", rated_at=None)
    Complaint.update(**changes).where(Complaint.id == current.id).execute()
    _event(current, user, now, from_status=current.status, to_status=target,
           body=(form.note.data or "").strip())
    link = _link(current)
    if target == "resolved" or current.status == "resolved":
        for owner in owners_of(current.factory_id):
            notify(owner, "complaint_owner_status", link, actor=user, code=current.code,
                   status=target, title=current.title)
    notify(current.assignee, "complaint_status", link, actor=user, who=user.display_name,
           code=current.code, status=target)
    action = ("complaint.resolved" if target == "resolved"
              else "complaint.reopened" if current.status == "resolved" else "complaint.status")
    return Change(action, "complaint", current.code, before, _state(_reload(current)))


def rate(complaint, form, user):
    """The owner's 1-5 rating of a resolved complaint (again: replaced)."""
    bump_version(Complaint, complaint.id, form.version.data)
    current = _reload(complaint)
    if current.status != "resolved":
        raise FieldError("satisfaction", _l("Only a resolved complaint can be rated."))
    now = utcnow()
    before = _state(current)
    words = (form.comment.data or "").strip()
    Complaint.update(satisfaction=form.satisfaction.data, rating_comment=words,
                     rated_at=now).where(Complaint.id == current.id).execute()
    _event(current, user, now, satisfaction=form.satisfaction.data, body=words)
    factory = Factory.get_by_id(current.factory_id)
    notify(current.assignee, "complaint_rated", _link(current), actor=user,
           factory=factory.name, code=current.code, satisfaction=form.satisfaction.data)
    return Change("complaint.rated", "complaint", current.code, before,
                  _state(_reload(current)))


def reassign(complaint, form, user):
    """Give ``complaint`` to ``form.assignee`` (an internal entry)."""
    bump_version(Complaint, complaint.id, form.version.data)
    current = _reload(complaint)
    target = form.candidates[form.assignee.data]
    if target.id == current.assignee_id:
        raise FieldError("assignee", _l("The complaint is already with %(name)s.",
                                        name=target.display_name))
    now = utcnow()
    before = _state(current)
    Complaint.update(assignee=target.id).where(Complaint.id == current.id).execute()
    _event(current, user, now, internal=True, from_assignee=current.assignee_id,
           to_assignee=target.id, body=(form.note.data or "").strip())
    notify(target, "complaint_assigned", _link(current), actor=user, who=user.display_name,
           code=current.code, title=current.title)
    return Change("complaint.assigned", "complaint", current.code, before,
                  _state(_reload(current)))


__all__ = ["AssigneeForm", "CommentForm", "IntakeForm", "RatingForm", "StatusForm",
           "assignee_candidates", "comment", "file", "owners_of", "rate", "reassign",
           "set_status"]
