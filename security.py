"""The security baseline of every response: headers, cookie flags, proxies
and error pages.

* Content-Security-Policy: scripts only from the app itself (no inline
  script, no eval), styles from the app plus the one empty ``<style>`` element
  plotly.js injects (allowed by the SHA-256 of the empty string; plotly then
  adds its rules through the CSSOM, which CSP does not restrict). See
  docs/security.md for how this was checked in Chromium.
* nosniff, Referrer-Policy, no framing, ``Cache-Control: no-store`` on every
  dynamic answer (signed-in pages must not stay in shared or back caches),
  HSTS when the request came over HTTPS.
* ``TRUSTED_PROXIES = N`` (config or ``FLASK_TRUSTED_PROXIES``) trusts N
  proxies' X-Forwarded-* headers (ProxyFix), so HTTPS behind a load balancer
  is recognised: the session cookie becomes Secure and HSTS is sent.
* A NUL character anywhere in the path, a query parameter, a form field or
  an uploaded file's name is refused with 400 before any view runs: no text
  field has a use for it, and PostgreSQL cannot store it.
* Generic, translated error pages; htmx requests get a short message in the
  ``X-Error-Message`` header (static/js/app.js shows it), API requests JSON.
* A database that is busy or unreachable for a moment (SQLite locked past
  its busy timeout, PostgreSQL restarting: ``database.is_transient``) is a
  503 with ``Retry-After``, never a 500: the request's transaction was
  rolled back whole, so sending it again is safe.
"""

from urllib.parse import quote

from flask import (current_app, g, has_request_context, jsonify, make_response,
                   render_template, request)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

import audit
import database
from access import API_PREFIX
from extensions import login_manager
from models import db
from views.rendering import is_htmx_request

# SHA-256 of the empty string: the empty <style> element plotly.js adds.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    f"style-src 'self' {EMPTY_STYLE_HASH}",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"
ERROR_CODES = (400, 401, 403, 404, 405, 413, 429, 500, 503)
RETRY_AFTER_SECONDS = 2  # a SQLite writer's turn, or a PostgreSQL restart


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure whenever the request is HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"]
                    or (has_request_context() and request.is_secure))


def init_app(app):
    """Install the headers, cookie policy, proxy handling and error pages."""
    app.config.setdefault("TRUSTED_PROXIES", 0)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.session_interface = SessionInterface()
    proxies = int(app.config["TRUSTED_PROXIES"] or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies, x_prefix=proxies)
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
    for code in ERROR_CODES:
        app.register_error_handler(code, handle_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    for error_class in database.TRANSIENT_ERRORS:
        app.register_error_handler(error_class, handle_database_error)


def _has_nul(values):
    return any("\x00" in value for value in values)


def refuse_nul_characters():
    """400 for a request carrying a NUL character in its path, its query,
    its form or an upload's file name (see the module docstring)."""
    if "\x00" in request.path or _has_nul(request.args.keys()) \
            or _has_nul(request.args.values()):
        return _refuse_nul()
    if request.method in ("POST", "PUT", "PATCH") and (
            _has_nul(request.form.keys()) or _has_nul(request.form.values())
            or _has_nul(upload.filename or "" for upload in request.files.values())):
        return _refuse_nul()
    return None


def _refuse_nul():
    return error_response(400, error_message(400),
                          _("The request contains a NUL character, which no field accepts."))


def add_security_headers(response):
    """The headers every answer carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        response.cache_control.no_store = True
        response.cache_control.private = True
    return response


def error_message(code):
    """A short, translated explanation for an HTTP status code."""
    messages = {
        400: _("The request could not be understood. Please check what you entered and try again."),
        401: _("Please sign in to continue."),
        403: _("You do not have permission to see or do this."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This action is not allowed here."),
        413: _("The file is too large."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("Something went wrong on our side. Please try again; if it keeps happening, tell the data team."),
        503: _("The database is busy for a moment and nothing was saved. Please send again in a few seconds."),
    }
    return messages.get(code, messages[400] if code < 500 else messages[500])


def error_titles(code):
    """The page title for an error page."""
    titles = {
        400: _("Bad request"),
        401: _("Sign-in required"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Not allowed"),
        413: _("File too large"),
        429: _("Too many attempts"),
        500: _("Server error"),
        503: _("Busy for a moment"),
    }
    return titles.get(code, _("Error"))


def error_response(code, message, detail=None):
    """The error answer in the form the client wants: JSON for the API, a
    header plus a fragment for htmx, a whole page otherwise."""
    if request.path.startswith(API_PREFIX):
        response = jsonify(error=detail or message)
    elif is_htmx_request():
        text = f"{message} {detail}" if detail else message
        response = render_template("errors/_message.html", message=message, detail=detail)
        response = make_response(response)
        response.headers["X-Error-Message"] = quote(text)
    else:
        response = make_response(render_template(
            "errors/error.html", code=code, title=error_titles(code),
            message=message, detail=detail))
    response.status_code = code
    return response


def _custom_description(error):
    """The description a view gave ``abort(code, description)``, if any (the
    default English text of the status is not shown)."""
    if not isinstance(error, HTTPException) or isinstance(error, InternalServerError):
        return None
    default = type(error).description
    if error.description and error.description != default:
        return error.description
    return None


def handle_error(error):
    """Every HTTP error: a generic page, never a traceback."""
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    if code == 403:
        _record_refusal("access.denied", request.path)
    response = error_response(code, error_message(code), _custom_description(error))
    if code == 405 and isinstance(error, HTTPException):
        allowed = error.get_response().headers.get("Allow")
        if allowed:
            response.headers["Allow"] = allowed
    return response


def handle_database_error(error):
    """A database error in a view: 503 with ``Retry-After`` when it passes
    (see ``database.is_transient``); any other database error goes on to
    Flask's 500 handling. The page is drawn without the database (the bell
    counts 0)."""
    if not database.is_transient(error):
        raise error
    database.release_connection()  # the page's own queries (the bell) start afresh
    if "_login_user" not in g:
        # Signing in had not happened yet (the database failed first): draw
        # the page for nobody rather than ask the database who this is.
        g._login_user = login_manager.anonymous_user()
    current_app.logger.warning("database unavailable, answered 503: %s", error)
    response = error_response(503, error_message(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_csrf_error(error):
    """A missing or wrong CSRF token: a clear message, and an audit entry."""
    _record_refusal("csrf.refused", f"{request.method} {request.path}: {error.description}")
    message = _("Your form expired or was sent from another site. Reload the page and try again.")
    return error_response(400, message)


def _record_refusal(action, detail):
    """Write a refused request to the audit log (never fail the answer)."""
    try:
        with db.atomic():
            audit.record(action, user=g.get("user"), detail=detail[:500])
    except Exception:  # noqa: BLE001 - the refusal must still be answered
        pass
