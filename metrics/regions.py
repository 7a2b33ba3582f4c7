"""The manager's home (``/regions``) in numbers: each region a user may see,
with counts of its factories in scope (all, live now, open super-factory
terms, reps), and what needs the manager today (proposals waiting, stalled
onboarding, overdue next actions, complaints past SLA, per rep).

Both are remembered (``metrics.cache``) under the tables they read: the
counts per region change only with the data, and what needs the manager
today only with the data and the day (``today`` is part of its key). The
complaints past SLA move with the clock and are not remembered here
(``metrics.complaint_board.open_breaches`` remembers the rows and reads
the clocks at ``now``)."""

from peewee import Case, fn

from metrics import cache
from metrics.scoping import Scope
from models import Complaint, Factory, Membership, Region, User
from scope import visible_factories, visible_factory_ids, visible_regions
from metrics.onboarding import stalled_by_rep
from metrics.renewal_lists import waiting_count
from metrics.stage_spans import factories_in_stage
from metrics.visits import overdue_by_rep


def region_overview(user):
    """The regions ``user`` may see, each with counts of the factories in
    scope: all, live, with an open super-factory term, and reps. Counted in
    the database, so the programme's 6,000 factories cost one query."""
    regions = list(visible_regions(user).order_by(Region.code))
    by_region = cache.remembered(OVERVIEW_READS, "regions.region_overview",
                                 [cache.scope_key(Scope(user))], lambda: _counts(user))
    rows = []
    for region in regions:
        total, live, supers, reps = by_region.get(region.id, (0, 0, 0, 0))
        rows.append({"region": region, "factories": total, "live": int(live),
                     "super": int(supers), "reps": reps})
    return rows


# What the counts read: the scope's tables, the terms and the stages
# (``stage_span`` is kept from ``stage_event`` by its triggers).
OVERVIEW_READS = ("factory", "membership", "stage_event", "user", "user_region", "region")
# What needs the manager today reads visits and the renewal cases too.
NEEDS_READS = OVERVIEW_READS + ("visit", "renewal_case", "renewal_event")


def _counts(user):
    """``{region id: (factories, live, super, reps)}`` in ``user``'s scope."""
    super_ids = Membership.select(Membership.factory).where(
        Membership.outcome.is_null(), Membership.tier == "super")
    counts = visible_factories(user, Factory.select(
        Factory.region,
        fn.COUNT(Factory.id),
        fn.SUM(Case(None, [(Factory.id.in_(factories_in_stage("live")), 1)], 0)),
        fn.SUM(Case(None, [(Factory.id.in_(super_ids), 1)], 0)),
        fn.COUNT(Factory.rep.distinct()),
    )).group_by(Factory.region).tuples()
    return {region_id: (total, int(live or 0), int(supers or 0), reps)
            for region_id, total, live, supers, reps in counts}


TOP_REPS = 10


def needs_today(user, today, breached_ids):
    """What needs ``user`` (a manager or admin) today, counted in the
    database over the factories they may see::

        {"waiting": proposals waiting for their decision,
         "stalled": stalled factories, "overdue_actions": factories whose
         next action is overdue, "breached": len(breached_ids),
         "reps": [{"rep": User, "overdue_actions", "breached", "stalled",
                   "total"}, ...]}

    ``reps``: the ``TOP_REPS`` reps with the most overdue work (the three
    counts added up), most first, only reps with some. ``breached_ids``: the
    ids of the complaints past their SLA in scope
    (``metrics.complaint_board.open_breaches``, which holds the SLA rule)."""
    overdue, stalled, waiting = cache.remembered(
        NEEDS_READS, "regions.needs_today", [cache.scope_key(Scope(user)), today.isoformat()],
        lambda: _day_counts(user, today))
    breached = _breached_by_rep(breached_ids)
    totals = {}
    for counts in (overdue, stalled, breached):
        for rep, count in counts.items():
            if rep is not None:
                totals[rep] = totals.get(rep, 0) + count
    top = sorted(totals, key=lambda rep: -totals[rep])[:TOP_REPS]
    reps = {rep.id: rep for rep in User.select().where(User.id.in_(top))} if top else {}
    rows = [{"rep": reps[rep], "overdue_actions": overdue.get(rep, 0),
             "breached": breached.get(rep, 0), "stalled": stalled.get(rep, 0),
             "total": totals[rep]} for rep in top]
    rows.sort(key=lambda row: (-row["total"], row["rep"].display_name, row["rep"].id))
    return {"waiting": waiting, "stalled": sum(stalled.values()),
            "overdue_actions": sum(overdue.values()), "breached": len(breached_ids),
            "reps": rows}


def _day_counts(user, today):
    """``(overdue by rep, stalled by rep, proposals waiting)`` of ``user``'s
    scope on ``today``: what ``needs_today`` adds up besides the breaches."""
    overdue = overdue_by_rep(visible_factories(user, Factory.select()), today)
    stalled = stalled_by_rep(visible_factory_ids(user), today)
    return overdue, stalled, waiting_count(user, today)


def _breached_by_rep(complaint_ids, chunk=1000):
    """``{rep id or None: complaints}`` of ``complaint_ids`` by their
    factory's rep (in chunks: a database caps the parameters of a query)."""
    result = {}
    ids = list(complaint_ids)
    for start in range(0, len(ids), chunk):
        query = (Complaint.select(Factory.rep, fn.COUNT(Complaint.id))
                 .join(Factory, on=(Complaint.factory == Factory.id))
                 .where(Complaint.id.in_(ids[start:start + chunk])).group_by(Factory.rep))
        for rep, count in query.tuples():
            result[rep] = result.get(rep, 0) + int(count)
    return result
