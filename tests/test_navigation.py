"""The header's links (views.navigation): each role sees its own, in the
stated order, every one opens for that role, and the admin's two region
pages have two different names."""

import pytest

from tests.helpers import page_soup

HEADER = {
    "admin": ["系统管理", "区域概览", "销售", "入驻辅导", "续约", "续约审批", "吐槽"],
    "manager": ["区域概览", "销售", "入驻辅导", "续约", "续约审批", "吐槽"],
    "rep": ["我的今日", "销售", "入驻辅导", "续约", "吐槽"],
    "owner": ["我的工厂", "工厂动态", "吐槽"],
}


def _header_links(soup):
    return [(link.get_text(strip=True), link["href"]) for link in soup.select("header nav ul a")]


@pytest.mark.parametrize("role", sorted(HEADER))
def test_each_role_sees_its_links_in_order_and_each_opens(client_as, role):
    client = client_as(role)
    links = _header_links(page_soup(client.get("/", follow_redirects=True), status=200))
    assert [text for text, _href in links] == HEADER[role]
    for _text, href in links:
        assert client.get(href, follow_redirects=True).status_code == 200, href


def test_the_admins_two_region_links_have_two_names(client_as):
    soup = page_soup(client_as("admin").get("/admin/"), status=200)
    header = dict(_header_links(soup))
    subnav = {link.get_text(strip=True): link["href"] for link in soup.select("nav.subnav a")}
    assert header["区域概览"] == "/regions" and subnav["区域设置"] == "/admin/regions"
    assert "区域" not in header and "区域" not in subnav


def test_in_english_the_two_region_links_are_regions_and_region_settings(client_as):
    admin = client_as("admin")
    admin.post("/language", data={"lang": "en", "next": "/", "csrf_token": admin.csrf_token})
    soup = page_soup(admin.get("/admin/"), status=200)
    assert dict(_header_links(soup))["Regions"] == "/regions"
    subnav = {link.get_text(strip=True): link["href"] for link in soup.select("nav.subnav a")}
    assert subnav["Region settings"] == "/admin/regions"
