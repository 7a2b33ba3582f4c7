"""Realistic, deterministic demo data (``flask seed-demo``, SPEC section 8).

``seed_demo(scale, seed, today=None)`` fills an empty database:

* ``demo``: 8 industrial belts, about 320 factories, two years of daily
  sales (so year-on-year figures mean something); a few seconds, so
  browser tests can seed it every session.
* ``programme``: the real programme's size: 40 production-area centres,
  about 6,000 super factories among 12,000+ factories, two years of daily
  sales (millions of rows).

Determinism: the same ``seed`` and the same ``today`` give the same rows,
ids included. ``today`` defaults to the current Asia/Shanghai date; the data
ends the day before (sales, complaints and visits up to the end of
yesterday, renewals due in the days ahead).

Modules: ``catalog`` (belts, names, places), ``texts`` (Chinese complaint,
reply and visit texts), ``world`` (regions, users, factories, stages,
memberships, renewal cases), ``sales``, ``activity`` (complaints with their
events, visits) and ``writer`` (batched inserts / COPY).
"""

import datetime
import random
import sys
import time
from contextlib import ExitStack, nullcontext

import click
from flask import current_app, has_app_context
from peewee import fn
from werkzeug.security import generate_password_hash

from metrics.health_data import snapshot_closed_cases
from metrics.period import shanghai_today
from metrics.rollup import triggers_suspended
from models import (Complaint, ComplaintEvent, Factory, Membership, Region, RenewalCase,
                    RenewalEvent, SalesDaily, StageEvent, User, UserRegion, Visit, db)

from . import activity as activity_module
from . import sales as sales_module
from .world import DEMO_PASSWORD, SCALES, build_world
from .writer import Writer

__all__ = ["seed_demo", "format_logins", "after_load", "POST_LOAD_HOOKS", "LOAD_CONTEXTS",
           "DEMO_PASSWORD", "SCALES", "shanghai_today"]

# Steps to run once the rows are in (e.g. rebuilding rollup tables). Each is
# called as ``hook(today=<date>)`` inside ``after_load``, in order.
POST_LOAD_HOOKS = []  # metrics.health_data.snapshot_closed_cases runs after them

# Context managers to hold open around the whole load, e.g. one that
# suspends row triggers on ``sales_daily`` and restores them afterwards.
# Each entry is a callable returning a context manager; they are entered in
# order before the first row is written and left after the last commit.
LOAD_CONTEXTS = []

# The logins format_logins() prints, in this order.
PRINTED_LOGINS = ("admin", "manager_south", "manager_all", "rep_guangzhou", "rep_yiwu",
                  "owner_baiyun", "owner_chenghai")


def seed_demo(scale="demo", seed=2021, progress=False, today=None):
    """Fill the (empty) database with the ``scale`` demo data; returns a
    dict of row counts per table."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    today = today or shanghai_today()
    world = build_world(scale, seed, today, random.Random(f"{seed}:world"))
    activity = activity_module.build_activity(world, seed)
    calendar = sales_module.Calendar(world.sales_start, world.last_day)

    small_rows = (len(world.regions) + len(world.users) * 2 + len(world.user_regions)
                  + len(world.factories) + len(world.stage_events) + len(world.memberships)
                  + len(world.renewal_cases) + len(activity.complaints)
                  + len(activity.events) + len(activity.visits))
    total = small_rows + sales_module.estimate_rows(world, calendar)
    if progress:
        bar = click.progressbar(length=total, label=f"Seeding {scale} data",
                                file=sys.stderr, show_pos=True)
    else:
        bar = nullcontext()
    # One transaction (the Writer's) holds the whole seed: rows, index and
    # trigger changes, the rebuilt rollups. Killed at any moment, it leaves
    # the database as it was. The sales rollup's triggers would run once per
    # row; suspend them and rebuild the rollup once the rows are in.
    # LOAD_CONTEXTS may add more.
    with bar as progress_bar, Writer(progress_bar.update if progress else None) as writer:
        with ExitStack() as load_contexts:
            load_contexts.enter_context(triggers_suspended())
            for context in LOAD_CONTEXTS:
                load_contexts.enter_context(context())
            counts = _write(writer, world, activity, calendar, seed)
        after_load(today)
        _pause_for_tests()
    return counts


def _pause_for_tests():
    """``SEED_PAUSE_BEFORE_COMMIT`` seconds (0 in production): lets the
    killed-seed test stop a process that has written everything but not yet
    committed, deterministically."""
    seconds = float(current_app.config.get("SEED_PAUSE_BEFORE_COMMIT", 0)) \
        if has_app_context() else 0
    if seconds:
        print("Seed written, not yet committed.", file=sys.stderr, flush=True)
        time.sleep(seconds)


def _write(writer, world, activity, calendar, seed):
    counts = {}

    def write(model, columns, rows):
        rows = list(rows) if not hasattr(rows, "__len__") else rows
        writer.write(model, columns, rows)
        counts[model._meta.table_name] = counts.get(model._meta.table_name, 0) + len(rows)

    write(Region, ("id", "code", "name_zh", "name_en", "province", "city", "industry_zh",
                   "industry_en"),
          [(r.id, r.code, r.name_zh, r.name_en, r.province, r.city, r.industry_zh,
            r.industry_en) for r in world.regions])
    password_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")
    # Users first without their factory (factories reference reps), then the
    # owners' factory once the factories are in.
    write(User, ("id", "username", "display_name", "role", "factory_id", "email", "phone",
                 "password_hash", "is_active", "locale", "created_at", "last_login_at"),
          [(u.id, u.username, u.display_name, u.role, None, u.email, u.phone, password_hash,
            True, None, u.created_at, None) for u in world.users])
    write(UserRegion, ("id", "user_id", "region_id"),
          [(link.id, link.user_id, link.region_id) for link in world.user_regions])
    write(Factory, ("id", "code", "name", "region_id", "kind", "rep_id", "specialized",
                    "little_giant", "phone", "address"),
          [(f.id, f.code, f.name, f.region.id, f.kind, f.rep.id if f.rep else None,
            f.specialized, f.little_giant, f.phone, f.address) for f in world.factories])
    for user in world.users:
        if user.factory is not None:
            writer.execute('UPDATE "user" SET factory_id = %s WHERE id = %s'
                           if writer.postgres else
                           'UPDATE "user" SET factory_id = ? WHERE id = ?',
                           (user.factory.id, user.id))
    write(StageEvent, ("id", "factory_id", "stage", "entered_on", "note"),
          [(e.id, e.factory_id, e.stage, e.entered_on, e.note) for e in world.stage_events])
    write(Membership, ("id", "factory_id", "tier", "fee_fen", "start", "end", "outcome"),
          [(t.id, t.factory.id, t.tier, t.fee, t.start, t.end, t.outcome)
           for t in world.memberships])
    write(RenewalCase, ("id", "membership_id", "status", "risk_note", "proposed_tier",
                        "proposed_fee_fen", "proposal_note", "proposed_by_id", "proposed_at",
                        "decision", "decision_note", "decided_by_id", "decided_at",
                        "churn_reason", "updated_at"),
          [(c.id, c.membership.id, c.status, c.risk_note, c.proposed_tier, c.proposed_fee,
            c.proposal_note, c.proposed_by.id if c.proposed_by else None, c.proposed_at,
            c.decision, c.decision_note, c.decided_by.id if c.decided_by else None,
            c.decided_at, c.churn_reason, c.updated_at) for c in world.renewal_cases])
    events = sorted(((e, c) for c in world.renewal_cases for e in c.events),
                    key=lambda pair: (pair[0].at, pair[1].id))
    write(RenewalEvent, ("id", "case_id", "kind", "actor_id", "actor_name", "at", "tier",
                         "fee_fen", "note", "risk_note", "churn_reason", "health_score"),
          [(n, c.id, e.kind, e.actor.id if e.actor else None,
            e.actor.display_name if e.actor else "", e.at, e.tier, e.fee, e.note, e.risk_note,
            e.churn_reason, None) for n, (e, c) in enumerate(events, 1)])
    write(Complaint, ("id", "code", "factory_id", "category", "severity", "channel", "title",
                      "body", "status", "assignee_id", "filed_by_id", "created_at",
                      "first_response_at", "resolved_at", "satisfaction", "rating_comment",
                      "rated_at"),
          [(c.id, c.code, c.factory.id, c.category, c.severity, c.channel, c.title, c.body,
            c.status, c.assignee.id if c.assignee else None,
            c.filed_by.id if c.filed_by else None, c.created_at, c.first_response_at,
            c.resolved_at, c.satisfaction, c.rating_comment, c.rated_at)
           for c in activity.complaints])

    def user_id(user):
        return user.id if user else None

    write(ComplaintEvent, ("id", "complaint_id", "author_id", "created_at", "from_status",
                           "to_status", "body", "internal", "from_assignee_id",
                           "to_assignee_id", "satisfaction"),
          [(e.id, e.complaint.id, user_id(e.author), e.created_at, e.from_status, e.to_status,
            e.body, e.internal, user_id(e.from_assignee), user_id(e.to_assignee),
            e.satisfaction) for e in activity.events])
    write(Visit, ("id", "factory_id", "rep_id", "visited_at", "purpose", "notes",
                  "next_action_on"),
          [(v.id, v.factory.id, v.rep.id, v.visited_at, v.purpose, v.notes, v.next_action_on)
           for v in activity.visits])
    expected = sales_module.estimate_rows(world, calendar)

    def sales_rows():
        next_id = 1
        for row in sales_module.all_rows(world, calendar, seed, expected):
            yield (next_id,) + row
            next_id += 1

    columns = ("id", "factory_id", "date", "gmv_fen", "orders", "new_buyers",
               "repeat_orders", "dropship_orders", "shipments", "shipments_picked_48h")
    before = writer.written
    with writer.deferred_indexes(SalesDaily):
        writer.write(SalesDaily, columns, sales_rows(), plain=True)
    counts["sales_daily"] = writer.written - before
    return counts


def after_load(today):
    """Post-load steps, run once every row of the seed is written: the place
    for rebuilding derived tables (e.g. sales rollups). Runs each hook of
    ``POST_LOAD_HOOKS`` as ``hook(today=today)``."""
    for hook in POST_LOAD_HOOKS:
        hook(today=today)
    # The health of every closed case at its term's end: the forecast's basis.
    snapshot_closed_cases(today=today)


# ---------------------------------------------------------------- the logins

def _describe(user, today):
    if user.role == "admin":
        return "everything: all regions, users, imports and exports"
    if user.role == "manager":
        names = [link.region.name_zh for link in
                 UserRegion.select(UserRegion, Region).join(Region)
                 .where(UserRegion.user == user).order_by(Region.id)]
        if not names:
            return "all regions (a manager with no regions sees everything)"
        return "regions " + "、".join(names)
    if user.role == "rep":
        book = Factory.select().where(Factory.rep == user).count()
        regions = "、".join(link.region.name_zh for link in
                           UserRegion.select(UserRegion, Region).join(Region)
                           .where(UserRegion.user == user))
        return f"own book of {book} factories ({regions})"
    if user.role == "owner" and user.factory_id:
        factory = Factory.get_by_id(user.factory_id)
        day = today - datetime.timedelta(days=1)
        term = (Membership.select().where((Membership.factory == factory)
                                          & (Membership.start <= day) & (Membership.end >= day))
                .first())
        if term is None:
            return f"only {factory.name}"
        gmv_fen = (SalesDaily.select(fn.COALESCE(fn.SUM(SalesDaily.gmv_fen), 0))
                   .where((SalesDaily.factory == factory) & (SalesDaily.date >= term.start)
                          & (SalesDaily.date <= min(term.end, day))).scalar())
        roi = gmv_fen / term.fee_fen if term.fee_fen else 0
        return (f"only {factory.name} ({'super factory' if term.tier == 'super' else 'CXT'}, "
                f"membership ROI {roi:.1f}x, term ends {term.end.isoformat()})")
    return ""


def format_logins(today=None):
    """The demo logins as a readable table (role and what each one sees)."""
    today = today or shanghai_today()
    with db.connection_context() if db.is_closed() else nullcontext():
        users = {u.username: u for u in User.select().where(User.username.in_(PRINTED_LOGINS))}
        if not users:
            return "No demo logins in this database (it was not filled by seed-demo)."
        rows = [(name, users[name].role, _describe(users[name], today))
                for name in PRINTED_LOGINS if name in users]
    width = max(len(name) for name, _, _ in rows)
    lines = [f"Demo logins (password for every one: {DEMO_PASSWORD})", ""]
    lines.append(f"  {'username'.ljust(width)}  {'role'.ljust(7)}  sees")
    lines.append(f"  {'-' * width}  {'-' * 7}  {'-' * 40}")
    for name, role, sees in rows:
        lines.append(f"  {name.ljust(width)}  {role.ljust(7)}  {sees}")
    return "\n".join(lines)
