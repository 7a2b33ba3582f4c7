"""The admin area: the admin's home, users, regions, API tokens and the
audit log. Admins only (``roles_required("admin")`` on every view).

Every change is written to the audit log with the state before and after,
in the same transaction as the change."""

import datetime
import math
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from peewee import JOIN, IntegrityError, fn
from wtforms.fields.choices import SelectChoice

import audit
from access import issue_api_token, revoke_sessions, roles_required
from models import (ROLES, ApiToken, AuditLog, Factory, LoginSession, Region, User, UserRegion,
                    db, utcnow)
from views.admin_audit import action_label, targets
from views.admin_forms import (ROLE_LABELS, AuditFilterForm, PasswordResetForm, RegionForm,
                               TokenForm, UserFilterForm, UserForm)
from views.rendering import render_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50
SHANGHAI = ZoneInfo("Asia/Shanghai")
USER_FIELDS = ("display_name", "role", "email", "phone", "is_active")
REGION_FIELDS = ("code", "name_zh", "name_en", "province", "city", "industry_zh", "industry_en")


@bp.context_processor
def admin_helpers():
    """Helpers for the admin templates."""
    return {"url_with": url_with, "page_url": lambda number: url_with(page=number),
            "role_labels": ROLE_LABELS, "action_label": action_label}


def url_with(**changes):
    """The current URL with some query parameters changed (empty ones dropped)."""
    args = {key: value for key, value in request.args.items() if value}
    args.update({key: value for key, value in changes.items()})
    args = {key: value for key, value in args.items() if value not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def paginate(query, page, per_page=PER_PAGE):
    """(rows, page, pages, total) for ``query``, page 1-based and clamped."""
    total = query.count()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page or 1), pages)
    return list(query.paginate(page, per_page)), page, pages, total


# --- home -------------------------------------------------------------------------

@bp.get("/")
@roles_required("admin")
def index():
    """The admin's home: what there is, and where to manage it."""
    by_role = dict(User.select(User.role, fn.COUNT(User.id)).where(User.is_active)
                   .group_by(User.role).tuples())
    counts = {
        "users": {role: by_role.get(role, 0) for role in ROLES},
        "disabled": User.select().where(~User.is_active).count(),
        "regions": Region.select().count(),
        "factories": Factory.select().count(),
    }
    recent = list(AuditLog.select().order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(10))
    return render_page("admin/index.html", counts=counts, recent=recent, targets=targets(recent))


# --- users --------------------------------------------------------------------------

@bp.get("/users")
@roles_required("admin")
def users():
    """Every user, searchable by name, filterable by role and status."""
    form = UserFilterForm(formdata=request.args)
    query = User.select(User, Factory).join(Factory, on=(User.factory == Factory.id),
                                            join_type=JOIN.LEFT_OUTER)
    if form.validate():
        if form.q.data:
            needle = f"%{form.q.data.strip()}%"
            query = query.where(User.username ** needle | User.display_name ** needle)
        if form.role.data:
            query = query.where(User.role == form.role.data)
        if form.status.data:
            query = query.where(User.is_active == (form.status.data == "active"))
    rows, page, pages, total = paginate(query.order_by(User.username), form.page.data)
    regions = _regions_of([user.id for user in rows])
    return render_page("admin/users.html", partial="results", form=form, rows=rows,
                       regions=regions, page=page, pages=pages, total=total)


def _regions_of(user_ids):
    """{user id: [region codes]} for the users listed."""
    found = {}
    links = (UserRegion.select(UserRegion.user, Region.code).join(Region)
             .where(UserRegion.user.in_(user_ids)).order_by(Region.code).tuples())
    for user_id, code in links:
        found.setdefault(user_id, []).append(code)
    return found


def _user_state(user):
    """What the audit log records about a user (never the password hash)."""
    state = {field: getattr(user, field) for field in USER_FIELDS}
    state["factory"] = user.factory.code if user.factory_id else None
    state["regions"] = sorted(code for (code,) in Region.select(Region.code).join(UserRegion)
                              .where(UserRegion.user == user.id).tuples())
    return state


def _apply_user_form(user, form):
    """Copy the form onto ``user`` and save it and its regions."""
    user.display_name = form.display_name.data.strip()
    user.role = form.role.data
    user.email = (form.email.data or "").strip()
    user.phone = (form.phone.data or "").strip()
    user.factory = form.factory if form.role.data == "owner" else None
    user.save()
    UserRegion.delete().where(UserRegion.user == user.id).execute()
    for region_id in sorted(set(form.regions.data or [])):  # none: all (a manager)
        UserRegion.create(user=user, region=region_id)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_new():
    """Create a user (with an optional first password)."""
    form = UserForm()
    if form.validate_on_submit():
        user = User(username=form.username.data.strip(), is_active=form.is_active.data)
        if form.password.data:
            user.set_password(form.password.data)
        try:
            with db.atomic():
                _apply_user_form(user, form)
                audit.record("user.created", object_type="user", object_id=user.id,
                             after=_user_state(user))
        except IntegrityError:
            form.username.errors.append(_("This username is taken."))
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_page("admin/user_new.html", form=form), status


def _user_or_404(user_id):
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


def _user_page(user, form=None, password_form=None, token_form=None, new_token=None,
               status=200):
    """The user's page: details form, password reset and API tokens."""
    if form is None:
        form = UserForm(obj=user, editing={"self": user.id == g.user.id})
        form.username.data = user.username
        form.factory_code.data = user.factory.code if user.factory_id else ""
        form.regions.data = [region_id for (region_id,) in UserRegion.select(UserRegion.region)
                             .where(UserRegion.user == user.id).tuples()]
        form.all_regions.data = user.role == "manager" and not form.regions.data
    tokens = list(ApiToken.select().where(ApiToken.user == user.id)
                  .order_by(ApiToken.created_at.desc()))
    sessions_open = LoginSession.select().where(LoginSession.user == user.id,
                                                LoginSession.revoked_at.is_null()).count()
    return render_page("admin/user_edit.html", user=user, form=form,
                       password_form=password_form or PasswordResetForm(formdata=None,
                                                                         prefix="pw"),
                       token_form=token_form or TokenForm(formdata=None, prefix="token"),
                       tokens=tokens,
                       new_token=new_token, sessions_open=sessions_open), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id):
    """Edit a user's details, role, regions, factory and status."""
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _user_page(user)
    form = UserForm(editing={"self": user.id == g.user.id})
    form.username.data = user.username  # not editable
    if not form.validate():
        return _user_page(user, form=form, status=400)
    before = _user_state(user)
    with db.atomic():
        was_active = user.is_active
        user.is_active = form.is_active.data
        _apply_user_form(user, form)
        ended = revoked = 0
        if was_active and not user.is_active:
            # For good: enabling the user again brings no session or token back.
            ended = revoke_sessions(user)
            revoked = ApiToken.update(revoked_at=utcnow()).where(
                ApiToken.user == user.id, ApiToken.revoked_at.is_null()).execute()
        after = _user_state(user)
        audit.record("user.updated", object_type="user", object_id=user.id,
                     before=before, after=after,
                     detail=(f"sessions ended: {ended}, API tokens revoked: {revoked}"
                             if ended or revoked else ""))
    flash(_("Changes to %(name)s saved.", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/password")
@roles_required("admin")
def user_password(user_id):
    """Set a new password for a user; all their sessions end."""
    user = _user_or_404(user_id)
    form = PasswordResetForm(prefix="pw")
    if not form.validate():
        return _user_page(user, password_form=form, status=400)
    user.set_password(form.new_password.data)
    with db.atomic():
        User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
        ended = revoke_sessions(user, keep_current=user.id == g.user.id)
        audit.record("user.password_reset", object_type="user", object_id=user.id,
                     detail=f"sessions ended: {ended}")
    flash(_("New password set for %(name)s. They are signed out everywhere.",
            name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/tokens")
@roles_required("admin")
def token_new(user_id):
    """Issue an API token; its text is shown once, on this answer only."""
    user = _user_or_404(user_id)
    form = TokenForm(prefix="token")
    if not form.validate():
        return _user_page(user, token_form=form, status=400)
    with db.atomic():
        row, token = issue_api_token(user, form.name.data.strip(), g.user)
        audit.record("token.issued", object_type="api_token", object_id=row.id,
                     after={"user": user.username, "name": row.name})
    return _user_page(user, new_token=token)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@roles_required("admin")
def token_revoke(user_id, token_id):
    """Revoke an API token: requests with it get 401 from now on."""
    row = ApiToken.get_or_none(ApiToken.id == token_id, ApiToken.user == user_id)
    if row is None:
        abort(404)
    if row.revoked_at is None:
        with db.atomic():
            ApiToken.update(revoked_at=utcnow()).where(ApiToken.id == row.id).execute()
            audit.record("token.revoked", object_type="api_token", object_id=row.id,
                         before={"revoked": False}, after={"revoked": True},
                         detail=row.name)
    flash(_("Token “%(name)s” revoked.", name=row.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id), code=303)


# --- regions ------------------------------------------------------------------------

@bp.get("/regions")
@roles_required("admin")
def regions():
    """Every region with its number of factories."""
    rows = (Region.select(Region, fn.COUNT(Factory.id).alias("factory_count"))
            .join(Factory, join_type=JOIN.LEFT_OUTER).group_by(Region.id).order_by(Region.code))
    return render_page("admin/regions.html", rows=list(rows))


def _region_state(region):
    return {field: getattr(region, field) for field in REGION_FIELDS}


@bp.route("/regions/new", methods=["GET", "POST"])
@roles_required("admin")
def region_new():
    """Create a region."""
    form = RegionForm()
    if form.validate_on_submit():
        region = Region(**{field: form[field].data.strip() for field in REGION_FIELDS})
        try:
            with db.atomic():
                region.save()
                audit.record("region.created", object_type="region", object_id=region.id,
                             after=_region_state(region))
        except IntegrityError:
            form.code.errors.append(_("Another region has this code."))
        else:
            flash(_("Region %(code)s created.", code=region.code), "success")
            return redirect(url_for("admin.regions"), code=303)
    status = 400 if request.method == "POST" else 200
    return render_page("admin/region_form.html", form=form, region=None), status


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
@roles_required("admin")
def region_edit(region_id):
    """Edit a region."""
    region = Region.get_or_none(Region.id == region_id)
    if region is None:
        abort(404)
    form = RegionForm(obj=region, region_id=region.id)
    if form.validate_on_submit():
        before = _region_state(region)
        for field in REGION_FIELDS:
            setattr(region, field, form[field].data.strip())
        try:
            with db.atomic():
                region.save()
                audit.record("region.updated", object_type="region", object_id=region.id,
                             before=before, after=_region_state(region))
        except IntegrityError:
            form.code.errors.append(_("Another region has this code."))
        else:
            flash(_("Region %(code)s saved.", code=region.code), "success")
            return redirect(url_for("admin.regions"), code=303)
    status = 400 if request.method == "POST" else 200
    return render_page("admin/region_form.html", form=form, region=region), status


# --- audit log ----------------------------------------------------------------------

def shanghai_day_bounds(day):
    """The naive-UTC start of an Asia/Shanghai calendar day."""
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=SHANGHAI)
    return start.astimezone(datetime.timezone.utc).replace(tzinfo=None)


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    """The audit log, newest first, filtered by user, action and dates."""
    form = AuditFilterForm(formdata=request.args)
    actions = [action for (action,) in AuditLog.select(AuditLog.action).distinct()
               .order_by(AuditLog.action).tuples()]
    form.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(action, action_label(action)) for action in actions]
    query = AuditLog.select()
    if form.validate():
        if form.user.data:
            query = query.where(AuditLog.username == form.user.data.strip())
        if form.action.data:
            query = query.where(AuditLog.action == form.action.data)
        if form.date_from.data:
            query = query.where(AuditLog.at >= shanghai_day_bounds(form.date_from.data))
        if form.date_to.data:
            query = query.where(AuditLog.at < shanghai_day_bounds(
                form.date_to.data + datetime.timedelta(days=1)))
    else:
        query = query.where(False)
    rows, page, pages, total = paginate(
        query.order_by(AuditLog.at.desc(), AuditLog.id.desc()), form.page.data)
    return render_page("admin/audit.html", partial="results", form=form, rows=rows,
                       targets=targets(rows), page=page, pages=pages, total=total)
