"""The admin area's forms: users, passwords, API tokens, regions and the
audit log's filters. Validation errors are shown next to their field and the
user's input is kept."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, PasswordField, SelectField,
                     SelectMultipleField, StringField)
from wtforms.validators import (DataRequired, EqualTo, Length, NumberRange, Optional, Regexp,
                                ValidationError)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from access import MIN_PASSWORD_LENGTH
from metrics.period import EARLIEST_DATE, LATEST_DATE
from models import ROLES, Factory, Region, User

ROLE_LABELS = {
    "rep": _l("Field rep"),
    "manager": _l("Regional manager"),
    "owner": _l("Factory owner"),
    "admin": _l("Admin"),
}
USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]{2,64}$"
CODE_PATTERN = r"^[A-Za-z0-9_\-]{1,32}$"
PHONE_PATTERN = r"^[0-9+\-() ]{0,32}$"
EMAIL_PATTERN = r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$"
MAX_PAGE = 1_000_000  # a larger page number would overflow the query's OFFSET


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes (easy to tap on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    """Create or edit a user. ``username`` is only editable on creation."""

    username = StringField(_l("Username"), validators=[
        DataRequired(), Regexp(USERNAME_PATTERN, message=_l(
            "2 to 64 letters, digits, dots, dashes or underscores."))])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES])
    regions = CheckboxList(_l("Regions"), coerce=int, validators=[Optional()])
    all_regions = BooleanField(_l("All regions (managers: oversees every region)"))
    factory_code = StringField(_l("Factory code (owners only)"),
                               validators=[Optional(), Length(max=32)])
    email = StringField(_l("Email"), validators=[
        Length(max=254), Regexp(EMAIL_PATTERN, message=_l("Not an email address."))])
    phone = StringField(_l("Phone"), validators=[
        Length(max=32), Regexp(PHONE_PATTERN, message=_l("Digits, spaces and + - ( ) only."))])
    is_active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(_l("Initial password"), validators=[
        Optional(), Length(min=MIN_PASSWORD_LENGTH, max=256, message=_l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH))])

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.regions.choices = [SelectChoice(region.id, f"{region.code} · {region.name_zh}")
                                for region in Region.select().order_by(Region.code)]
        self.factory = None

    def validate_username(self, field):
        if self.editing is not None:
            return
        if User.select().where(User.username == field.data).exists():
            raise ValidationError(_l("This username is taken."))

    def validate_factory_code(self, field):
        code = (field.data or "").strip()
        if self.role.data != "owner":
            return
        if not code:
            raise ValidationError(_l("A factory owner needs a factory code."))
        self.factory = Factory.get_or_none(Factory.code == code)
        if self.factory is None:
            raise ValidationError(_l("No factory has this code."))

    def validate_all_regions(self, field):
        """A manager with no region sees everything (SPEC section 1), so
        that must be chosen, never the result of forgetting to tick one."""
        if self.role.data != "manager":
            return
        if field.data and self.regions.data:
            raise ValidationError(_l("Tick either some regions or all regions, not both."))
        if not field.data and not self.regions.data:
            raise ValidationError(_l("Tick the regions this manager oversees, or all regions."))

    def validate_role(self, field):
        if self.editing is not None and self.editing.get("self") and field.data != "admin":
            raise ValidationError(_l("You cannot take the admin role from yourself."))

    def validate_is_active(self, field):
        if self.editing is not None and self.editing.get("self") and not field.data:
            raise ValidationError(_l("You cannot disable your own account."))


class PasswordResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256, message=_l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name (what it is for)"),
                       validators=[DataRequired(), Length(max=100)])


class RegionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[
        DataRequired(), Regexp(CODE_PATTERN, message=_l(
            "1 to 32 letters, digits, dashes or underscores."))])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=100)])
    province = StringField(_l("Province"), validators=[DataRequired(), Length(max=50)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=50)])
    industry_zh = StringField(_l("Industry (Chinese)"), validators=[DataRequired(), Length(max=100)])
    industry_en = StringField(_l("Industry (English)"), validators=[DataRequired(), Length(max=100)])

    def __init__(self, *args, region_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_id = region_id

    def validate_code(self, field):
        query = Region.select().where(Region.code == field.data)
        if self.region_id is not None:
            query = query.where(Region.id != self.region_id)
        if query.exists():
            raise ValidationError(_l("Another region has this code."))


def within_app_dates(form, field):
    """A date the app can compute with (``metrics.period``'s range)."""
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(_l("Choose a date between %(first)s and %(last)s.",
                                 first=EARLIEST_DATE.isoformat(), last=LATEST_DATE.isoformat()))


class AuditFilterForm(FlaskForm):
    """The audit log's filters (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    user = StringField(_l("User"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional(), within_app_dates])
    date_to = DateField(_l("To"), validators=[Optional(), within_app_dates])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)], default=1)

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()],
                       choices=[SelectChoice("", _l("All roles"))]
                       + [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any status")), SelectChoice("active", _l("Active")),
        SelectChoice("disabled", _l("Disabled"))])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)], default=1)
