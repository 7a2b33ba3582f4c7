"""Small builders for test data: each makes one row with sensible defaults
that a test overrides only where it matters. They write to the real test
database; import them in any test module."""

import datetime
import itertools

from models import (Complaint, Factory, Membership, Region, SalesDaily, StageEvent,
                    TIER_FEES_FEN, User, UserRegion, Visit)

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


def _next():
    return next(_counter)


def make_region(code=None, **fields):
    """A region; ``code`` defaults to a fresh one."""
    n = _next()
    values = dict(code=code or f"R{n:03d}", name_zh=f"区域{n}", name_en=f"Region {n}",
                  province="广东", city="广州", industry_zh="女装", industry_en="Womenswear")
    values.update(fields)
    return Region.create(**values)


def make_user(role="rep", username=None, regions=(), factory=None, password=PASSWORD, **fields):
    """A user with a password set (``PASSWORD`` unless given); ``regions``
    are Region rows linked to the user."""
    n = _next()
    user = User(username=username or f"{role}{n}", display_name=fields.pop("display_name", f"用户{n}"),
                role=role, factory=factory, **fields)
    if password:
        user.set_password(password)
    user.save()
    for region in regions:
        UserRegion.create(user=user, region=region)
    return user


def make_factory(region=None, rep=None, code=None, **fields):
    """A factory in ``region`` (a new one by default) in ``rep``'s book."""
    n = _next()
    values = dict(code=code or f"F{n:05d}", name=f"测试工厂{n}", region=region or make_region(),
                  rep=rep, kind="factory")
    values.update(fields)
    return Factory.create(**values)


def make_membership(factory, start, tier="super", end=None, fee_fen=None, outcome=None):
    """A term from ``start`` to ``end`` (default: one year less a day)."""
    end = end or (start.replace(year=start.year + 1) - datetime.timedelta(days=1))
    return Membership.create(factory=factory, tier=tier, start=start, end=end,
                             fee_fen=TIER_FEES_FEN[tier] if fee_fen is None else fee_fen,
                             outcome=outcome)


def make_sales(factory, day, gmv_fen=0, orders=0, new_buyers=0, repeat_orders=0,
               dropship_orders=0, shipments=0, shipments_picked_48h=0):
    """One day of a factory's sales."""
    return SalesDaily.create(factory=factory, date=day, gmv_fen=gmv_fen, orders=orders,
                             new_buyers=new_buyers, repeat_orders=repeat_orders,
                             dropship_orders=dropship_orders, shipments=shipments,
                             shipments_picked_48h=shipments_picked_48h)


def make_stage(factory, stage, entered_on, pipeline=1):
    """The factory entered ``stage`` on ``entered_on`` (in ``pipeline``:
    2 and up after a reopen)."""
    return StageEvent.create(factory=factory, stage=stage, entered_on=entered_on,
                             pipeline=pipeline)


def make_complaint(factory, created_at, severity="normal", category="service", **fields):
    """A complaint created at ``created_at`` (naive UTC)."""
    n = _next()
    values = dict(code=f"C{n:06d}", factory=factory, category=category, severity=severity,
                  channel="board", title=f"投诉{n}", body="", created_at=created_at)
    values.update(fields)
    complaint = Complaint(**values)
    complaint.status = complaint.status_from_timestamps()
    complaint.save()
    return complaint


def make_visit(factory, rep, visited_at, purpose="routine", **fields):
    """A visit by ``rep`` at ``visited_at`` (naive UTC)."""
    return Visit.create(factory=factory, rep=rep, visited_at=visited_at, purpose=purpose, **fields)
