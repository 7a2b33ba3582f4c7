"""What a dashboard counts: the user's factories (``scope.py``'s one rule)
narrowed by the optional ``region``, ``rep``, ``factory`` and ``tier``
parameters (SPEC section 4, "Scope").

``tier`` selects factories by the tier of their membership term active on
the period's last day; the renewals dashboard instead selects terms by their
own tier (``Scope.factory_ids(..., by_tier=False)`` plus its own filter).
"""

from dataclasses import dataclass, field

from models import TIERS, Factory, Membership, Region, User
from scope import sees_every_factory, visible_factories, visible_regions
from metrics.errors import ParameterError, ScopeError, _
from metrics.period import period_from_args

FILTER_PARAMS = ("region", "rep", "factory", "tier")


@dataclass
class Scope:
    """The user plus optional filters (``Region``, rep ``User``,
    ``Factory`` rows and a tier code). Build one with ``scope_from_args``
    for a request, or directly in tests."""

    user: User
    region: Region = None
    rep: User = None
    factory: Factory = None
    tier: str = None
    _visible: object = field(default=None, repr=False, compare=False)

    def _visible_ids(self):
        # scope.py may run a query while building its filter (a manager's
        # regions); build it once per Scope and reuse it as a subquery.
        if self._visible is None:
            self._visible = visible_factories(self.user, Factory.select(Factory.id))
        return self._visible

    def factory_ids(self, on, by_tier=True):
        """A subquery of the ids of the factories in scope, for
        ``WHERE factory_id IN (...)``. ``on``: the date whose active term
        decides the tier (the period's end)."""
        query = self._visible_ids()
        if self.region is not None:
            query = query.where(Factory.region == self.region.id)
        if self.rep is not None:
            query = query.where(Factory.rep == self.rep.id)
        if self.factory is not None:
            query = query.where(Factory.id == self.factory.id)
        if self.tier is not None and by_tier:
            query = query.where(Factory.id.in_(active_terms(on, self.tier)))
        return query

    @property
    def known_size(self):
        """How many factories ``factory_ids`` selects at most, when that is
        known without a query (1 for one factory), else ``None``; passed to
        ``metrics.rollup`` so it can skip a COUNT."""
        return None if self.single_factory_id is None else 1

    @property
    def single_factory_id(self):
        """The one factory the numbers are about (a ``factory`` parameter,
        or an owner's own factory), else ``None``."""
        if self.factory is not None:
            return self.factory.id
        if self.user is not None and self.user.role == "owner":
            return self.user.factory_id
        return None

    def as_dict(self):
        """The scope as the API reports it."""
        return {
            "user": self.user.username if self.user else None,
            "role": self.user.role if self.user else None,
            "region": self.region.code if self.region else None,
            "rep": self.rep.username if self.rep else None,
            "factory": self.factory.code if self.factory else None,
            "tier": self.tier,
        }


def active_terms(on, tier=None):
    """Factory ids with a membership term active on ``on`` (of ``tier``)."""
    query = Membership.select(Membership.factory).where(
        (Membership.start <= on) & (Membership.end >= on))
    if tier is not None:
        query = query.where(Membership.tier == tier)
    return query


def _visible_in(user, condition):
    """True when ``user`` sees at least one factory matching ``condition``."""
    return visible_factories(user, Factory.select(Factory.id)).where(condition).exists()


def _unknown_or_hidden(user, param, unknown, hidden):
    """The error for a code that names nothing (``unknown``) or names
    something outside the user's scope (``hidden``). Someone who cannot see
    everything gets the same 403 for both, so codes and usernames cannot be
    listed by trying them; someone who sees everything gets the exact 400."""
    if unknown is not None and sees_every_factory(user):
        return ParameterError(param, unknown)
    return ScopeError(param, hidden)


def _region(user, code):
    region = Region.get_or_none(Region.code == code)
    if region is None or not visible_regions(user, Region.select(Region.id)).where(
            Region.id == region.id).exists():
        raise _unknown_or_hidden(
            user, "region",
            _("There is no region with code %(code)s.", code=code) if region is None else None,
            _("You cannot see a region with code %(code)s.", code=code))
    return region


def _rep(user, username):
    rep = User.get_or_none(User.username == username)
    known = rep is not None and rep.role == "rep"
    if not known or (rep.id != user.id and not _visible_in(user, Factory.rep == rep.id)
                     and not sees_every_factory(user)):
        raise _unknown_or_hidden(
            user, "rep",
            None if known else _("There is no rep with username %(name)s.", name=username),
            _("You cannot see a rep with username %(name)s.", name=username))
    return rep


def _factory(user, code):
    factory = Factory.get_or_none(Factory.code == code)
    if factory is None or not _visible_in(user, Factory.id == factory.id):
        raise _unknown_or_hidden(
            user, "factory",
            _("There is no factory with code %(code)s.", code=code) if factory is None else None,
            _("You cannot see a factory with code %(code)s.", code=code))
    return factory


def scope_from_args(user, args):
    """The ``Scope`` of a request's ``region``, ``rep``, ``factory`` and
    ``tier`` parameters for ``user``. Raises ``ParameterError`` (400: the
    value is malformed or names nothing) or ``ScopeError`` (403: it names
    something the user may not see), both naming the parameter."""
    values = {name: (args.get(name) or "").strip() for name in FILTER_PARAMS}
    tier = values["tier"] or None
    if tier is not None and tier not in TIERS:
        raise ParameterError("tier", _("The tier must be one of %(tiers)s, not %(tier)s.",
                                      tiers=", ".join(TIERS), tier=tier))
    return Scope(
        user=user,
        region=_region(user, values["region"]) if values["region"] else None,
        rep=_rep(user, values["rep"]) if values["rep"] else None,
        factory=_factory(user, values["factory"]) if values["factory"] else None,
        tier=tier,
    )


def filters_from_args(user, args, today=None):
    """``(scope, period)`` of a request: what the pages and the API share."""
    period = period_from_args(args, today=today)
    return scope_from_args(user, args), period
