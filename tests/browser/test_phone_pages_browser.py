"""Every role's main pages on a phone (390x844), in English (the longer
labels): nothing wider than the screen (a table too wide scrolls in its own
box, never cut off) and every link and control at least 44 x 44 px."""

import sqlite3

import pytest

from tests.browser.conftest import PHONE

PAGES = {
    "owner_baiyun": ["/my-factory", "/complaints/"],
    "rep_guangzhou": ["/my-day", "/factories/{factory}", "/sales/", "/onboarding/",
                      "/renewals/", "/complaints/"],
    "manager_south": ["/regions", "/sales/", "/onboarding/", "/renewals/", "/renewals/queue",
                      "/complaints/"],
    "admin": ["/admin/users", "/admin/audit", "/sales/factories/{factory}"],
}


def _rep_factory(live_server):
    """The code of rep_guangzhou's first factory (by code): one the rep,
    the manager of the south and admin all see."""
    with sqlite3.connect(live_server.database_path) as connection:
        return connection.execute(
            'SELECT f.code FROM factory f JOIN "user" u ON u.id = f.rep_id '
            "WHERE u.username = 'rep_guangzhou' ORDER BY f.code LIMIT 1").fetchone()[0]


@pytest.mark.parametrize("username", list(PAGES))
def test_pages_fit_a_phone_with_44px_targets(open_page, live_server, username):
    watched = open_page(PHONE, locale="en-US")
    watched.login(username)
    watched.switch_language("en")
    factory = _rep_factory(live_server)
    problems = {}
    for path in PAGES[username]:
        watched.goto(path.format(factory=factory))
        overflow, small = watched.horizontal_overflow(), watched.small_targets()
        if overflow or small:
            problems[path] = {"overflow px": overflow, "small targets": small[:5]}
    watched.switch_language("zh_CN")
    assert not problems, problems
    watched.assert_clean()
