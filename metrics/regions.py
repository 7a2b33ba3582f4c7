"""The regions page's numbers: each region a user may see, with counts of
its factories in scope (all, live now, open super-factory terms, reps)."""

from peewee import Case, fn

from models import Factory, Membership, Region
from scope import visible_factories, visible_regions
from metrics.stage_spans import factories_in_stage


def region_overview(user):
    """The regions ``user`` may see, each with counts of the factories in
    scope: all, live, with an open super-factory term, and reps. Counted in
    the database, so the programme's 6,000 factories cost one query."""
    regions = list(visible_regions(user).order_by(Region.code))
    super_ids = Membership.select(Membership.factory).where(
        Membership.outcome.is_null(), Membership.tier == "super")
    counts = visible_factories(user, Factory.select(
        Factory.region,
        fn.COUNT(Factory.id),
        fn.SUM(Case(None, [(Factory.id.in_(factories_in_stage("live")), 1)], 0)),
        fn.SUM(Case(None, [(Factory.id.in_(super_ids), 1)], 0)),
        fn.COUNT(Factory.rep.distinct()),
    )).group_by(Factory.region).tuples()
    by_region = {region_id: (total, live or 0, supers or 0, reps)
                 for region_id, total, live, supers, reps in counts}
    rows = []
    for region in regions:
        total, live, supers, reps = by_region.get(region.id, (0, 0, 0, 0))
        rows.append({"region": region, "factories": total, "live": int(live),
                     "super": int(supers), "reps": reps})
    return rows
