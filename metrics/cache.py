"""Dashboard answers kept in the database, keyed by the data they read
(issue 16: wide scopes fast, never a stale number).

Each table the dashboards read has a version in ``data_version``, bumped by
triggers in the same transaction as every write to it (migration 011). An
answer is stored in ``metric_cache`` with the versions of the tables it
read, and used only while those are still the current versions: the first
request after a write computes afresh, every later one reads one row. The
versions are read *before* computing, so an answer computed while a write
commits is stored under the older versions and never served after it.

Kept in the database, not in process memory, so every worker sees the same
answers and the same invalidation. Values are JSON with ``Decimal``,
``date``, ``datetime``, ``timedelta``, tuples and registered dataclasses tagged, and
dicts with non-text keys kept as pairs, so a cached answer equals the
computed one exactly.

An answer read at the current time (the complaint board's SLA clocks)
is stored with the moment it stops being true by the clock alone
(``remembered(..., now=, until=)``) and reused only before that moment.

``remembered(reads, name, parts, compute)`` is the primitive;
``memoized(reads)`` decorates a ``metrics`` function of ``(scope, period,
...)``; ``scope_key`` and ``period_key`` build keys.
"""

import dataclasses
import datetime
import functools
import hashlib
import json
from decimal import Decimal

from peewee import DatabaseError

import database
from models import DataVersion, MetricCache, db, utcnow
from metrics import cache_sql
from metrics.period import Period
from metrics.scoping import Scope

# Answers not stored again within this many days are dropped.
KEEP_DAYS = 7
# What sales and onboarding answers depend on (beyond the scope's user,
# which is part of every key).
SALES_READS = ("sales_daily", "factory", "membership", "user", "user_region", "region")
ONBOARDING_READS = ("stage_event", "factory", "membership", "user", "user_region", "region",
                    "visit")
# The onboarding KPIs alone read no visits: a logged visit keeps them.
ONBOARDING_KPI_READS = tuple(name for name in ONBOARDING_READS if name != "visit")
# Renewal health reads sales, complaints and visits too.
RENEWAL_READS = ("membership", "renewal_case", "renewal_event", "sales_daily", "complaint",
                 "complaint_event", "visit", "factory", "user", "user_region", "region")
# The complaint board's KPIs and charts (the scope's tables; the tier
# filter reads the terms).
COMPLAINT_READS = ("complaint", "factory", "membership", "user", "user_region", "region")


# --- values ------------------------------------------------------------------

# Dataclasses an answer may hold (``register``): stored with their name,
# rebuilt only if registered (never an arbitrary import from stored text).
_CLASSES = {}
# The same, by class: the stored name and the field names of each.
_REGISTERED = {}
# Values stored as they are. Checked first, by exact type: they are most of
# the values in an answer (a renewals due list at admin scope holds about
# 100,000), and one set lookup is the cheapest test.
_PLAIN = {str, int, float, bool, type(None)}


def register(cls):
    """Let answers hold instances of the dataclass ``cls`` (a decorator)."""
    name = f"{cls.__module__}.{cls.__qualname__}"
    _CLASSES[name] = cls
    _REGISTERED[cls] = (name, tuple(field.name for field in dataclasses.fields(cls)))
    return cls


def _encode(value):
    if type(value) in _PLAIN:
        return value
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _encode(item) for key, item in value.items()}
        return {"$map": [[_encode(key), _encode(item)] for key, item in value.items()]}
    registered = _REGISTERED.get(type(value))
    if registered is not None:
        name, fields = registered
        return {"$dc": [name, {field: _encode(getattr(value, field)) for field in fields}]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        raise TypeError(f"cannot cache a {type(value).__module__}.{type(value).__qualname__} "
                        "(not registered)")
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, datetime.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"$td": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, tuple):
        return {"$t": [_encode(item) for item in value]}
    if isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode_object(obj):
    if len(obj) == 1:
        (tag, raw), = obj.items()
        if tag == "$d":
            return Decimal(raw)
        if tag == "$date":
            return datetime.date.fromisoformat(raw)
        if tag == "$dt":
            return datetime.datetime.fromisoformat(raw)
        if tag == "$td":
            return datetime.timedelta(*raw)
        if tag == "$map":
            return {_hashable(key): item for key, item in raw}
        if tag == "$t":
            return tuple(raw)
        if tag == "$dc":
            name, fields = raw
            return _CLASSES[name](**fields)
    return obj


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


def dumps(value):
    """``value`` as the JSON text the cache stores."""
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":"))


def loads(text):
    """The value ``dumps`` wrote."""
    return json.loads(text, object_hook=_decode_object)


# --- keys --------------------------------------------------------------------

def scope_key(scope):
    """What of a ``metrics.scoping.Scope`` decides an answer: who asks (their
    role, state and factory: a manager's regions are the ``user_region``
    table's version) and the filters."""
    user = scope.user
    return [None if user is None else [user.id, user.role, bool(user.is_active),
                                       user.factory_id],
            scope.region.id if scope.region else None, scope.rep.id if scope.rep else None,
            scope.factory.id if scope.factory else None, scope.tier]


def period_key(period):
    """A ``Period`` (or one day) as key material."""
    if isinstance(period, datetime.date):
        return period.isoformat()
    return [period.start.isoformat(), period.end.isoformat()]


def _arg_key(value):
    if isinstance(value, Scope):
        return scope_key(value)
    if isinstance(value, (Period, datetime.date)):
        return period_key(value)
    return value


def current_versions(reads):
    """The versions of the tables ``reads`` as one text (a table never
    written yet is 0)."""
    rows = dict(DataVersion.select(DataVersion.name, DataVersion.n)
                .where(DataVersion.name.in_(list(reads))).tuples())
    return ",".join(f"{name}:{rows.get(name, 0)}" for name in sorted(reads))


def _key(name, parts):
    text = json.dumps([name, parts], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- use ---------------------------------------------------------------------

def remembered(reads, name, parts, compute, now=None, until=None):
    """``compute()``, or the answer stored for ``name`` and ``parts`` (JSON-able
    key material) while the tables ``reads`` have not changed since.

    ``until``: for an answer that also depends on the time ``now`` (naive
    UTC) it was computed at: ``until()``, called after ``compute()``, is the
    first moment the answer may stop being true by the clock alone (``None``:
    only a write changes it); it is stored with the answer, which is reused
    only by a request whose ``now`` is before that moment."""
    versions = current_versions(reads)
    key = _key(name, parts)
    row = (MetricCache.select(MetricCache.versions, MetricCache.value)
           .where(MetricCache.key == key).tuples().first())
    if row is not None and row[0] == versions:
        stored = loads(row[1])
        if until is None:
            return stored
        expires, value = stored
        if expires is None or now < expires:
            return value
    value = compute()
    _store(key, versions, dumps(value if until is None else (until(), value)))
    return value


def _store(key, versions, text):
    """Upsert the answer; never wait for a busy writer (a long import holds
    SQLite's write lock): a reader that cannot store now simply computes
    again next time."""
    now = utcnow()
    sqlite = not database.is_postgres()
    try:
        if sqlite:
            db.execute_sql("PRAGMA busy_timeout = 0")
        with db.atomic():
            (MetricCache.insert(key=key, versions=versions, value=text, stored_at=now)
             .on_conflict(conflict_target=[MetricCache.key],
                          update={MetricCache.versions: versions, MetricCache.value: text,
                                  MetricCache.stored_at: now})
             .execute())
            MetricCache.delete().where(
                MetricCache.stored_at < now - datetime.timedelta(days=KEEP_DAYS)).execute()
    except DatabaseError:
        pass
    finally:
        if sqlite:
            db.execute_sql(f"PRAGMA busy_timeout = {database.SQLITE_PRAGMAS['busy_timeout']}")


def memoized(reads):
    """Decorate a ``metrics`` function whose arguments are ``Scope``s,
    ``Period``s, dates and plain JSON-able values, so its answer is
    remembered (``remembered``) while the tables ``reads`` are unchanged."""
    def decorate(function):
        name = f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            parts = [[_arg_key(arg) for arg in args],
                     {key: _arg_key(value) for key, value in kwargs.items()}]
            return remembered(reads, name, parts, lambda: function(*args, **kwargs))
        wrapper.uncached = function
        return wrapper
    return decorate


def bump(table):
    """Bump ``table``'s version by hand, in the caller's transaction (after
    a bulk write made with its triggers dropped: ``version_triggers``)."""
    db.execute_sql(cache_sql.bump_sql(table))


def version_triggers(table):
    """``(drop statements, create statements)`` of ``table``'s version
    triggers, for a bulk write that drops them and calls ``bump`` once."""
    postgres = database.is_postgres()
    return (cache_sql.drop_triggers(postgres, table),
            cache_sql.create_triggers(postgres, table))
