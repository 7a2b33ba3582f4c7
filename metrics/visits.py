"""The latest visit of each factory: when, and the next action it set; and
how many factories' next actions are overdue, per rep."""

from peewee import OP, Expression, fn

from models import LOST_STAGE, Factory, Visit
from metrics import rawrows
from metrics.stage_spans import factories_in_stage


def _latest_visit_at(before=None):
    """The time of the latest visit (before ``before``, naive UTC, when
    given) to the factory of the enclosing query: one index seek."""
    Latest = Visit.alias("latest")
    latest_at = Latest.select(fn.MAX(Latest.visited_at)).where(Latest.factory == Factory.id)
    return latest_at if before is None else latest_at.where(Latest.visited_at < before)


def _next_action_on(latest_at):
    """The next action set by the enclosing query's factory's visit at
    ``latest_at`` (the latest of them, if two share that time)."""
    return Visit.select(fn.MAX(Visit.next_action_on)).where(
        (Visit.factory == Factory.id) & (Visit.visited_at == latest_at))


def last_visits(factory_ids, before=None):
    """``{factory id: (visited_at, next_action_on)}`` of the latest visit
    to each factory of ``factory_ids`` (a list or subquery) that has one,
    only visits before ``before`` (naive UTC) when given. Two index seeks
    per factory, however many visits each had: for a rep's book (My day)
    or a page of rows this is what both databases do fastest (a join with
    a grouped subquery made PostgreSQL scan every visit twice: 27 ms instead
    of 4 for a book of 120 factories at programme scale); for the
    programme's 15,000 factories a scan would be about as fast."""
    latest_at = _latest_visit_at(before)
    query = Factory.select(Factory.id, latest_at, _next_action_on(latest_at)).where(
        Factory.id.in_(factory_ids))
    return {factory: (rawrows.to_datetime(at), rawrows.to_date(next_on))
            for factory, at, next_on in rawrows.rows(query) if at is not None}


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
    next_on = _next_action_on(_latest_visit_at())
    query = (factories.select(Factory.rep, fn.COUNT(Factory.id))
             .where(Expression(next_on, OP.LT, today)
                    & Factory.id.not_in(factories_in_stage(LOST_STAGE)))
             .group_by(Factory.rep))
    return {rep: int(count) for rep, count in rawrows.rows(query)}
