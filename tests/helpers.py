"""Signing test clients in, and reading their CSRF token, the way the app
expects. The fixtures in conftest.py (``login``, ``client_as``, ``users``)
wrap these; import them directly where a fixture does not fit."""

import os
import re
import secrets
import shutil

from bs4 import BeautifulSoup
from flask import current_app
from itsdangerous import URLSafeTimedSerializer

from access import SESSION_KEY, hash_secret
from models import LoginSession, db

# Debian's headless Chromium for the browser tests (CHROMIUM=path overrides).
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def page_soup(response, status=None):
    """The parsed HTML of ``response`` (asserting its ``status`` if given)."""
    if status is not None:
        assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def tiles_of(soup):
    """``{kpi name: data-value}`` of every tile on a parsed page."""
    return {tile["data-kpi"]: tile["data-value"] for tile in soup.select("[data-kpi]")}


def csrf_token_of(client, path="/"):
    """A valid CSRF token for ``client``'s session, read from a page (after
    redirects) the way a browser gets it; also stored as ``client.csrf_token``."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    client.csrf_token = match.group(1)
    return client.csrf_token


def login(client, user, password=None):
    """Sign ``client`` in as ``user``; returns the client with its CSRF token
    in ``client.csrf_token``.

    With ``password`` this goes through the real login form (and its scrypt
    check and rate limits). Without, it opens a LoginSession row directly,
    exactly as a successful login would, which keeps tests fast."""
    if password is not None:
        token = csrf_token_of(client, "/login")
        response = client.post("/login", data={"username": user.username,
                                               "password": password, "csrf_token": token})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    else:
        key = secrets.token_urlsafe(16)
        raw_csrf = secrets.token_hex(20)
        with db.atomic():
            LoginSession.create(key=hash_secret(key), user=user)
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.id
            session["_fresh"] = True
            session[SESSION_KEY] = key
            session["csrf_token"] = raw_csrf
            session.permanent = True
        # The signed form of the raw token, exactly as Flask-WTF makes it.
        signer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="wtf-csrf-token")
        client.csrf_token = signer.dumps(raw_csrf)
        return client
    csrf_token_of(client)
    return client


def session_cookie(client):
    """The raw session cookie value of ``client`` (to replay it later)."""
    name = current_app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


__all__ = ["CSRF_INPUT", "csrf_token_of", "login", "page_soup", "session_cookie", "tiles_of"]
