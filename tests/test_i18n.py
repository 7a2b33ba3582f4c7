"""Chinese first, English a click away; money, rates and times formatted
the way each language's readers expect."""

import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, format_datetime

import i18n
from tests.builders import make_user

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_every_string_in_code_and_templates_has_a_chinese_translation(tmp_path):
    """Extract exactly as `make extract-messages` does, then require a
    non-empty, non-fuzzy Chinese msgstr for every message found."""
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "--quiet", "extract", "-F", "babel.cfg", "--ignore-dirs",
         ".* node_modules __pycache__", "-k", "lazy_gettext", "-k", "_l", "-k",
         "lazy_pgettext:1c,2", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as handle:
        wanted = {(message.context, message.id) for message in read_po(handle) if message.id}
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (message.context, message.id) for message in catalog
        if message.id and message.string and "fuzzy" not in message.flags
        and (all(message.string) if isinstance(message.string, tuple) else True)
    }
    missing = sorted(str(m) for m in wanted - translated)  # (context or None, msgid)
    assert not missing, f"untranslated in {CATALOG.name}: {missing}"


def test_pages_are_chinese_by_default(client):
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "超级工厂" in page


def test_language_switch_is_remembered_by_the_browser(client, csrf_token):
    token = csrf_token("/")
    response = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_language_switch_needs_csrf_token(client):
    response = client.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 400


def test_language_switch_never_redirects_off_site(client, csrf_token):
    token = csrf_token("/")
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/",
                                              "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_signed_in_users_language_wins_over_the_cookie(app):
    user = make_user(locale="en")
    with app.test_request_context("/", headers={"Cookie": "lang=zh_CN"}):
        from flask import g
        g.user = user
        assert i18n.select_locale() == "en"


@pytest.mark.parametrize("locale, yuan, expected", [
    ("zh_CN", Decimal("10680000"), "¥1,068 万"),
    ("zh_CN", Decimal("106800"), "¥10.68 万"),
    ("zh_CN", Decimal("6688"), "¥6,688"),
    ("zh_CN", Decimal("123456789"), "¥1.23 亿"),
    ("zh_CN", Decimal("-50000"), "-¥5.00 万"),
    ("en", Decimal("10680000"), "¥10.68M"),
    ("en", Decimal("106800"), "¥106.8K"),
    ("en", Decimal("6688"), "¥6.69K"),
    ("en", Decimal("950"), "¥950"),
    ("en", Decimal("2500000000"), "¥2.50B"),
    ("en", None, "—"),
])
def test_money_is_compact_in_each_language(app, locale, yuan, expected):
    with app.test_request_context("/"), force_locale(locale):
        assert i18n.format_money(yuan) == expected


def test_exact_money_and_rates(app):
    with app.test_request_context("/"), force_locale("en"):
        assert i18n.format_money_exact(Decimal("10680000")) == "¥10,680,000.00"
        assert i18n.format_percent(0.6994) == "69.9%"
        assert i18n.format_percent(None) == "—"
        assert i18n.format_number(None) == "—"


def test_times_are_shown_in_shanghai(app):
    utc_evening = datetime.datetime(2026, 3, 1, 17, 30)  # 01:30 next day in Shanghai
    with app.test_request_context("/"), force_locale("en"):
        assert i18n.format_shanghai_datetime(utc_evening) == "2026-03-02 01:30"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_shanghai_times_are_babels_to_the_minute(app, locale):
    """Written without Babel, still exactly Babel's pattern in the app's
    time zone: every 7 h 13 min across 1985-1992 (Shanghai kept summer time
    1986-1991) and around today."""
    step = datetime.timedelta(hours=7, minutes=13)
    with app.test_request_context("/"), force_locale(locale):
        for start, count in ((datetime.datetime(1985, 12, 30), 8000),
                             (datetime.datetime(2025, 12, 30, 0, 59, 59), 600)):
            moments = [start + n * step for n in range(count)]
            assert [i18n.format_shanghai_datetime(moment) for moment in moments] == \
                [format_datetime(moment, "yyyy-MM-dd HH:mm") for moment in moments]
