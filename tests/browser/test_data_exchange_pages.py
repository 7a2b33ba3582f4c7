"""The admin's data page in a real browser, on a phone and a laptop: it fits,
it is accessible, and upload → preview → import works with htmx polling."""

import pytest

from tests.browser.conftest import LAPTOP, PHONE
from tests.exchange_files import write_csv

ADMIN, PASSWORD = "admin", "demo1688"


def sign_in(watched):
    watched.goto("/login")
    watched.page.fill("input[name=username]", ADMIN)
    watched.page.fill("input[name=password]", PASSWORD)
    watched.page.click("main button[type=submit]")
    watched.page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_data_page_fits_and_is_accessible(open_page, viewport):
    watched = open_page(viewport)
    sign_in(watched)
    response = watched.goto("/admin/data")
    assert response.status == 200
    assert watched.horizontal_overflow() == 0
    assert watched.serious_accessibility_violations() == []
    watched.assert_clean()


def test_a_bad_file_shows_every_problem_then_a_good_one_imports(open_page, tmp_path):
    watched = open_page(PHONE)
    page = watched.page
    sign_in(watched)
    bad = write_csv(tmp_path / "regions-bad.csv", "regions", [
        ["BROWSER-1", "", "Browser one", "", "", "", ""],
        ["BROWSER-2", "浏览器二", "", "", "", "", ""]])
    watched.goto("/admin/data")
    page.select_option("#kind", "regions")
    page.set_input_files("#file", str(bad))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("table.problems", timeout=30_000)
    cells = page.locator("table.problems tbody tr").all_inner_texts()
    assert len(cells) == 2 and "name_zh" in cells[0] and "name_en" in cells[1]
    assert watched.horizontal_overflow() == 0

    good = write_csv(tmp_path / "regions-good.csv", "regions", [
        ["BROWSER-1", "浏览器一", "Browser one", "广东", "广州", "测试", "Testing"]])
    watched.goto("/admin/data")
    page.select_option("#kind", "regions")
    page.set_input_files("#file", str(good))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector(".actions button.primary", timeout=30_000)
    assert page.locator("[data-count=inserted]").inner_text() == "1"
    assert watched.serious_accessibility_violations() == []
    page.click(".actions button.primary")
    page.wait_for_selector(".badge-ok", timeout=30_000)
    assert page.locator("[data-count=inserted]").inner_text() == "1"
    watched.assert_clean()
