"""Fetching query results without peewee's per-value conversion.

peewee parses every date and timestamp it reads on SQLite with ``strptime``
over several formats, which dominates the time of a KPI over thousands of
rows. These helpers run a peewee query on the cursor directly and convert
with ``fromisoformat`` (PostgreSQL already returns date/datetime objects).
"""

import datetime

from models import db


def rows(query):
    """All rows of ``query`` as plain tuples of database values."""
    return db.execute_sql(*query.sql()).fetchall()


def to_date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value[:10])


def to_datetime(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(value)
