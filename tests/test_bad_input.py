"""Bad input is a 400 with a reason, never a 500 (issue 16 item 5): each
finding of the security test, reproduced. The property test over every
route is ``test_fuzz_routes.py``."""

from urllib.parse import quote

import pytest

from models import Factory
from tests.builders import PASSWORD
from tests.helpers import csrf_token_of


@pytest.mark.parametrize("path", [
    "/api/v1/kpis/sales?to=0001-01-01",
    "/api/v1/kpis/sales?from=0001-01-01&to=0001-01-02",
    "/api/v1/kpis/sales?to=9999-12-31",
    "/api/v1/kpis/onboarding?from=9999-12-30&to=9999-12-31",
])
def test_edge_dates_in_the_api_are_a_400_naming_the_parameter(client_as, path):
    response = client_as("admin").get(path)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["parameter"] in ("from", "to")


@pytest.mark.parametrize("role, path", [
    ("owner", "/my-factory?to=9999-12-31"),
    ("owner", "/my-factory?period=custom&from=0001-01-01&to=0001-01-05"),
    ("admin", "/sales/?period=custom&from=9999-12-01&to=9999-12-31"),
    ("admin", "/sales/ranking?to=0001-01-01"),
])
def test_edge_dates_on_pages_are_shown_as_a_field_error(client_as, role, path):
    response = client_as(role).get(path)
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01",
                                   "date_from=9999-12-31&date_to=9999-12-31", "page=99999999999999999999"])
def test_edge_values_in_the_audit_filter_are_not_a_500(client_as, query):
    response = client_as("admin").get(f"/admin/audit?{query}")
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("role, path", [
    ("admin", "/sales/?region=%00"),
    ("admin", "/sales/?rep=%00x"),
    ("admin", "/api/v1/kpis/sales?factory=F%00"),
    ("admin", "/sales/factories/F%00"),
    ("owner", "/sales/factories/F%00"),
    ("admin", "/admin/users?q=%00"),
    ("admin", "/admin/audit?user=a%00b"),
    ("manager", "/sales/ranking.csv?tier=%00"),
])
def test_a_nul_byte_in_a_parameter_is_a_400(client_as, role, path):
    response = client_as(role).get(path)
    assert response.status_code == 400, response.status_code


def test_a_nul_byte_in_the_login_form_is_a_400_and_signs_nobody_in(client, users):
    token = csrf_token_of(client, "/login")
    response = client.post("/login", data={"username": "adm\x00in", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_a_nul_byte_in_an_admin_form_changes_nothing(client_as, users):
    admin = client_as("admin")
    response = admin.post(f"/admin/regions/{users.region.id}", data={
        "csrf_token": admin.csrf_token, "code": users.region.code, "name_zh": "坏\x00名",
        "name_en": "x", "province": "p", "city": "c", "industry_zh": "i", "industry_en": "i"})
    assert response.status_code == 400
    assert "\x00" not in type(users.region).get_by_id(users.region.id).name_zh


def test_a_nul_byte_in_the_user_agent_does_not_break_sign_in(client, users):
    token = csrf_token_of(client, "/login")
    response = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                           "csrf_token": token},
                           headers={"User-Agent": "evil\x00agent"})
    assert response.status_code == 303


def test_a_nul_byte_in_an_import_file_is_a_bad_row(runner, tmp_path, users):
    path = tmp_path / "factories.csv"
    path.write_text("code,name,region_code,kind,rep_username,specialized,little_giant,phone,"
                    f"address\nF-NUL,坏\x00厂,{users.region.code},factory,,no,no,,\n",
                    encoding="utf-8")
    result = runner.invoke(args=["import", "factories", str(path)])
    assert result.exit_code != 0
    assert "NUL" in result.output
    assert Factory.get_or_none(Factory.code == "F-NUL") is None


@pytest.mark.parametrize("next_path", ["/\r\nX:1", "/\nSet-Cookie:a=b",
                                       "/sales/\x7f"])
def test_a_line_break_in_login_next_is_dropped(client, users, next_path):
    page = client.get("/login?next=" + quote(next_path, safe=""))
    assert page.status_code == 200
    token = csrf_token_of(client, "/login")
    response = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                           "csrf_token": token, "next": next_path})
    assert response.status_code == 303
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert response.headers["Location"].endswith("/admin/")
