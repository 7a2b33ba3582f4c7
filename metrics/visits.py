"""The latest visit of each factory: when, and the next action it set; and
how many factories' next actions are overdue, per rep."""

from peewee import OP, Expression, fn

from models import LOST_STAGE, Factory, Visit
from metrics import rawrows
from metrics.stage_spans import factories_in_stage


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


def overdue_by_rep(factories, today):
    """``{rep id or None: factories}`` of ``factories`` (a query of
    ``Factory``, narrowed by the scope rule: ``scope.visible_factories(user,
    Factory.select())``) whose latest visit set a next action before
    ``today`` (overdue; a lost factory needs none): the same rule as
    ``last_visits`` and My day, and as the onboarding list's "next action
    overdue" filter. Counted in the database with two index seeks per
    factory (the latest visit's time, then its next action), not a scan of
    every visit; narrowing the factory query itself, not ``id IN (...)``,
    spares SQLite a list of every factory."""
    Latest = Visit.alias("latest")
    latest_at = Latest.select(fn.MAX(Latest.visited_at)).where(Latest.factory == Factory.id)
    next_on = Visit.select(fn.MAX(Visit.next_action_on)).where(
        (Visit.factory == Factory.id) & (Visit.visited_at == latest_at))
    query = (factories.select(Factory.rep, fn.COUNT(Factory.id))
             .where(Expression(next_on, OP.LT, today)
                    & Factory.id.not_in(factories_in_stage(LOST_STAGE)))
             .group_by(Factory.rep))
    return {rep: int(count) for rep, count in rawrows.rows(query)}
