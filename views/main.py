"""The home page and the language switch."""

from flask import Blueprint, g, redirect, request, url_for
from flask_babel import refresh

import audit
from access import home_endpoint, public, safe_next
from i18n import LANGUAGE_COOKIE, LANGUAGES
from models import db

bp = Blueprint("main", __name__)

ONE_YEAR = 365 * 24 * 3600


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
