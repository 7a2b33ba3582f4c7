"""Installing on a phone (views/install.py): the web app manifest is served
by the app at a stable URL, linked from every page with the theme colour,
in the installer's language, and names icons the app serves."""

import json
import struct

from bs4 import BeautifulSoup

from views.install import THEME_COLOUR


def _manifest(client, **headers):
    response = client.get("/manifest.webmanifest", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    return response, json.loads(response.get_data(as_text=True))


def test_every_page_links_the_manifest_and_the_theme_colour(client):
    soup = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")
    link = soup.find("link", rel="manifest")
    assert link["href"] == "/manifest.webmanifest"
    assert link["crossorigin"] == "use-credentials"  # so the user's language applies
    assert soup.find("meta", attrs={"name": "theme-color"})["content"] == THEME_COLOUR


def test_the_manifest_is_public_chinese_by_default_and_never_cached_for_long(client):
    response, manifest = _manifest(client)
    assert manifest["name"] == "超级工厂项目" and manifest["short_name"] == "超级工厂"
    assert manifest["lang"] == "zh-CN"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == THEME_COLOUR
    assert "immutable" not in response.headers["Cache-Control"]
    assert "no-store" in response.headers["Cache-Control"]


def test_the_manifest_follows_the_remembered_language(client):
    client.set_cookie("lang", "en")
    _, manifest = _manifest(client)
    assert manifest["name"] == "Super Factory Programme" and manifest["lang"] == "en"


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_icons_are_served_at_the_sizes_the_manifest_says(client):
    _, manifest = _manifest(client)
    kinds = {icon["type"] for icon in manifest["icons"]}
    assert kinds == {"image/svg+xml", "image/png"}
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert {icon["sizes"] for icon in pngs} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon
        assert response.mimetype == icon["type"]
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        if icon["type"] == "image/png":
            width, height = _png_size(response.get_data())
            assert f"{width}x{height}" == icon["sizes"]
        response.close()
