"""The latest visit of each factory: when, and the next action it set."""

from peewee import fn

from models import Visit
from metrics import rawrows


def last_visits(factory_ids, before=None):
    """``{factory id: (visited_at, next_action_on)}`` of the latest visit
    to each factory of ``factory_ids`` (a list or subquery), only visits
    before ``before`` (naive UTC) when given. Two index reads, however many
    visits each factory had."""
    latest = Visit.select(Visit.factory, fn.MAX(Visit.visited_at).alias("at")).where(
        Visit.factory.in_(factory_ids))
    if before is not None:
        latest = latest.where(Visit.visited_at < before)
    latest = latest.group_by(Visit.factory).alias("latest")
    query = (Visit.select(Visit.factory, Visit.visited_at, fn.MAX(Visit.next_action_on))
             .join(latest, on=((Visit.factory == latest.c.factory_id)
                               & (Visit.visited_at == latest.c.at)))
             .group_by(Visit.factory, Visit.visited_at))
    return {factory: (rawrows.to_datetime(at), rawrows.to_date(next_on))
            for factory, at, next_on in rawrows.rows(query)}
