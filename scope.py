"""The one scope rule (SPEC section 1): which factories a user may see.

Every page, partial, export and API answer narrows its factories through
``visible_factories`` (or checks one through ``can_see_factory``); nothing
else filters by role.

* admin: every factory
* manager: the factories of their regions; a manager with no regions, all
* rep: the factories in their own book (assigned to them)
* owner: only their own factory
* anyone else (no user, a disabled user, an unknown role): nothing

``visible_regions`` is the same rule for regions: admin all; a manager their
regions (none listed: all); a rep the regions they work in plus those of the
factories in their book; an owner their factory's region.
"""

from models import Factory, Region, User, UserRegion


def visible_factories(user, query=None):
    """Narrow ``query`` (default: all factories) to those ``user`` may see.

    ``query`` must select from ``Factory`` (joins are fine)."""
    query = Factory.select() if query is None else query
    if user is None or not user.is_active:
        return query.where(False)
    if user.role == "admin":
        return query
    if user.role == "manager":
        regions = UserRegion.select(UserRegion.region).where(UserRegion.user == user.id)
        if not regions.exists():
            return query
        return query.where(Factory.region.in_(regions))
    if user.role == "rep":
        return query.where(Factory.rep == user.id)
    if user.role == "owner" and user.factory_id is not None:
        return query.where(Factory.id == user.factory_id)
    return query.where(False)


def visible_factory_ids(user):
    """A subquery of the ids of the factories ``user`` may see, for
    ``WHERE factory_id IN (...)`` on sales, terms, complaints and visits."""
    return visible_factories(user, Factory.select(Factory.id))


def can_see_factory(user, factory_id):
    """True when ``user`` may see the factory with ``factory_id``."""
    return visible_factories(user, Factory.select(Factory.id)).where(
        Factory.id == factory_id).exists()


def visible_regions(user, query=None):
    """Narrow ``query`` (default: all regions) to those ``user`` may see."""
    query = Region.select() if query is None else query
    if user is None or not user.is_active:
        return query.where(False)
    if user.role == "admin":
        return query
    linked = UserRegion.select(UserRegion.region).where(UserRegion.user == user.id)
    if user.role == "manager":
        return query if not linked.exists() else query.where(Region.id.in_(linked))
    if user.role == "rep":
        book = Factory.select(Factory.region).where(Factory.rep == user.id)
        return query.where(Region.id.in_(linked) | Region.id.in_(book))
    if user.role == "owner" and user.factory_id is not None:
        return query.where(Region.id.in_(
            Factory.select(Factory.region).where(Factory.id == user.factory_id)))
    return query.where(False)


def visible_users(user):
    """A subquery of the ids of the users ``user`` may see: an admin, all;
    staff, themself plus the reps and owners of the factories they see; an
    owner, themself and their factory's rep (never another owner)."""
    every = User.select(User.id)
    if user is None or not user.is_active:
        return every.where(False)
    if user.role == "admin":
        return every
    reps = visible_factories(user, Factory.select(Factory.rep)).where(Factory.rep.is_null(False))
    if not user.is_staff:
        return every.where((User.id == user.id) | User.id.in_(reps))
    factories = visible_factories(user, Factory.select(Factory.id))
    return every.where((User.id == user.id) | User.id.in_(reps) | User.factory.in_(factories))
