"""The home page, the language switch and cache-busted static URLs."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import (Blueprint, current_app, g, redirect, request, url_for)
from flask_babel import refresh

import audit
from access import home_endpoint, public, safe_next
from i18n import LANGUAGE_COOKIE, LANGUAGES
from models import db

bp = Blueprint("main", __name__)

ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _static_digest(path, mtime):
    """A short content hash of a static file (cached per file version)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename):
    """``url_for('static')`` with a content hash, so browsers may cache the
    file for a year and still fetch a new version the moment it changes."""
    path = Path(current_app.static_folder) / filename
    version = _static_digest(str(path), path.stat().st_mtime) if path.exists() else "0"
    return url_for("static", filename=filename, v=version)


@bp.after_app_request
def cache_static_for_a_year(response):
    """Versioned static files never change under the same URL."""
    if request.endpoint == "static" and request.args.get("v"):
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
    return response


@bp.get("/")
@public
def home():
    """Send a signed-in user to their role's home and anyone else to login."""
    user = g.get("user")
    if user is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for(home_endpoint(user)))


@bp.post("/language")
@public
def set_language():
    """Switch the language: remembered on the user when signed in, and in a
    cookie for the browser either way."""
    lang = request.form.get("lang")
    target = safe_next(request.form.get("next")) or url_for("main.home")
    response = redirect(target, code=303)
    if lang not in LANGUAGES:
        return response
    user = g.get("user")
    if user is not None and user.locale != lang:
        with db.atomic():
            type(user).update(locale=lang).where(type(user).id == user.id).execute()
            audit.record("user.language", user=user, object_type="user", object_id=user.id,
                         before={"locale": user.locale}, after={"locale": lang})
        user.locale = lang
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    refresh()
    return response
