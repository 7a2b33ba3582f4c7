"""The rows of the renewals dashboard beyond its KPIs: the due lists with
health, the manager's review queue, churn reasons and the 90-day forecast.
Pure functions of (scope, period) like ``metrics.renewals``; on this
dashboard ``tier`` selects terms by their own tier.
"""

import datetime
from decimal import Decimal

from peewee import JOIN, fn

from models import TIER_FEES_FEN, Factory, Membership, Region, RenewalCase, User
from metrics import cache, rawrows
from metrics.health import BANDS, Driver, Health
from metrics.health_data import health_of_terms
from metrics.numbers import fen_to_yuan, ratio
from metrics.scoping import Scope

CASE_STATUSES = ("none", "proposed", "approved", "rejected")
FORECAST_DAYS = 90
BASIS_DAYS = 365


def _terms(scope, period):
    query = Membership.select(Membership.id).where(
        Membership.factory.in_(scope.factory_ids(period.end, by_tier=False)))
    return query if scope.tier is None else query.where(Membership.tier == scope.tier)


# A due list's rows carry each term's Health (with its Drivers).
cache.register(Health)
cache.register(Driver)


@cache.memoized(cache.RENEWAL_READS)
def due_terms(scope, period, window=90):
    """Open terms ending in (``to``, ``to`` + ``window`` days], soonest first::

        [{"term_id", "factory_code", "factory_name", "tier", "fee_cny", "end",
          "days_left", "rep", "rep_name", "case_status" (none / proposed /
          approved / rejected), "health" (metrics.health.Health|None)}, ...]
    """
    horizon = period.end + datetime.timedelta(days=window)
    ids = _terms(scope, period).where(Membership.outcome.is_null()
                                      & (Membership.end > period.end)
                                      & (Membership.end <= horizon))
    query = (Membership.select(Membership.id, Factory.code, Factory.name, Membership.tier,
                               Membership.fee_fen, Membership.end, User.username,
                               User.display_name, RenewalCase.status)
             .join(Factory).join(User, JOIN.LEFT_OUTER, on=(Factory.rep == User.id))
             .switch(Membership).join(RenewalCase, JOIN.LEFT_OUTER)
             .where(Membership.id.in_(ids)).order_by(Membership.end, Factory.code))
    rows = rawrows.rows(query)
    health = health_of_terms(ids, period.end) if rows else {}
    result = []
    for term, code, name, tier, fee, end, rep, rep_name, status in rows:
        end = rawrows.to_date(end)
        result.append({"term_id": term, "factory_code": code, "factory_name": name,
                       "tier": tier, "fee_cny": fen_to_yuan(fee), "end": end,
                       "days_left": (end - period.end).days, "rep": rep, "rep_name": rep_name,
                       "case_status": status if status in CASE_STATUSES else "none",
                       "health": health.get(term)})
    return result


def _waiting(scope, today, term_ids=None, decider=None):
    """The waiting cases of ``review_queue`` as a query of ``columns``."""
    def query(*columns):
        found = (RenewalCase.select(*columns).join(Membership).join(Factory)
                 .where((RenewalCase.status == "proposed")
                        & Factory.id.in_(scope.factory_ids(today, by_tier=False))))
        if scope.tier is not None:
            found = found.where(Membership.tier == scope.tier)
        if term_ids is not None:
            found = found.where(Membership.id.in_(list(term_ids)))
        if decider is not None:
            found = found.where((RenewalCase.proposed_by != decider.id)
                                | RenewalCase.proposed_by.is_null())
        return found
    return query


def queue_size(scope, today, decider=None):
    """How many rows ``review_queue`` has in all (one count), remembered
    for the day (``metrics.cache``) while the renewal tables are unchanged."""
    return cache.remembered(
        cache.RENEWAL_READS, "renewal_lists.queue_size",
        [cache.scope_key(scope), today.isoformat(), decider and decider.id],
        lambda: _waiting(scope, today, decider=decider)(RenewalCase.id).count())


def review_queue(scope, today, term_ids=None, decider=None, limit=None, offset=0):
    """Proposals waiting for a decision in scope (a manager's regions),
    oldest first; only the terms ``term_ids`` when given (one row of the
    queue drawn again); without those ``decider`` (a User) proposed, since
    nobody decides their own proposal; ``limit`` rows from ``offset`` (a
    page: the health scores are computed for those only)::

        [{"term_id", "factory_code", "factory_name", "region" (Region),
          "term_tier", "term_fee_cny" (the current term's), "tier" (proposed),
          "fee_cny" (proposed), "list_fee_cny" (the proposed tier's),
          "discount" (1 - fee / list fee, Decimal), "note", "risk_note",
          "proposed_by" (user id), "proposer_name", "proposed_at", "end",
          "days_to_end", "version", "health"}, ...]

    Remembered for the day (``metrics.cache``, ``today`` in the key) while
    the tables the rows and their health read are unchanged; the regions
    are attached to the remembered rows."""
    rows = cache.remembered(
        cache.RENEWAL_READS, "renewal_lists.review_queue",
        [cache.scope_key(scope), today.isoformat(),
         None if term_ids is None else sorted(term_ids), decider and decider.id, limit, offset],
        lambda: _queue_rows(scope, today, term_ids, decider, limit, offset))
    regions = ({region.id: region for region in
                Region.select().where(Region.id.in_({row["region"] for row in rows}))}
               if rows else {})
    return [dict(row, region=regions[row["region"]]) for row in rows]


def _queue_rows(scope, today, term_ids, decider, limit, offset):
    """``review_queue``'s rows with the region's id in ``region``."""
    query = (_waiting(scope, today, term_ids, decider)(
        RenewalCase.membership, Factory.code, Factory.name, Factory.region, Membership.tier,
        Membership.fee_fen, RenewalCase.proposed_tier, RenewalCase.proposed_fee_fen,
        RenewalCase.proposal_note, RenewalCase.risk_note, RenewalCase.proposed_by,
        User.display_name, RenewalCase.proposed_at, Membership.end, RenewalCase.version)
             .switch(RenewalCase).join(User, JOIN.LEFT_OUTER,
                                       on=(RenewalCase.proposed_by == User.id))
             .order_by(RenewalCase.proposed_at, RenewalCase.id))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = rawrows.rows(query)
    health = health_of_terms([row[0] for row in rows], today) if rows else {}
    result = []
    for (term, code, name, region, term_tier, term_fee, tier, fee, note, risk_note, proposer,
         proposer_name, at, end, version) in rows:
        end = rawrows.to_date(end)
        list_fee = TIER_FEES_FEN.get(tier)
        result.append({"term_id": term, "factory_code": code, "factory_name": name,
                       "region": region, "term_tier": term_tier,
                       "term_fee_cny": fen_to_yuan(term_fee),
                       "tier": tier, "fee_cny": fen_to_yuan(fee),
                       "list_fee_cny": fen_to_yuan(list_fee),
                       "discount": None if not list_fee or fee is None
                       else 1 - Decimal(int(fee)) / list_fee,
                       "note": note or "", "risk_note": risk_note or "",
                       "proposed_by": proposer, "proposer_name": proposer_name or "",
                       "proposed_at": rawrows.to_datetime(at), "end": end,
                       "days_to_end": (end - today).days, "version": version,
                       "health": health.get(term)})
    return result


def waiting_count(user, today):
    """How many proposals wait for ``user``'s decision (the manager's home):
    in their scope and not proposed by themself (``review_queue``'s rows)."""
    return queue_size(Scope(user=user), today, decider=user)


def churn_reasons(scope, period):
    """``[(reason or None, terms)]``: churned terms ending in the period by
    the reason recorded on their case, most frequent first."""
    query = (Membership.select(RenewalCase.churn_reason, fn.COUNT(Membership.id))
             .join(RenewalCase, JOIN.LEFT_OUTER)
             .where(Membership.id.in_(_terms(scope, period))
                    & (Membership.outcome == "churned")
                    & (Membership.end >= period.start) & (Membership.end <= period.end))
             .group_by(RenewalCase.churn_reason))
    return sorted(((reason, int(count)) for reason, count in rawrows.rows(query)),
                  key=lambda row: (-row[1], row[0] or "~"))


def band_rates(scope, period):
    """``{band: {"renewed", "churned", "rate"}}`` over the terms in scope
    that ended in the 365 days to ``to`` with a health score recorded when
    their case closed."""
    since = period.end - datetime.timedelta(days=BASIS_DAYS - 1)
    query = (Membership.select(RenewalCase.health_band, Membership.outcome,
                               fn.COUNT(Membership.id))
             .join(RenewalCase)
             .where(Membership.id.in_(_terms(scope, period))
                    & Membership.outcome.is_null(False) & RenewalCase.health_band.is_null(False)
                    & (Membership.end >= since) & (Membership.end <= period.end))
             .group_by(RenewalCase.health_band, Membership.outcome))
    counts = {band: {"renewed": 0, "churned": 0} for band in BANDS}
    for band, outcome, count in rawrows.rows(query):
        if band in counts:
            counts[band][outcome] += int(count)
    for values in counts.values():
        values["rate"] = ratio(values["renewed"], values["renewed"] + values["churned"])
    return counts


def forecast(scope, period, due=None):
    """The next 90 days: each due term counts its health band's renewal
    rate of the past year (``band_rates``)::

        {"due": int, "fee_at_stake_cny", "expected_renewals" (Decimal|None),
         "fee_retained_cny" (Decimal|None), "bands": {band: {"due", "fee_cny",
         "renewed", "churned", "rate"}}, "since": date, "to": date}

    ``expected_renewals`` is ``None`` when a band with due terms has no
    history to go by. ``due``: the rows of ``due_terms(..., 90)`` if the
    caller has them already."""
    due = due_terms(scope, period, FORECAST_DAYS) if due is None else due
    rates = band_rates(scope, period)
    bands = {band: dict(rates[band], due=0, fee_cny=Decimal(0)) for band in BANDS}
    expected = retained = Decimal(0)
    known = True
    for row in due:
        band = bands[row["health"].band]
        band["due"] += 1
        band["fee_cny"] += row["fee_cny"]
        if band["rate"] is None:
            known = False
        else:
            expected += band["rate"]
            retained += band["rate"] * row["fee_cny"]
    return {"due": len(due), "fee_at_stake_cny": sum((r["fee_cny"] for r in due), Decimal(0)),
            "expected_renewals": expected if known else None,
            "fee_retained_cny": retained if known else None, "bands": bands,
            "since": period.end - datetime.timedelta(days=BASIS_DAYS - 1), "to": period.end}
