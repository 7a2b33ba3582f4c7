"""Stage moves, ``POST /factories/<code>/stage`` (SPEC section 9).

A factory moves to a later stage (skipped stages stay unentered), to
``lost`` from any stage before ``live``, or back to ``lead`` from ``lost``
(a reopen: pipeline n + 1, see migration 007). ``entered_on`` defaults to
today and is neither after today nor before the current stage's date;
``note`` is required for ``lost``. The factory's rep is told when someone
else moves it.
"""

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from actions.core import Change, FieldError, bump_version
from actions.fields import DayField, VersionField
from actions.notifications import notify
from labels import STAGE_LABELS
from metrics.period import shanghai_today
from metrics.stage_spans import current_stage
from models import LOST_STAGE, STAGES, Factory, StageEvent, utcnow

NOTE_MAX = 2000


def allowed_moves(current):
    """The stages a factory at ``current`` may move to, in order."""
    if current is None:
        return STAGES
    if current.stage == LOST_STAGE:
        return ("lead",)
    if current.stage == "live":
        return ()
    later = STAGES[STAGES.index(current.stage) + 1:]
    return later + (LOST_STAGE,)


def next_stage(current):
    """The one move the big button offers: the next stage, or a reopen."""
    moves = allowed_moves(current)
    return moves[0] if moves else None


class StageForm(FlaskForm):
    """``stage``, ``entered_on``, ``note`` and the factory's ``version``."""

    stage = SelectField(_l("New stage"), validate_choice=False)
    entered_on = DayField(_l("Entered on"))
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX, message=_l(
        "At most %(max)d characters."))])
    version = VersionField()

    def __init__(self, factory, current, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.factory, self.current, self.today = factory, current, shanghai_today()
        self.stage.choices = [(stage, STAGE_LABELS[stage]) for stage in allowed_moves(current)]
        if not self.version.raw_data:  # drawn fresh, or a client that sends no version
            self.version.data = factory.version

    def validate_stage(self, field):
        if field.data not in dict(self.stage.choices):
            raise ValidationError(_l("This factory cannot move to this stage now."))

    def validate_entered_on(self, field):
        field.data = field.data or self.today
        if field.data > self.today:
            raise ValidationError(_l("The date cannot be after today."))
        if self.current and field.data < self.current.entered_on:
            raise ValidationError(_l("The date cannot be before the current stage's date (%(day)s).",
                                     day=self.current.entered_on.isoformat()))

    def validate_note(self, field):
        field.data = (field.data or "").strip()
        if self.stage.data == LOST_STAGE and not field.data:
            raise ValidationError(_l("Say why the factory was lost."))


def move(factory, form, user):
    """Write the move (inside ``submit``'s transaction): claim the factory's
    version, enter the stage, tell the rep. Returns the audit ``Change``."""
    bump_version(Factory, factory.id, form.version.data)
    current = current_stage(factory.id)  # the factory is ours now: read it again
    stage, day = form.stage.data, form.entered_on.data
    if stage not in allowed_moves(current):
        raise FieldError("stage", _l("This factory cannot move to this stage now."))
    if current and day < current.entered_on:
        raise FieldError("entered_on", _l("The date cannot be before the current stage's date "
                                          "(%(day)s).", day=current.entered_on.isoformat()))
    pipeline = 1 if current is None else current.pipeline + (stage == "lead")
    StageEvent.create(factory=factory, stage=stage, entered_on=day, pipeline=pipeline,
                      note=form.note.data, moved_by=user, created_at=utcnow())
    notify(factory.rep, "stage_moved", url_for("factories.page", code=factory.code),
           actor=user, who=user.display_name, factory=factory.name, stage=stage)
    before = None if current is None else {
        "stage": current.stage, "entered_on": current.entered_on, "pipeline": current.pipeline}
    after = {"stage": stage, "entered_on": day, "pipeline": pipeline, "note": form.note.data}
    return Change("factory.stage", "factory", factory.code, before, after)
