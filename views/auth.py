"""Signing in and out, and changing one's own password.

Failed logins are counted in the rate limiter's storage (Redis when
configured, so every worker shares the count); only failures count:

* per account *and* address together (``LOGIN_LIMIT_PER_ACCOUNT``) and per
  address (``LOGIN_LIMIT_PER_ADDRESS``): past either, that address gets 429,
  even with the right password, until the window passes. Someone guessing
  from one address therefore cannot lock the account for its owner, who
  signs in from another;
* per account from every address (``LOGIN_ACCOUNT_CEILING``): past it, each
  attempt for the account waits ``LOGIN_SLOWDOWN_SECONDS`` first. A spread
  guessing attack is slowed to a crawl and the owner still gets in.

Each refusal and each slowed attempt is logged and audited.
"""

import math
import time

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from limits import parse
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

import audit
from access import (MIN_PASSWORD_LENGTH, end_login_session, home_endpoint, public, revoke_sessions,
                    safe_next, start_login_session)
from extensions import limiter
from models import User, db

bp = Blueprint("auth", __name__)

# Checked against when the username is unknown, so a wrong name takes as
# long as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = None


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256,
                                           message=_l("At least %(n)s characters.",
                                                      n=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))])


def _login_limits(username):
    """(limit, scope, key) for the account from this address, the address,
    and the account from anywhere (the ceiling, which slows, never locks)."""
    config = current_app.config
    address = request.remote_addr or ""
    return [
        (parse(config["LOGIN_LIMIT_PER_ACCOUNT"]), "login-account-address",
         f"{username.lower()}|{address}"),
        (parse(config["LOGIN_LIMIT_PER_ADDRESS"]), "login-address", address),
        (parse(config["LOGIN_ACCOUNT_CEILING"]), "login-account", username.lower()),
    ]


def _over_ceiling(username):
    """True when the account's failures from every address together passed
    ``LOGIN_ACCOUNT_CEILING`` (storage outages count as not)."""
    try:
        item, scope, key = _login_limits(username)[2]
        return not limiter.limiter.test(item, scope, key)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("login rate limit storage unavailable")
        return False


def _seconds_until_allowed(username):
    """0 when a login attempt may be made, else seconds to wait. If the
    limit storage (Redis) is unreachable, signing in still works: the error
    is logged and the attempt allowed."""
    wait = 0
    try:
        for item, scope, key in _login_limits(username)[:2]:
            if not limiter.limiter.test(item, scope, key):
                stats = limiter.limiter.get_window_stats(item, scope, key)
                wait = max(wait, math.ceil(stats.reset_time - time.time()), 1)
    except Exception:  # noqa: BLE001 - a storage outage must not lock everyone out
        current_app.logger.exception("login rate limit storage unavailable")
        return 0
    return wait


def _count_failure(username):
    try:
        for item, scope, key in _login_limits(username):
            limiter.limiter.hit(item, scope, key)
    except Exception:  # noqa: BLE001
        current_app.logger.exception("login rate limit storage unavailable")


def _password_change_limit(user):
    """A stolen session may guess the current password as often as a
    stranger may guess it at the login form: ``LOGIN_LIMIT_PER_ACCOUNT``."""
    return parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]), "password-change", str(user.id)


def _password_change_wait(user):
    """Seconds until this user may try their current password again (0: now)."""
    item, scope, key = _password_change_limit(user)
    try:
        if limiter.limiter.test(item, scope, key):
            return 0
        stats = limiter.limiter.get_window_stats(item, scope, key)
        return max(math.ceil(stats.reset_time - time.time()), 1)
    except Exception:  # noqa: BLE001 - a storage outage must not lock everyone out
        current_app.logger.exception("password change rate limit storage unavailable")
        return 0


def _count_password_change_failure(user):
    try:
        limiter.limiter.hit(*_password_change_limit(user))
    except Exception:  # noqa: BLE001
        current_app.logger.exception("password change rate limit storage unavailable")


def _check_password(user, password):
    """True for the right password of an active user; constant work otherwise."""
    global _DUMMY_HASH
    if user is None or not user.password_hash:
        if _DUMMY_HASH is None:
            probe = User()
            probe.set_password("not-a-real-password")
            _DUMMY_HASH = probe.password_hash
        User(password_hash=_DUMMY_HASH).check_password(password)
        return False
    return user.check_password(password) and user.is_active


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """The sign-in page; a signed-in user is sent to their home."""
    user = g.get("user")
    if user is not None and request.method == "GET":
        return redirect(url_for(home_endpoint(user)))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if request.args.get("expired"):
            flash(_("Your session has ended. Please sign in again."), "info")
    status = 200
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        if _over_ceiling(username):
            current_app.logger.warning("sign-ins for %r slowed: too many failures", username)
            with db.atomic():
                audit.record("login.slowed", username=username[:64],
                             detail=f"{request.remote_addr or ''}")
            time.sleep(float(current_app.config["LOGIN_SLOWDOWN_SECONDS"]))
        wait = _seconds_until_allowed(username)
        if wait:
            current_app.logger.warning("sign-in for %r from %s refused: too many failures",
                                       username, request.remote_addr)
            with db.atomic():
                audit.record("login.throttled", username=username[:64],
                             detail=f"{request.remote_addr or ''}")
            error = _("Too many failed sign-ins. Try again in %(minutes)d minutes.",
                      minutes=max(1, math.ceil(wait / 60)))
            status = 429
        else:
            account = User.get_or_none(User.username == username)
            if _check_password(account, form.password.data):
                start_login_session(account)
                with db.atomic():
                    audit.record("login.success", user=account, object_type="user",
                                 object_id=account.id)
                target = safe_next(form.next.data) or url_for(home_endpoint(account))
                return redirect(target, code=303)
            _count_failure(username)
            with db.atomic():
                audit.record("login.failed", user=None, username=username[:64],
                             detail=_failure_reason(account))
            error = _("Wrong username or password.")
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, error=error), status


def _failure_reason(account):
    """Why a login failed, for the audit log only (never shown)."""
    if account is None:
        return "unknown user"
    if not account.is_active:
        return "disabled user"
    if not account.password_hash:
        return "no password set"
    return "wrong password"


@bp.post("/logout")
@public
def logout():
    """Sign out: this browser's session is revoked on the server."""
    user = g.get("user")
    if user is not None:
        with db.atomic():
            audit.record("logout", user=user, object_type="user", object_id=user.id)
        end_login_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change one's own password; every other session of the user ends."""
    user = g.user
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        wait = _password_change_wait(user)
        if wait:
            with db.atomic():
                audit.record("user.password_change_throttled", object_type="user",
                             object_id=user.id)
            form.current_password.errors.append(
                _("Too many wrong passwords. Try again in %(minutes)d minutes.",
                  minutes=max(1, math.ceil(wait / 60))))
            status = 429
        elif not user.check_password(form.current_password.data):
            _count_password_change_failure(user)
            with db.atomic():
                audit.record("user.password_change_failed", object_type="user",
                             object_id=user.id)
            form.current_password.errors.append(_("This is not your current password."))
            status = 400
        else:
            user.set_password(form.new_password.data)
            with db.atomic():
                User.update(password_hash=user.password_hash).where(User.id == user.id).execute()
                ended = revoke_sessions(user, keep_current=True)
                audit.record("user.password_changed", object_type="user", object_id=user.id,
                             detail=f"other sessions ended: {ended}")
            flash(_("Your password has been changed. You are signed out everywhere else."),
                  "success")
            return redirect(url_for(home_endpoint(user)), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("auth/password.html", form=form), status
