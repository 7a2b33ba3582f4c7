"""Static files (static_files.py): the app's own files are linked under
fingerprinted URLs, sent precompressed and cached for a year without
revalidation; vendor files keep a ``?v=`` link and a year's cache."""

import gzip

import brotli
from bs4 import BeautifulSoup

import static_files
from static_files import StaticFiles

OWN = ("css/app.css", "js/app.js", "favicon.svg")


def _links(client):
    soup = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")
    urls = [tag["src"] for tag in soup.find_all("script", src=True)]
    urls += [tag["href"] for tag in soup.find_all("link", href=True)]
    return urls


def _fingerprinted(app, filename):
    with app.test_request_context():
        return static_files.url(filename)


def test_the_layout_links_own_files_by_content_hash(app, client):
    links = _links(client)
    for filename in OWN:
        url = _fingerprinted(app, filename)
        stem = filename.rsplit(".", 1)[0]
        assert url.startswith(f"/static/{stem}.") and "?" not in url
        assert len(url.split(".")[-2]) == static_files.DIGEST_LENGTH
        assert url in links, (filename, links)


def test_own_files_are_cached_for_a_year_and_compressed(app, client):
    for filename in OWN:
        url = _fingerprinted(app, filename)
        original = (static_files.Path(app.static_folder) / filename).read_bytes()
        for encoding, unpack in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            response = client.get(url, headers={"Accept-Encoding": encoding})
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert "no-cache" not in response.headers["Cache-Control"]
            assert response.headers["Content-Encoding"] == encoding, url
            assert "Accept-Encoding" in response.headers["Vary"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert unpack(response.get_data()) == original
            response.close()
        plain = client.get(url)
        assert "Content-Encoding" not in plain.headers and plain.get_data() == original
        plain.close()


def test_vendor_files_keep_a_versioned_link_and_a_years_cache(app, client):
    url = _fingerprinted(app, "vendor/htmx.min.js")
    assert url.startswith("/static/vendor/htmx.min.js?v=")
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "no-cache" not in response.headers["Cache-Control"]
    response.close()


def test_an_htmx_filter_change_carries_no_links_to_static_files(client_as):
    """The favicon and the stylesheet are linked once by the whole page (and
    never revalidated, see above); a partial does not link them again."""
    response = client_as("manager").get("/sales/?tier=gold", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "favicon" not in html and "app.css" not in html


def _files(tmp_path):
    source, build = tmp_path / "static", tmp_path / "build"
    source.mkdir()
    (source / "site.css").write_text("body { color: red; }\n" * 40)
    return StaticFiles(lambda environ, start: [], source, build, "/static/")


def test_a_changed_file_gets_a_new_url_and_the_old_one_keeps_its_content(tmp_path):
    files = _files(tmp_path)
    first = files.register("site.css")
    (files.source / "site.css").write_text("body { color: blue; }\n" * 40)
    second = files.register("site.css")
    assert first != second
    assert files.files[first].alternatives  # still served, with its compressed forms
    assert (files.build / first.removeprefix("/static/")).read_text().startswith("body { color: red")
    assert (files.build / second.removeprefix("/static/")).read_text().startswith("body { color: blue")
    assert gzip.decompress((files.build / (second.removeprefix("/static/") + ".gz")).read_bytes()) \
        == (files.source / "site.css").read_bytes()


def test_a_url_asked_for_before_it_was_linked_is_built_only_for_the_current_content(tmp_path):
    """Another worker linked the file after it changed: this one builds the
    copy on the first request; a made-up or outdated hash stays a 404."""
    files = _files(tmp_path)
    url = "/static/" + files.fingerprint("site.css")
    files._build_requested(url.removeprefix("/static/"))
    assert url in files.files
    for wrong in ("site.000000000000.css", "../site.%s.css" % url.split(".")[-2], "vendor/x.css"):
        files._build_requested(wrong)
        assert "/static/" + wrong not in files.files
