"""The whole domain of the super-factory programme as peewee models.

The database is not chosen here: every model binds to ``db``, a
``DatabaseProxy`` that ``database.connect_database`` initialises at run time
from ``DATABASE_URL`` (SQLite file by default, PostgreSQL when asked).

Conventions, so every query can rely on them:

* Money is integer fen (1 CNY = 100 fen) in ``*_fen`` fields: exact on both
  SQLite and PostgreSQL, and fast to sum. ``fen_to_cny`` turns it back.
* Timestamps are naive UTC datetimes. Dashboards count by Asia/Shanghai
  calendar dates; ``metrics.period`` converts a Shanghai date range into
  the UTC bounds a query needs (``Period.utc_bounds``).
* Dates (stage entry, term start/end, sales day) are Asia/Shanghai calendar
  dates already, stored as ``DateField``.
* Enumerations are short English codes (``super``, ``after_sales``); the
  pages translate them.
"""

import datetime
import secrets
from decimal import Decimal

from peewee import (
    BigIntegerField,
    BlobField,
    CompositeKey,
    BooleanField,
    CharField,
    FloatField,
    Check,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)
from werkzeug.security import check_password_hash, generate_password_hash

db = DatabaseProxy()

ROLES = ("rep", "manager", "owner", "admin")
STAGES = ("lead", "contacted", "visited", "signed", "store_ready", "trained", "live")
LOST_STAGE = "lost"
ALL_STAGES = STAGES + (LOST_STAGE,)
TIERS = ("cxt", "super")
TIER_FEES_FEN = {"cxt": 6_688_00, "super": 106_800_00}
OUTCOMES = ("renewed", "churned")  # NULL outcome = the term is still open
FACTORY_KINDS = ("factory", "trader")
COMPLAINT_CATEGORIES = (
    "traffic", "fees", "logistics", "after_sales", "service",
    "rules", "tools", "payment", "other",
)
SEVERITIES = ("critical", "high", "normal", "low")
# SPEC section 4: resolution and first-response targets in clock hours.
RESOLUTION_TARGET_HOURS = {"critical": 24, "high": 72, "normal": 168, "low": 336}
FIRST_RESPONSE_TARGET_HOURS = {"critical": 4, "high": 4, "normal": 24, "low": 24}
CHANNELS = ("board", "group", "visit", "phone")
# The severity the intake form suggests for each category (the filer may
# change it): money and orders stuck are urgent, questions and ideas are not.
SUGGESTED_SEVERITY = {
    "traffic": "normal", "fees": "normal", "logistics": "high", "after_sales": "high",
    "service": "normal", "rules": "normal", "tools": "low", "payment": "high",
    "other": "low",
}
COMPLAINT_STATUSES = ("open", "in_progress", "resolved")
VISIT_PURPOSES = ("onboarding", "training", "renewal", "complaint", "routine")
RENEWAL_STATUSES = ("open", "proposed", "approved", "rejected", "renewed", "churned")
RENEWAL_DECISIONS = ("approved", "rejected")
CHURN_REASONS = (
    "low_roi", "fee_too_high", "traffic", "service", "business_closed",
    "competitor", "other",
)


def utcnow():
    """Now as a naive UTC datetime, the form every timestamp is stored in."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def fen_to_cny(fen):
    """Integer fen to an exact ``Decimal`` of yuan (``None`` stays ``None``)."""
    if fen is None:
        return None
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def _choice_check(field, values):
    """A CHECK constraint keeping ``field`` inside an enumeration."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return Check(f"{field} IN ({quoted})")


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Region(BaseModel):
    """A production-area centre (产地中心) around an industrial belt."""

    code = CharField(max_length=32, unique=True)
    name_zh = CharField(max_length=100)
    name_en = CharField(max_length=100)
    province = CharField(max_length=50)
    city = CharField(max_length=50)
    industry_zh = CharField(max_length=100)
    industry_en = CharField(max_length=100)

    def name(self, locale):
        """The region's name in the page's language."""
        return self.name_en if str(locale).startswith("en") else self.name_zh


class User(BaseModel):
    """A person who logs in: rep, manager, factory owner or admin.

    ``factory`` is set for owners only. A manager with no regions sees all of
    them (SPEC section 1). ``password_hash`` is empty until
    ``flask set-password`` or an admin sets one: passwords are never imported.
    """

    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=100)
    role = CharField(max_length=16, constraints=[_choice_check("role", ROLES)])
    # Factory is declared below and references User (its rep): a deferred key
    # breaks the cycle; migrations add the constraint once both tables exist.
    factory = DeferredForeignKey("Factory", null=True, on_delete="SET NULL")
    email = CharField(max_length=254, default="")
    phone = CharField(max_length=32, default="")
    password_hash = CharField(max_length=255, null=True)
    is_active = BooleanField(default=True)
    locale = CharField(max_length=10, null=True)
    created_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)

    def set_password(self, password):
        """Store a scrypt hash of ``password`` (never the password)."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password):
        """True when ``password`` matches; False when none has been set."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # Flask-Login's user interface (``get_id`` is peewee's: the primary key).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_staff(self):
        """Reps, managers and admins work for the platform; owners do not."""
        return self.role != "owner"


class UserRegion(BaseModel):
    """Regions a rep works in or a manager is responsible for."""

    user = ForeignKeyField(User, backref="region_links", on_delete="CASCADE")
    region = ForeignKeyField(Region, backref="user_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "region"), True),)


class LoginSession(BaseModel):
    """One browser login. The session cookie carries only ``key``; logging
    out, changing a password or disabling the user revokes the row, so a
    cookie captured earlier is refused afterwards on every worker."""

    key = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="login_sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    ip = CharField(max_length=64, default="")
    user_agent = CharField(max_length=255, default="")


class ApiToken(BaseModel):
    """A bearer token an admin issues to a user for spreadsheets and BI
    tools. Only a hash of the token is stored; it carries the user's scope."""

    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=100)
    token_hash = CharField(max_length=128, unique=True)
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)


class Factory(BaseModel):
    """A member (or prospective member) factory or trading company."""

    code = CharField(max_length=32, unique=True)
    name = CharField(max_length=200)
    region = ForeignKeyField(Region, backref="factories", on_delete="RESTRICT")
    kind = CharField(
        max_length=16, default="factory",
        constraints=[_choice_check("kind", FACTORY_KINDS)],
    )
    rep = ForeignKeyField(
        User, null=True, backref="book", on_delete="SET NULL"
    )
    specialized = BooleanField(default=False)  # 专精特新
    little_giant = BooleanField(default=False)  # 小巨人
    phone = CharField(max_length=32, default="")
    address = CharField(max_length=255, default="")
    version = IntegerField(default=0)  # optimistic concurrency (actions.bump_version)


class StageEvent(BaseModel):
    """The date a factory entered an onboarding stage: one row per stage and
    pipeline. ``pipeline`` is 1 for the first; a reopen (``lead`` again from
    ``lost``) starts the next, so the first pipeline's rows stay as they were
    (migration 007 says how the KPIs read it). The current stage is the one
    entered last in the highest pipeline (ties: the later stage)."""

    factory = ForeignKeyField(Factory, backref="stage_events", on_delete="CASCADE")
    stage = CharField(max_length=16, constraints=[_choice_check("stage", ALL_STAGES)])
    entered_on = DateField(index=True)
    pipeline = SmallIntegerField(default=1)
    note = TextField(default="")
    moved_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(null=True)  # set by moves made in the app

    class Meta:
        indexes = ((("factory", "pipeline", "stage"), True),)


class Membership(BaseModel):
    """One membership term (a year of CXT or super-factory membership).

    ``outcome`` is NULL while the term is open; ``renewed`` or ``churned``
    once decided. A term's successor is the same factory's next term by start
    date."""

    factory = ForeignKeyField(Factory, backref="memberships", on_delete="CASCADE")
    tier = CharField(max_length=8, constraints=[_choice_check("tier", TIERS)])
    fee_fen = BigIntegerField(constraints=[Check("fee_fen >= 0")])
    start = DateField()
    end = DateField(index=True)
    outcome = CharField(
        max_length=8, null=True,
        constraints=[Check("outcome IS NULL OR outcome IN ('renewed', 'churned')")],
    )

    class Meta:
        indexes = (
            (("factory", "start"), True),
            (("tier", "end"), False),
        )
        constraints = [Check('"end" > start')]


class RenewalCase(BaseModel):
    """The renewal work on one open term: the rep's proposal, the manager's
    decision and, if the factory leaves, why."""

    membership = ForeignKeyField(
        Membership, unique=True, backref="renewal_cases", on_delete="CASCADE"
    )
    status = CharField(
        max_length=16, default="open",
        constraints=[_choice_check("status", RENEWAL_STATUSES)],
    )
    risk_note = TextField(default="")
    proposed_tier = CharField(max_length=8, null=True)
    proposed_fee_fen = BigIntegerField(null=True)
    proposal_note = TextField(default="")
    proposed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    proposed_at = DateTimeField(null=True)
    decision = CharField(max_length=16, null=True)
    decision_note = TextField(default="")
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    decided_at = DateTimeField(null=True)
    churn_reason = CharField(max_length=32, null=True)
    updated_at = DateTimeField(default=utcnow)
    version = IntegerField(default=0)  # optimistic concurrency (actions.bump_version)
    # Migration 009: the factory's health when the case closed (the forecast's basis).
    health_score = SmallIntegerField(null=True)
    health_band = CharField(max_length=8, null=True)


class Complaint(BaseModel):
    """A complaint (吐槽) about the programme, filed by an owner or by a rep
    on a factory's behalf. SLA clocks run from ``created_at``."""

    code = CharField(max_length=32, unique=True)
    factory = ForeignKeyField(Factory, backref="complaints", on_delete="CASCADE")
    category = CharField(
        max_length=16, constraints=[_choice_check("category", COMPLAINT_CATEGORIES)]
    )
    severity = CharField(
        max_length=8, constraints=[_choice_check("severity", SEVERITIES)]
    )
    channel = CharField(max_length=8, constraints=[_choice_check("channel", CHANNELS)])
    title = CharField(max_length=200)
    body = TextField(default="")
    status = CharField(
        max_length=16, default="open",
        constraints=[_choice_check("status", COMPLAINT_STATUSES)],
    )
    assignee = ForeignKeyField(User, null=True, backref="assigned_complaints",
                               on_delete="SET NULL")
    filed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(index=True)
    first_response_at = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True, index=True)
    # Migration 010: the owner's words with the rating, and when they rated.
    rating_comment = TextField(default="")
    rated_at = DateTimeField(null=True)
    satisfaction = SmallIntegerField(
        null=True,
        constraints=[Check("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5")],
    )
    version = IntegerField(default=0)  # optimistic concurrency (actions.bump_version)

    def status_from_timestamps(self):
        """The status the timestamps imply (used by imports and the seed)."""
        if self.resolved_at:
            return "resolved"
        return "in_progress" if self.first_response_at else "open"

    class Meta:
        indexes = ((("factory", "created_at"), False),)

    # Letters and digits that cannot be misread over the phone (no 0/O, 1/I).
    CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

    @classmethod
    def new_code(cls, created_at, rng=secrets.SystemRandom()):
        """A fresh code for a complaint filed at ``created_at`` (naive UTC):
        ``TC`` + its Asia/Shanghai date + five unguessable characters, e.g.
        ``TC260302-K7QMX`` (short enough to read out on the phone; 33
        million per day). The unique index decides: a writer that collides
        (about never) draws again."""
        day = (created_at + datetime.timedelta(hours=8)).date()  # Shanghai: UTC+8, no DST
        suffix = "".join(rng.choice(cls.CODE_ALPHABET) for _ in range(5))
        return f"TC{day:%y%m%d}-{suffix}"


class ComplaintEvent(BaseModel):
    """A status change or comment on a complaint. ``internal`` events are
    hidden from the factory owner."""

    complaint = ForeignKeyField(Complaint, backref="events", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    from_status = CharField(max_length=16, null=True)
    to_status = CharField(max_length=16, null=True)
    body = TextField(default="")
    internal = BooleanField(default=False)
    # Migration 010: an assignee change (from -> to), or a rating (1-5, with
    # the owner's comment in ``body``).
    from_assignee = ForeignKeyField(User, null=True, on_delete="SET NULL",
                                    backref="+")
    to_assignee = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    satisfaction = SmallIntegerField(
        null=True,
        constraints=[Check("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5")],
    )


SLA_CLOCKS = ("first_response", "resolution")
SLA_ALERT_STAGES = ("due_soon", "breached")


class ComplaintAlert(BaseModel):
    """Migration 010: the SLA sweep sent this alert (``stage``) about this
    clock of this complaint. The unique key is what makes ``flask
    sla-sweep`` idempotent: an alert is recorded and its notifications
    written in one transaction, and never a second time."""

    complaint = ForeignKeyField(Complaint, backref="alerts", on_delete="CASCADE")
    clock = CharField(max_length=16, constraints=[_choice_check("clock", SLA_CLOCKS)])
    stage = CharField(max_length=16, constraints=[_choice_check("stage", SLA_ALERT_STAGES)])
    sent_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("complaint", "clock", "stage"), True),)


class Visit(BaseModel):
    """A rep's visit to a factory (on site, one to one). The check-in
    (``latitude``, ``longitude``, ``accuracy_m`` in metres) is there only when
    the rep let the browser share its position. ``client_key`` is the
    browser's own key for the visit, unique, so a form sent twice (an
    offline queue replaying) makes one row."""

    factory = ForeignKeyField(Factory, backref="visits", on_delete="CASCADE")
    rep = ForeignKeyField(User, backref="visits", on_delete="CASCADE")
    visited_at = DateTimeField()
    purpose = CharField(
        max_length=16, constraints=[_choice_check("purpose", VISIT_PURPOSES)]
    )
    notes = TextField(default="")
    next_action_on = DateField(null=True)
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)
    accuracy_m = FloatField(null=True)
    client_key = CharField(max_length=64, null=True, unique=True)

    class Meta:
        indexes = (
            (("factory", "rep", "visited_at"), True),
            (("factory", "visited_at"), False),
        )


class SalesDaily(BaseModel):
    """One factory's platform sales on one Asia/Shanghai calendar day."""

    factory = ForeignKeyField(Factory, backref="sales", on_delete="CASCADE")
    date = DateField()
    gmv_fen = BigIntegerField(constraints=[Check("gmv_fen >= 0")])
    orders = IntegerField(constraints=[Check("orders >= 0")])
    new_buyers = IntegerField(constraints=[Check("new_buyers >= 0")])
    repeat_orders = IntegerField(constraints=[Check("repeat_orders >= 0")])
    dropship_orders = IntegerField(constraints=[Check("dropship_orders >= 0")])
    shipments = IntegerField(constraints=[Check("shipments >= 0")])
    shipments_picked_48h = IntegerField(
        constraints=[Check("shipments_picked_48h >= 0"),
                     Check("shipments_picked_48h <= shipments")]
    )

    class Meta:
        indexes = (
            (("factory", "date"), True),
            (("date", "factory"), False),
        )


class AuditLog(BaseModel):
    """Who did what, when, with the state before and after (JSON text).
    ``username`` is copied so the trail survives a deleted user."""

    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    username = CharField(max_length=64, default="")
    action = CharField(max_length=64, index=True)
    object_type = CharField(max_length=32, default="")
    object_id = CharField(max_length=64, default="")
    before = TextField(null=True)
    after = TextField(null=True)
    detail = TextField(default="")
    ip = CharField(max_length=64, default="")


class SalesCumulative(BaseModel):
    """Rollup (migration 004, kept by triggers): a factory's running sums of
    ``sales_daily`` up to and including ``date``, for every date from its
    first to its last sales row. Read through ``metrics.rollup``."""

    date = DateField()
    factory = ForeignKeyField(Factory, on_delete="CASCADE", index=False)
    gmv_fen = BigIntegerField()
    orders = BigIntegerField()
    new_buyers = BigIntegerField()
    repeat_orders = BigIntegerField()
    dropship_orders = BigIntegerField()
    shipments = BigIntegerField()
    shipments_picked_48h = BigIntegerField()
    last_order_date = DateField(null=True)

    class Meta:
        primary_key = CompositeKey("date", "factory")
        without_rowid = True


class SalesCumulativeEnd(BaseModel):
    """Rollup (migration 004): each factory's sales span and its totals."""

    factory = ForeignKeyField(Factory, primary_key=True, on_delete="CASCADE")
    first_date = DateField()
    last_date = DateField()
    gmv_fen = BigIntegerField()
    orders = BigIntegerField()
    new_buyers = BigIntegerField()
    repeat_orders = BigIntegerField()
    dropship_orders = BigIntegerField()
    shipments = BigIntegerField()
    shipments_picked_48h = BigIntegerField()
    last_order_date = DateField(null=True)


RENEWAL_EVENT_KINDS = ("proposed", "approved", "rejected", "renewed", "churned")


class RenewalEvent(BaseModel):
    """One proposal, decision or outcome of a renewal case (migration 009),
    written once and never updated: the case's history. ``actor_name`` is
    copied so the history survives a deleted user."""

    case = ForeignKeyField(RenewalCase, backref="events", on_delete="CASCADE")
    kind = CharField(max_length=16, constraints=[_choice_check("kind", RENEWAL_EVENT_KINDS)])
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    actor_name = CharField(max_length=100, default="")
    at = DateTimeField(default=utcnow)
    tier = CharField(max_length=8, null=True)
    fee_fen = BigIntegerField(null=True)
    note = TextField(default="")
    risk_note = TextField(default="")
    churn_reason = CharField(max_length=32, null=True)
    health_score = SmallIntegerField(null=True)


class StageSpan(BaseModel):
    """Derived (migration 008, kept by triggers on ``stage_event``): each
    stage a factory was in, from the day it entered it to the day it left
    (the next stage's date; NULL: the stage it is in now). ``position``
    numbers a factory's spans in order (pipeline, date, stage). Read through
    ``metrics.stage_spans``."""

    factory = ForeignKeyField(Factory, on_delete="CASCADE", index=False)
    position = SmallIntegerField()
    pipeline = SmallIntegerField()
    stage = CharField(max_length=16)
    entered_on = DateField()
    left_on = DateField(null=True)
    lead_on = DateField(null=True)  # the pipeline's lead date (the cohort it belongs to)

    class Meta:
        primary_key = CompositeKey("factory", "position")
        without_rowid = True


class DataVersion(BaseModel):
    """Derived (migration 011, kept by triggers): a counter per domain table
    the dashboards read, bumped in every writer's transaction. Read through
    ``metrics.cache``."""

    name = CharField(max_length=32, primary_key=True)
    n = BigIntegerField()


class MetricCache(BaseModel):
    """Derived (migration 011): a dashboard answer (JSON) computed when the
    tables it read had ``versions``; used only while they still do. Read and
    written through ``metrics.cache``."""

    key = CharField(max_length=64, primary_key=True)
    versions = TextField()
    value = TextField()
    stored_at = DateTimeField(index=True)


IMPORT_JOB_STATES = ("checking", "checked", "rejected", "importing", "imported", "failed",
                     "cancelled")


class ImportJob(BaseModel):
    """One file uploaded on the admin's data page: checked in the background
    (a dry run), then imported when the admin confirms. The file itself is
    kept in ``payload`` until then, so any app server can do the work; the
    progress panel polls this row."""

    kind = CharField(max_length=16)
    filename = CharField(max_length=255)
    size_bytes = BigIntegerField(default=0)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    state = CharField(max_length=16, default="checking",
                      constraints=[_choice_check("state", IMPORT_JOB_STATES)])
    progress = SmallIntegerField(default=0)  # per mille of the file read
    rows = IntegerField(default=0)
    inserted = IntegerField(default=0)
    updated = IntegerField(default=0)
    unchanged = IntegerField(default=0)
    bad_rows = IntegerField(default=0)
    problem_count = IntegerField(default=0)
    problems = TextField(default="[]")  # JSON: the first problems, for display
    message = TextField(default="")
    payload = BlobField(null=True)


class Notification(BaseModel):
    """One message to one user (SPEC: notifications are rows, not
    processes). ``kind`` names a message registered in ``actions.notifications``;
    ``params`` (JSON) fills it in the reader's language when shown; ``link``
    is the path of the object it is about. Unread while ``read_at`` is NULL;
    rows older than ``actions.notifications.RETENTION_DAYS`` are deleted."""

    recipient = ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField(max_length=32)
    link = CharField(max_length=255)
    params = TextField(default="{}")
    created_at = DateTimeField(default=utcnow, index=True)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("recipient", "read_at"), False),
            (("recipient", "created_at"), False),
        )


class RateLimitCounter(BaseModel):
    """One fixed-window counter of the rate limiter (``rate_limits.py``),
    in the database so every worker counts together: ``hits`` in the window
    that ends at ``expires_at`` (Unix seconds). Not domain data: exports,
    imports and the seed leave it alone."""

    key = CharField(max_length=255, primary_key=True)
    hits = IntegerField()
    expires_at = FloatField(index=True)


ALL_MODELS = [
    Region, User, UserRegion, LoginSession, ApiToken, Factory, StageEvent,
    Membership, RenewalCase, Complaint, ComplaintEvent, Visit, SalesDaily,
    AuditLog, ImportJob, Notification, ComplaintAlert, RenewalEvent,
]

# Derived tables, rebuilt from the domain tables (metrics.rollup,
# metrics.stage_spans, metrics.cache); not data of their own, so exports and imports leave
# them alone.
ROLLUP_MODELS = [SalesCumulative, SalesCumulativeEnd, StageSpan, DataVersion, MetricCache]

# Working state of the app itself (the rate limiter's counters): emptied
# between tests like the rest, never exported.
STATE_MODELS = [RateLimitCounter]
