"""The eight file kinds of SPEC section 6: columns, natural keys, checks,
and how a checked row maps onto its table.

A kind turns the parsed cells of one row into a *staging row*: the values
of its table's columns, references resolved to ids (``factory_code`` to
``factory_id``), money in fen. The importer copies staging rows into a
temporary table and upserts from there on the natural key (``db_key``).
"""

import contextlib
import functools

from exchange import values as v
from exchange.values import N_
from metrics.rollup import bulk_sales_write
from models import (ALL_STAGES, CHANNELS, COMPLAINT_CATEGORIES, FACTORY_KINDS, ROLES,
                    SEVERITIES, TIERS, VISIT_PURPOSES, Complaint, Factory, Membership,
                    Region, SalesDaily, StageEvent, User, UserRegion, Visit, utcnow)

REQUIRED = N_("required")


class Column:
    """One file column: its name, its parser and what an empty cell means."""

    def __init__(self, name, parse, required=True, blank=None, optional=False):
        self.name = name
        self.parse = parse
        self.required = required
        self.blank = blank
        # An optional column may be left out of the header (a column added
        # after SPEC section 6's form): every row then reads ``blank``.
        self.optional = optional


def _max(model, field):
    return getattr(model, field).max_length


def text_column(name, model=None, field=None, required=False):
    """Free text kept exactly; empty allowed unless ``required``."""
    limit = _max(model, field or name) if model else None
    return Column(name, functools.partial(v.text, max_length=limit), required, blank="")


def code_column(name, model, field=None, required=True):
    return Column(name, functools.partial(v.code, max_length=_max(model, field or name)),
                  required, blank="")


def choice_column(name, choices, required=True):
    return Column(name, functools.partial(v.choice, values=choices), required)


class Refs:
    """The reference data a kind's rows point at, loaded once per import
    (natural key to id, in bulk: never one query per row)."""

    def __init__(self, regions=False, factories=False, users=False):
        self.regions = dict(Region.select(Region.code, Region.id).tuples()) if regions else {}
        self.factories = (dict(Factory.select(Factory.code, Factory.id).tuples())
                          if factories else {})
        self.users = ({username: (user_id, role) for username, user_id, role in
                       User.select(User.username, User.id, User.role).tuples()}
                      if users else {})


class Kind:
    """A file kind. Subclasses set the class attributes and ``to_row``."""

    name = ""
    model = None
    columns = ()
    key = ()          # the natural key, in file column names
    db_key = ()       # the same key in table column names
    db_values = ()    # the other table columns an import sets
    db_insert_only = ()  # columns set on insert only (defaults), never compared
    refs = {}

    @property
    def column_names(self):
        return [column.name for column in self.columns]

    @property
    def staging_columns(self):
        return tuple(self.db_key) + tuple(self.db_values) + tuple(self.db_insert_only)

    def load_refs(self):
        return Refs(**self.refs)

    def insert_only_values(self):
        return ()

    def to_row(self, cells, refs, error):
        """The staging row for parsed ``cells`` (column name to value), or
        None after calling ``error(column, message, **params)`` for each
        problem."""
        raise NotImplementedError

    def bulk_write(self, changes, staging_table):
        """A context around the write of ``changes`` rows from
        ``staging_table`` (by default none; sales suspends its rollup
        triggers for big loads)."""
        return contextlib.nullcontext()

    # Hooks for kinds with more than one table (users and their regions).
    extra_staging = ()

    def extra_values(self, cells, refs):
        return ()

    def changed_extra_keys(self, staged):
        return set()

    def write_extra(self, staged):
        pass

    @staticmethod
    def factory_id(cells, refs, error, column="factory_code"):
        code = cells[column]
        factory_id = refs.factories.get(code)
        if factory_id is None:
            error(column, N_("no factory with code %(code)s"), code=code)
        return factory_id

    @staticmethod
    def staff_id(cells, refs, error, column="rep_username"):
        """A rep, manager or admin (anyone on staff logs visits in the app)."""
        username = cells[column]
        found = refs.users.get(username)
        if found is None:
            error(column, N_("no user named %(username)s"), username=username)
            return None
        if found[1] == "owner":
            error(column, N_("%(username)s is a %(role)s, not staff"), username=username,
                  role=found[1])
            return None
        return found[0]

    @staticmethod
    def rep_id(cells, refs, error, column="rep_username"):
        username = cells[column]
        found = refs.users.get(username)
        if found is None:
            error(column, N_("no user named %(username)s"), username=username)
            return None
        if found[1] != "rep":
            error(column, N_("%(username)s is a %(role)s, not a rep"), username=username,
                  role=found[1])
            return None
        return found[0]


class Regions(Kind):
    name = "regions"
    model = Region
    columns = (
        code_column("code", Region),
        text_column("name_zh", Region, required=True),
        text_column("name_en", Region, required=True),
        text_column("province", Region),
        text_column("city", Region),
        text_column("industry_zh", Region),
        text_column("industry_en", Region),
    )
    key = ("code",)
    db_key = ("code",)
    db_values = ("name_zh", "name_en", "province", "city", "industry_zh", "industry_en")

    def to_row(self, cells, refs, error):
        return tuple(cells[name] for name in self.column_names)


class Users(Kind):
    name = "users"
    model = User
    columns = (
        code_column("username", User),
        text_column("display_name", User, required=True),
        choice_column("role", ROLES),
        Column("regions", str, required=False, blank=""),
        code_column("factory_code", Factory, "code", required=False),
        text_column("email", User),
        text_column("phone", User),
    )
    key = ("username",)
    db_key = ("username",)
    db_values = ("display_name", "role", "factory_id", "email", "phone")
    db_insert_only = ("is_active", "created_at")
    extra_staging = ("region_ids",)
    refs = {"regions": True, "factories": True}

    def to_row(self, cells, refs, error):
        role = cells["role"]
        factory_id = None
        if role == "owner":
            if not cells["factory_code"]:
                error("factory_code", N_("an owner needs the code of their factory"))
            else:
                factory_id = self.factory_id(cells, refs, error)
        elif cells["factory_code"]:
            error("factory_code", N_("only owners belong to a factory"))
        codes = sorted({part.strip() for part in cells["regions"].replace("；", ";").split(";")
                        if part.strip()})
        if codes and role not in ("rep", "manager"):
            error("regions", N_("only reps and managers have regions"))
        unknown = [c for c in codes if c not in refs.regions]
        if unknown:
            error("regions", N_("no region with code %(code)s"), code=", ".join(unknown))
        email = cells["email"]
        if email and ("@" not in email or any(ch.isspace() for ch in email)):
            error("email", N_("not an email address"))
        region_ids = ";".join(str(refs.regions[c]) for c in codes if c in refs.regions)
        return (cells["username"], cells["display_name"], role, factory_id, email,
                cells["phone"], True, utcnow(), region_ids)

    def changed_extra_keys(self, staged):
        """Usernames whose region links differ from the file's."""
        current = {}
        query = (UserRegion.select(User.username, UserRegion.region)
                 .join(User).where(User.username.in_(list(staged))).tuples())
        for username, region_id in query:
            current.setdefault(username, set()).add(region_id)
        return {username for username, wanted in staged.items()
                if current.get(username, set()) != wanted}

    def write_extra(self, staged):
        """Make every imported user's region links exactly the file's."""
        ids = dict(User.select(User.username, User.id)
                   .where(User.username.in_(list(staged))).tuples())
        for username in self.changed_extra_keys(staged):
            user_id = ids[username]
            UserRegion.delete().where(UserRegion.user == user_id).execute()
            rows = [{"user": user_id, "region": region_id}
                    for region_id in sorted(staged[username])]
            if rows:
                UserRegion.insert_many(rows).execute()


class Factories(Kind):
    name = "factories"
    model = Factory
    columns = (
        code_column("code", Factory),
        text_column("name", Factory, required=True),
        code_column("region_code", Region, "code"),
        choice_column("kind", FACTORY_KINDS),
        code_column("rep_username", User, "username", required=False),
        Column("specialized", v.yes_no, required=False, blank=False),
        Column("little_giant", v.yes_no, required=False, blank=False),
        text_column("phone", Factory),
        text_column("address", Factory),
    )
    key = ("code",)
    db_key = ("code",)
    db_values = ("name", "region_id", "kind", "rep_id", "specialized", "little_giant",
                 "phone", "address")
    refs = {"regions": True, "users": True}

    def to_row(self, cells, refs, error):
        region_id = refs.regions.get(cells["region_code"])
        if region_id is None:
            error("region_code", N_("no region with code %(code)s"), code=cells["region_code"])
        rep_id = self.rep_id(cells, refs, error) if cells["rep_username"] else None
        return (cells["code"], cells["name"], region_id, cells["kind"], rep_id,
                cells["specialized"], cells["little_giant"], cells["phone"], cells["address"])


class Stages(Kind):
    name = "stages"
    model = StageEvent
    columns = (
        code_column("factory_code", Factory, "code"),
        choice_column("stage", ALL_STAGES),
        Column("entered_on", v.date),
        # Optional (migration 007): 1 = the first pipeline, 2 after a reopen...
        Column("pipeline", v.pipeline, required=False, blank=1, optional=True),
    )
    key = ("factory_code", "stage", "pipeline")
    db_key = ("factory_id", "stage", "pipeline")
    db_values = ("entered_on",)
    refs = {"factories": True}

    def to_row(self, cells, refs, error):
        return (self.factory_id(cells, refs, error), cells["stage"], cells["pipeline"],
                cells["entered_on"])


class Memberships(Kind):
    name = "memberships"
    model = Membership
    columns = (
        code_column("factory_code", Factory, "code"),
        Column("start", v.date),
        Column("end", v.date),
        choice_column("tier", TIERS),
        Column("fee_cny", v.money_fen),
        choice_column("outcome", ("renewed", "churned"), required=False),
    )
    key = ("factory_code", "start")
    db_key = ("factory_id", "start")
    db_values = ("end", "tier", "fee_fen", "outcome")
    refs = {"factories": True}

    def to_row(self, cells, refs, error):
        if cells["start"] and cells["end"] and cells["end"] <= cells["start"]:
            error("end", N_("must be after start (%(start)s)"), start=cells["start"].isoformat())
        return (self.factory_id(cells, refs, error), cells["start"], cells["end"],
                cells["tier"], cells["fee_cny"], cells["outcome"])


class Sales(Kind):
    name = "sales"
    model = SalesDaily
    columns = (
        code_column("factory_code", Factory, "code"),
        Column("date", v.date),
        Column("gmv_cny", v.money_fen),
        Column("orders", v.count),
        Column("new_buyers", v.count),
        Column("repeat_orders", v.count),
        Column("dropship_orders", v.count),
        Column("shipments", v.count),
        Column("shipments_picked_48h", v.count),
    )
    key = ("factory_code", "date")
    db_key = ("factory_id", "date")
    db_values = ("gmv_fen", "orders", "new_buyers", "repeat_orders", "dropship_orders",
                 "shipments", "shipments_picked_48h")
    refs = {"factories": True}

    def to_row(self, cells, refs, error):
        factory_id = refs.factories.get(cells["factory_code"])
        if factory_id is None:
            error("factory_code", N_("no factory with code %(code)s"), code=cells["factory_code"])
        orders = cells["orders"]
        if orders is not None:
            for column in ("repeat_orders", "dropship_orders"):
                if cells[column] is not None and cells[column] > orders:
                    error(column, N_("more than orders (%(orders)s)"), orders=orders)
        shipments, picked = cells["shipments"], cells["shipments_picked_48h"]
        if shipments is not None and picked is not None and picked > shipments:
            error("shipments_picked_48h", N_("more than shipments (%(shipments)s)"),
                  shipments=shipments)
        return (factory_id, cells["date"], cells["gmv_cny"], orders, cells["new_buyers"],
                cells["repeat_orders"], cells["dropship_orders"], shipments, picked)


    # From this many changed rows on, one set-based recompute of the touched
    # factories' rollup is cheaper than its triggers firing once per row.
    BULK_ROWS = 5_000

    def bulk_write(self, changes, staging_table):
        """For a big load, drop the rollup triggers, write, then recreate
        them and recompute the rollup of the factories the file touches: all
        inside the import's transaction, so a failure or a kill undoes that
        too (``metrics.rollup.bulk_sales_write``)."""
        if changes < self.BULK_ROWS:
            return contextlib.nullcontext()
        return bulk_sales_write(f'SELECT DISTINCT "factory_id" FROM {staging_table}')


class Complaints(Kind):
    name = "complaints"
    model = Complaint
    columns = (
        code_column("code", Complaint),
        code_column("factory_code", Factory, "code"),
        choice_column("category", COMPLAINT_CATEGORIES),
        choice_column("severity", SEVERITIES),
        choice_column("channel", CHANNELS),
        text_column("title", Complaint, required=True),
        text_column("body"),
        Column("created_at", v.timestamp),
        Column("first_response_at", v.timestamp, required=False),
        Column("resolved_at", v.timestamp, required=False),
        Column("satisfaction", v.count, required=False),
    )
    key = ("code",)
    db_key = ("code",)
    db_values = ("factory_id", "category", "severity", "channel", "title", "body",
                 "created_at", "first_response_at", "resolved_at", "satisfaction", "status")
    refs = {"factories": True}

    def to_row(self, cells, refs, error):
        created = cells["created_at"]
        for column in ("first_response_at", "resolved_at"):
            if created and cells[column] and cells[column] < created:
                error(column, N_("before created_at"))
        satisfaction = cells["satisfaction"]
        if satisfaction is not None:
            if not 1 <= satisfaction <= 5:
                error("satisfaction", N_("must be 1 to 5, or empty"))
            elif not cells["resolved_at"]:
                error("satisfaction", N_("only a resolved complaint can be rated"))
        status = ("resolved" if cells["resolved_at"]
                  else "in_progress" if cells["first_response_at"] else "open")
        return (cells["code"], self.factory_id(cells, refs, error), cells["category"],
                cells["severity"], cells["channel"], cells["title"], cells["body"], created,
                cells["first_response_at"], cells["resolved_at"], satisfaction, status)


class Visits(Kind):
    name = "visits"
    model = Visit
    columns = (
        code_column("factory_code", Factory, "code"),
        code_column("rep_username", User, "username"),
        Column("visited_at", v.timestamp),
        choice_column("purpose", VISIT_PURPOSES),
        text_column("notes"),
        Column("next_action_on", v.date, required=False),
        # Optional (migration 007): the check-in, when the visitor shared it.
        Column("latitude", functools.partial(v.coordinate, limit=90), required=False,
               optional=True),
        Column("longitude", functools.partial(v.coordinate, limit=180), required=False,
               optional=True),
        Column("accuracy_m", functools.partial(v.coordinate, limit=100_000, low=0),
               required=False, optional=True),
    )
    key = ("factory_code", "rep_username", "visited_at")
    db_key = ("factory_id", "rep_id", "visited_at")
    db_values = ("purpose", "notes", "next_action_on", "latitude", "longitude", "accuracy_m")
    refs = {"factories": True, "users": True}

    def to_row(self, cells, refs, error):
        if (cells["latitude"] is None) != (cells["longitude"] is None):
            error("latitude" if cells["latitude"] is None else "longitude",
                  N_("a check-in needs both latitude and longitude"))
        return (self.factory_id(cells, refs, error), self.staff_id(cells, refs, error),
                cells["visited_at"], cells["purpose"], cells["notes"], cells["next_action_on"],
                cells["latitude"], cells["longitude"], cells["accuracy_m"])


KINDS = {kind.name: kind for kind in (Regions(), Users(), Factories(), Stages(), Memberships(),
                                      Sales(), Complaints(), Visits())}
"""Every kind by name, in the order a full load goes (SPEC section 6)."""

KIND_NAMES = tuple(KINDS)

