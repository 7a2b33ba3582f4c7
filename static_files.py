"""Static files: fingerprinted, compressed and cached for a year.

* The app's own files (everything in ``static/`` but ``vendor/``: app.css,
  app.js, the favicon, the icons...) are linked through ``url(filename)``
  (``static_url`` in templates), which names a copy carrying a content
  hash: ``/static/css/app.3f2a9c1b2d4e.css``. The copy, with a brotli
  (``.br``) and a gzip (``.gz``) version next to it, is written once into
  ``STATIC_BUILD_FOLDER`` (default ``.static-build/``, not in git); the
  name depends only on the content, so every worker writes the same bytes
  and a changed file simply gets a new URL (no restart needed: the first
  link to it, or the first request for it, builds it).
* WhiteNoise serves those copies, precompressed, with ``Cache-Control:
  public, max-age=31536000, immutable``: a browser never asks again, and
  an htmx swap does not refetch the favicon.
* The pinned vendor files (htmx, plotly.js), precompressed by ``make
  assets``, keep their names; their links carry ``?v=<hash>`` and they are
  cached for a year, as before.
* Every static answer says ``X-Content-Type-Options: nosniff``.

Unfingerprinted ``/static/...`` URLs still work (Flask's static view, which
asks browsers to revalidate). The web app manifest is not a static file
(views/install.py): it keeps one URL and is revalidated.
"""

import gzip
import hashlib
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import brotli
from flask import current_app, url_for
from whitenoise import WhiteNoise

ONE_YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
DIGEST_LENGTH = 12
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".webmanifest")
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{%d})(?P<suffix>\.[^./]+)?$"
                           % DIGEST_LENGTH)


class StaticFiles(WhiteNoise):
    """WhiteNoise that also builds a fingerprinted copy it has not seen yet
    (a file changed after start, asked for by a worker that has not linked
    it): a request names its source and hash, so the copy is made only when
    the source still has that content."""

    def __init__(self, application, source, build, prefix):
        super().__init__(application, max_age=ONE_YEAR, add_headers_function=self._add_headers)
        self.source, self.build, self.prefix = Path(source), Path(build), prefix

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.prefix) and path not in self.files:
            self._build_requested(path[len(self.prefix):])
        return super().__call__(environ, start_response)

    def _build_requested(self, relative):
        match = FINGERPRINTED.match(relative)
        if not match or relative.startswith("vendor/") or ".." in relative.split("/"):
            return
        original = match["stem"] + (match["suffix"] or "")
        if (self.source / original).is_file() and self.fingerprint(original) == relative:
            self.register(original)

    def fingerprint(self, relative):
        """``relative`` with the hash of its current content in its name."""
        path = self.source / relative
        digest = _digest(str(path), path.stat().st_mtime_ns)
        stem, dot, suffix = relative.rpartition(".")
        if not dot or "/" in suffix:
            return f"{relative}.{digest}"
        return f"{stem}.{digest}.{suffix}"

    def register(self, relative):
        """Build the copy of ``relative`` (if not built yet) and serve it;
        return its URL."""
        named = self.fingerprint(relative)
        url = self.prefix + named
        if url not in self.files:
            target = self.build / named
            if not target.exists():
                _write_copy(self.source / relative, target)
            self.add_file_to_dictionary(url, str(target))
        return url

    def _add_headers(self, headers, path, url):
        """nosniff on every static answer; a year, immutable, for the
        fingerprinted copies (vendor files keep ``max-age`` of a year)."""
        headers["X-Content-Type-Options"] = "nosniff"
        if not url.startswith(self.prefix + "vendor/"):
            headers["Cache-Control"] = IMMUTABLE


def init_app(app):
    """Serve vendor files and the fingerprinted copies of the app's own."""
    source = Path(app.static_folder)
    build = Path(app.config.get("STATIC_BUILD_FOLDER") or Path(app.root_path) / ".static-build")
    prefix = f"{app.static_url_path}/"
    files = StaticFiles(app.wsgi_app, source, build, prefix)
    files.add_files(str(source / "vendor"), prefix=f"{prefix}vendor/")
    for path in sorted(own_files(source)):
        files.register(path)
    app.wsgi_app = files
    app.extensions["static_files"] = files


def own_files(source):
    """The app's own static files, relative to ``source``."""
    for path in Path(source).rglob("*"):
        relative = path.relative_to(source).as_posix()
        if path.is_file() and not relative.startswith(("vendor/", ".")) \
                and path.suffix not in (".br", ".gz"):
            yield relative


def url(filename):
    """The URL of a static file for templates: fingerprinted for the app's
    own files, ``?v=<hash>`` for vendor files."""
    files = current_app.extensions["static_files"]
    path = files.source / filename
    if not path.is_file():
        return url_for("static", filename=filename)
    if filename.startswith("vendor/"):
        return url_for("static", filename=filename, v=_digest(str(path), path.stat().st_mtime_ns))
    return files.register(filename)


@lru_cache(maxsize=512)
def _digest(path, mtime_ns):
    """A short content hash of a file (cached per file version)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:DIGEST_LENGTH]


def _write_copy(source, target):
    """Write ``target`` (a copy of ``source``) and, for text, its .br and .gz
    when they are smaller; each file appears whole (written aside, then
    renamed), the copy itself last, so a reader never sees half a file."""
    data = source.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix in COMPRESSIBLE:
        for suffix, packed in ((".br", brotli.compress(data)),
                               (".gz", gzip.compress(data, compresslevel=9, mtime=0))):
            if len(packed) < len(data) * 0.95:
                _write_whole(target.with_name(target.name + suffix), packed)
    _write_whole(target, data)


def _write_whole(target, data):
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)

