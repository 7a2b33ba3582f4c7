"""The super-factory programme dashboard: the Flask application factory.

Configuration is read, in order, from the defaults below, the instance
folder's ``config.py`` (optional; the folder is ``instance/`` or
``INSTANCE_PATH``), environment variables (``DATABASE_URL``,
``SECRET_KEY``, ``REDIS_URL``, any ``FLASK_*``), then ``test_config``.
"""

import os
import secrets
from pathlib import Path

from flask import Flask, current_app

import access
import cli
import database
import i18n
import query_count
import security
import static_files
from extensions import compress, csrf
from views import register_blueprints

ENVIRONMENT_KEYS = ("DATABASE_URL", "SECRET_KEY", "REDIS_URL")


def create_app(test_config=None):
    """Create and configure one app instance."""
    # INSTANCE_PATH moves the instance folder (config.py, the secret key, the
    # default SQLite file); the tests give every test its own.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("INSTANCE_PATH") or None)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'superfactory.db'}",
        REDIS_URL=None,
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        WTF_CSRF_TIME_LIMIT=None,  # pages stay open all day; token bound to the session
        SEND_FILE_MAX_AGE_DEFAULT=0,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        # Compress pages, never streams: a CSV export must flow, not buffer.
        COMPRESS_STREAMS=False,
        COMPRESS_ALGORITHM=["br", "gzip"],
        # How long a request waits for an unreachable database (PostgreSQL
        # restarting) before answering 503, and how long a SQLite writer
        # waits for the lock (None: database.py's 10 s).
        DATABASE_CONNECT_WAIT=10,
        SQLITE_BUSY_TIMEOUT_MS=None,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    for key in ENVIRONMENT_KEYS:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    bound = database.connect_database(app.config["DATABASE_URL"],
                                      app.config["SQLITE_BUSY_TIMEOUT_MS"])
    query_count.init_app(app, bound)
    app.before_request(_open_connection)
    app.teardown_appcontext(_close_connection)

    csrf.init_app(app)
    compress.init_app(app)
    access.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    register_blueprints(app)
    cli.register(app)
    static_files.init_app(app)
    return app


def _instance_secret_key(instance_path):
    """The secret key kept in the instance folder, made on first start so no
    secret lives in the code and restarts keep sessions valid."""
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _open_connection():
    """One database connection per request, waited for while the server is
    unreachable (see ``database.connect_waiting``; then a 503)."""
    database.connect_waiting(float(current_app.config["DATABASE_CONNECT_WAIT"]))


def _close_connection(exc):
    """Return the request's connection (to the pool on PostgreSQL); a
    connection the server cut is dropped, never an error here."""
    database.release_connection()
