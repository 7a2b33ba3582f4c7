"""Who is asking, and may they: the one gate every request passes.

* **Default deny.** A ``before_request`` hook requires a signed-in user for
  every endpoint except ``static`` and views marked ``@public``. Anonymous page
  requests are sent to the login page with ``?next=``; htmx requests get an
  ``HX-Redirect`` there; requests under ``/api/`` get a 401 JSON answer.
* **Login sessions.** The Flask session cookie carries a random key whose
  hash is a ``LoginSession`` row. The row is checked on every request, so
  logging out, changing a password or disabling a user refuses a cookie
  captured earlier, on every worker. Sessions also end after a period of
  inactivity (``SESSION_IDLE_TIMEOUT``) and after a fixed lifetime
  (``SESSION_ABSOLUTE_TIMEOUT``), both in seconds.
* **API tokens.** ``Authorization: Bearer <token>`` on a path under ``/api/``
  signs the request in as the token's user (with that user's scope). Only a
  hash of the token is stored. Such requests carry no cookie, so they are
  exempt from CSRF; a revoked token or a disabled user gets 401.
* **CSRF** is checked here, after authentication, on every state change.
* **Roles.** ``@roles_required("manager", "admin")`` refuses other roles
  with 403. Which *factories* a user sees is decided in ``scope.py`` only;
  ``visible_factory_or_404`` is the shortcut for "this one factory, if I may".

Use in a view::

    from access import current_user, public, roles_required, visible_factory_or_404

    @bp.get("/factories/<int:factory_id>")
    @roles_required("rep", "manager", "admin")
    def factory(factory_id):
        factory = visible_factory_or_404(factory_id)
"""

import datetime
import hashlib
import secrets
from functools import wraps
from urllib.parse import unquote, urlparse

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

import audit
import rate_limits
from extensions import csrf, limiter, login_manager
from models import ApiToken, Factory, LoginSession, User, db, utcnow
from scope import visible_factories
from views.rendering import is_htmx_request

__all__ = [
    "current_user", "public", "roles_required", "visible_factory_or_404",
    "visible_factory_by_code_or_404", "start_login_session", "end_login_session",
    "revoke_sessions", "issue_api_token", "hash_secret", "home_endpoint", "init_app",
]

SESSION_KEY = "login_key"
API_PREFIX = "/api/"  # every API route lives under it (views.api mounts v1 there)
# The shortest password anyone may set: the sign-in change form, the admin's
# user forms and `flask set-password` all use this one number.
MIN_PASSWORD_LENGTH = 8
LAST_SEEN_RESOLUTION = datetime.timedelta(seconds=60)
TOKEN_PREFIX = "sf_"

# Each role lands on its own page after login.
HOME_ENDPOINTS = {
    "rep": "homes.my_day",
    "owner": "homes.my_factory",
    "manager": "homes.regions",
    "admin": "admin.index",
}


def init_app(app):
    """Attach Flask-Login, the rate limiter and the gate to ``app``."""
    app.config.setdefault("SESSION_IDLE_TIMEOUT", 8 * 3600)  # a working day's gap
    app.config.setdefault("SESSION_ABSOLUTE_TIMEOUT", 7 * 24 * 3600)
    app.config.setdefault("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    app.config.setdefault("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    app.config.setdefault("LOGIN_ACCOUNT_CEILING", "50 per 15 minutes")
    app.config.setdefault("LOGIN_SLOWDOWN_SECONDS", 2)
    # CSRF is checked by the gate below, after authentication, so that
    # bearer-token API calls (no cookie, nothing to forge) can be exempt.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    # Shared by every worker: Redis when there is one, else the database.
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or rate_limits.SCHEME)
    app.config["PERMANENT_SESSION_LIFETIME"] = datetime.timedelta(
        seconds=app.config["SESSION_ABSOLUTE_TIMEOUT"])

    login_manager.init_app(app)
    login_manager.session_protection = None  # LoginSession rows do this job
    login_manager.user_loader(_user_from_session)
    login_manager.request_loader(_user_from_token)
    limiter.init_app(app)
    app.before_request(_gate)


# --- decorators -------------------------------------------------------------

def public(view):
    """Mark ``view`` as open to anonymous users (the gate lets them in)."""
    view.is_public = True
    return view


def roles_required(*roles):
    """Let only users whose role is one of ``roles`` in; others get 403."""
    unknown = set(roles) - set(HOME_ENDPOINTS)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            user = g.get("user")
            if user is None:
                return _unauthenticated()
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.roles = roles
        return guarded

    return decorator


# --- scope shortcuts --------------------------------------------------------

def visible_factory_or_404(factory_id):
    """The factory with ``factory_id`` if the current user may see it, else 404
    (the same answer as for a factory that does not exist, so nothing leaks)."""
    factory = visible_factories(g.get("user")).where(Factory.id == factory_id).first()
    if factory is None:
        abort(404)
    return factory


def visible_factory_by_code_or_404(code):
    """Like ``visible_factory_or_404``, by the factory's code."""
    factory = visible_factories(g.get("user")).where(Factory.code == code).first()
    if factory is None:
        abort(404)
    return factory


def home_endpoint(user):
    """The endpoint of ``user``'s own home page."""
    return HOME_ENDPOINTS.get(user.role, "auth.login")


# --- login sessions ---------------------------------------------------------

def hash_secret(secret):
    """The stored form of a session key or API token (SHA-256, hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start_login_session(user):
    """Sign ``user`` in: a new LoginSession row and a fresh session cookie."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    previous = session.get(SESSION_KEY)
    # Rows of sessions long over are of no further use: drop them here.
    cutoff = now - max(datetime.timedelta(days=30), datetime.timedelta(
        seconds=current_app.config["SESSION_ABSOLUTE_TIMEOUT"]))
    with db.atomic():
        if previous:  # signing in again in the same browser ends the old session
            LoginSession.update(revoked_at=now).where(
                LoginSession.key == hash_secret(previous),
                LoginSession.revoked_at.is_null()).execute()
        LoginSession.delete().where(
            LoginSession.user == user.id,
            (LoginSession.revoked_at < cutoff) | (LoginSession.last_seen_at < cutoff)).execute()
        LoginSession.create(
            key=hash_secret(key), user=user, created_at=now, last_seen_at=now,
            ip=(request.remote_addr or "").replace("\x00", "")[:64],
            # Headers are the client's text: no NUL (PostgreSQL refuses it).
            user_agent=(request.user_agent.string or "").replace("\x00", "")[:255])
        User.update(last_login_at=now).where(User.id == user.id).execute()
    session.clear()
    login_user(user)
    session[SESSION_KEY] = key
    session.permanent = True
    g.user = user


def end_login_session():
    """Sign the current user out and revoke this browser's session row."""
    key = session.get(SESSION_KEY)
    if key:
        with db.atomic():
            LoginSession.update(revoked_at=utcnow()).where(
                LoginSession.key == hash_secret(key),
                LoginSession.revoked_at.is_null()).execute()
    logout_user()
    session.clear()
    g.user = None


def revoke_sessions(user, keep_current=False):
    """End every open session of ``user`` (optionally all but this one);
    returns how many were ended. Call inside the caller's transaction."""
    query = LoginSession.update(revoked_at=utcnow()).where(
        LoginSession.user == user.id, LoginSession.revoked_at.is_null())
    if keep_current and session.get(SESSION_KEY):
        query = query.where(LoginSession.key != hash_secret(session[SESSION_KEY]))
    return query.execute()


def _user_from_session(user_id):
    """Flask-Login's loader: the user only while their session row is valid."""
    if _bearer_token() is not None:
        return None  # an API call with a token is judged by the token alone
    key = session.get(SESSION_KEY)
    if not key:
        return None
    row = (LoginSession.select(LoginSession, User)
           .join(User)
           .where(LoginSession.key == hash_secret(key))
           .first())
    if row is None or str(row.user_id) != str(user_id):
        return None
    now = utcnow()
    config = current_app.config
    expired = (now - row.last_seen_at > datetime.timedelta(seconds=config["SESSION_IDLE_TIMEOUT"])
               or now - row.created_at > datetime.timedelta(
                   seconds=config["SESSION_ABSOLUTE_TIMEOUT"]))
    if row.revoked_at is not None or not row.user.is_active or expired:
        if row.revoked_at is None:
            with db.atomic():
                LoginSession.update(revoked_at=now).where(LoginSession.id == row.id).execute()
        g.session_ended = True
        return None
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        with db.atomic():
            LoginSession.update(last_seen_at=now).where(LoginSession.id == row.id).execute()
    return row.user


# --- API tokens -------------------------------------------------------------

def issue_api_token(user, name, created_by):
    """Create a token for ``user``; returns (row, the token text). The text is
    shown once: only its hash is stored. Call inside a transaction."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.create(user=user, name=name, token_hash=hash_secret(token),
                          created_by=created_by)
    return row, token


def _bearer_token():
    """The bearer token of an API request, or None."""
    if not request.path.startswith(API_PREFIX):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _user_from_token(_request):
    """Flask-Login's request loader: the user of a valid, unrevoked token."""
    token = _bearer_token()
    if token is None:
        return None
    row = (ApiToken.select(ApiToken, User)
           .join(User, on=(ApiToken.user == User.id))
           .where(ApiToken.token_hash == hash_secret(token))
           .first())
    if row is None or row.revoked_at is not None or not row.user.is_active:
        g.token_refused = True
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_SEEN_RESOLUTION:
        with db.atomic():
            ApiToken.update(last_used_at=now).where(ApiToken.id == row.id).execute()
    g.via_token = True
    return row.user


# --- the gate ---------------------------------------------------------------

def is_public_endpoint(endpoint):
    """True for ``static`` and views marked ``@public``."""
    if endpoint == "static":
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def _gate():
    """Authenticate, require login unless public, then check CSRF."""
    if request.endpoint == "static":
        g.user = None
        return None
    user = current_user._get_current_object()
    g.user = user if user.is_authenticated else None
    if request.endpoint is not None and not is_public_endpoint(request.endpoint) \
            and g.user is None:
        return _unauthenticated()
    if not g.get("via_token") and request.endpoint is not None:
        csrf.protect(apply_exemptions=True)
    return None


def _unauthenticated():
    """The answer to an anonymous request for a page that needs a login."""
    if g.get("token_refused"):
        with db.atomic():
            audit.record("api.token_refused", detail=request.path)
    if request.path.startswith(API_PREFIX):
        response = jsonify(error=_("Authentication required: sign in or send a valid API token."))
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if g.get("session_ended"):
        session.clear()
    if is_htmx_request():
        # htmx does not follow redirects for the whole page; tell it to.
        current = request.headers.get("HX-Current-URL", "")
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for(
            "auth.login", next=_local_path(current),
            expired=1 if g.get("session_ended") else None)
        return response
    target = request.full_path if request.query_string else request.path
    if g.get("session_ended"):
        return redirect(url_for("auth.login", next=target, expired=1))
    return redirect(url_for("auth.login", next=target))


def _local_path(url):
    """The path and query of ``url`` (the page htmx was on), or None."""
    parsed = urlparse(url or "")
    if not parsed.path:
        return None
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def safe_next(target):
    """``target`` when it is a same-site path, else None (no open redirect).

    The one guard for every ``next`` parameter. Refused: anything not
    starting with one ``/``; scheme-relative ``//host``; backslashes (browsers
    read ``/\\host`` as ``//host``); control characters and whitespace
    (browsers drop tabs and newlines, so ``/<tab>/host`` is ``//host``); and all
    of these again after percent-decoding (``/%2F%2Fhost``, ``/%5Chost``)."""
    if not target:
        return None
    for form in (target, unquote(target)):
        if not form.startswith("/") or form.startswith("//") or "\\" in form:
            return None
        if form != form.strip() or any(ord(char) < 32 or ord(char) == 127 for char in form):
            return None
        parsed = urlparse(form)
        if parsed.scheme or parsed.netloc:
            return None
    return target
