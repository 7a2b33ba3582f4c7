"""The application factory, configuration, the page/partial helper and
the vendor files (the app's own static files: tests/test_static_files.py)."""

from pathlib import Path

from bs4 import BeautifulSoup

from app import create_app
from tests.builders import make_factory, make_region


def test_config_comes_from_the_environment(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app({"TESTING": True})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["DATABASE_URL"] == database_url


def test_secret_key_is_generated_once_and_kept(monkeypatch, database_url):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"TESTING": True, "DATABASE_URL": database_url})
    second = create_app({"TESTING": True, "DATABASE_URL": database_url})
    key_file = Path(first.instance_path) / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 64


def test_full_page_for_a_normal_request(client_as):
    response = client_as("manager").get("/regions")
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.find("html") and soup.find("header")
    assert "HX-Request" in response.headers["Vary"]


def test_only_the_block_for_an_htmx_request(client_as):
    region = make_region(name_zh="南通家纺")
    make_factory(region=region)
    response = client_as("admin").get("/regions", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("html") is None and soup.find("header") is None
    assert soup.find("h1") is not None
    assert "南通家纺" in html
    assert "HX-Request" in response.headers["Vary"]


def test_boosted_navigation_gets_the_whole_page(client_as):
    response = client_as("admin").get("/regions",
                                      headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<header" in response.get_data(as_text=True)


def test_htmx_is_served_by_the_app_itself(client):
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in response.data[:2000]
    response.close()


def test_pages_are_compressed_for_browsers_that_accept_it(client_as):
    response = client_as("manager").get("/sales/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
