"""Installing the app on a phone's home screen (README "On the phone").

``GET /manifest.webmanifest``: the web app manifest, at one stable URL
(answered like every dynamic page, never cached for long), in the language
of the person installing (base.html links it with credentials, so the
language remembered for them applies; without, zh-CN). Its icons are
fingerprinted static files. Public, as browsers may fetch it without the
session cookie. There is no service worker: the offline queue
(static/js/offline.js) works without one and no page is ever cached.
"""

from flask import Blueprint, jsonify, url_for
from flask_babel import gettext as _

import static_files
from access import public
from i18n import is_chinese

bp = Blueprint("install", __name__)

THEME_COLOUR = "#c2410c"  # the brand colour of the favicon and the header
BACKGROUND_COLOUR = "#ffffff"
PNG_SIZES = (192, 512)


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """The manifest: names, start page, colours and icons."""
    icons = [{"src": static_files.url("icons/icon.svg"), "sizes": "any",
              "type": "image/svg+xml", "purpose": "any maskable"}]
    icons += [{"src": static_files.url(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
               "type": "image/png", "purpose": "any maskable"} for size in PNG_SIZES]
    response = jsonify({
        "name": _("Super Factory Programme"),
        "short_name": _("Super Factory"),
        "description": _("The super-factory programme's dashboards and field work."),
        "lang": "zh-CN" if is_chinese() else "en",
        "start_url": url_for("main.home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    })
    response.mimetype = "application/manifest+json"
    response.vary.add("Cookie")
    return response
