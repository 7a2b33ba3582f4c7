"""The health score's inputs from the database, for many terms at once
(``metrics.health`` scores them).

Everything is as of the end of one Asia/Shanghai date ``as_of`` (a
dashboard's ``to``): ROI over the term so far, GMV and 48-hour pickup over
the 90 days ending ``as_of`` against the same days a year earlier,
complaints open (and past their SLA target) at its end, CSAT of the
complaints resolved in the 365 days ending ``as_of``, days since the last
visit. Five queries for any number of terms: the programme's ~6,000 open
super-factory terms cost the same handful of queries as one.
"""

import datetime

from models import Complaint, Factory, Membership, RenewalCase, db
from metrics import cache, rawrows, rollup, sales_data
from metrics.complaints import resolution_target
from metrics.health import HealthInputs, owner_summary, score
from metrics.numbers import growth, ratio
from metrics.period import Period, shanghai_date, utc_start_of
from metrics.visits import last_visits

WINDOW_DAYS = 90
CSAT_DAYS = 365
ONE_DAY = datetime.timedelta(days=1)


def _complaint_counts(factory_ids, as_of):
    """``({factory: open}, {factory: breached}, {factory: [ratings]})``."""
    after = utc_start_of(as_of + ONE_DAY)
    since = utc_start_of(as_of - datetime.timedelta(days=CSAT_DAYS - 1))
    C = Complaint
    query = (C.select(C.factory, C.severity, C.created_at, C.resolved_at, C.satisfaction)
             .where(C.factory.in_(factory_ids) & (C.created_at < after)
                    & (C.resolved_at.is_null() | (C.resolved_at >= since))))
    open_, breached, ratings = {}, {}, {}
    for factory, severity, created, resolved, rating in rawrows.rows(query):
        created, resolved = rawrows.to_datetime(created), rawrows.to_datetime(resolved)
        if resolved is None or resolved >= after:
            open_[factory] = open_.get(factory, 0) + 1
            if created + resolution_target(severity) < after:
                breached[factory] = breached.get(factory, 0) + 1
        elif rating is not None:
            ratings.setdefault(factory, []).append(rating)
    return open_, breached, ratings


def _last_visits(factory_ids, as_of):
    """``{factory: Shanghai date of its last visit on or before as_of}``."""
    return {factory: shanghai_date(at) for factory, (at, _next_action)
            in last_visits(factory_ids, utc_start_of(as_of + ONE_DAY)).items()}


def inputs_of_terms(term_ids, as_of):
    """``{term id: (factory id, HealthInputs)}`` for the membership terms of
    the ``term_ids`` subquery (or list of ids)."""
    terms = rollup.term_gmv(term_ids, as_of)
    if not terms:
        return {}
    factory_ids = Factory.select(Factory.id).where(
        Factory.id.in_(Membership.select(Membership.factory).where(Membership.id.in_(term_ids))))
    window = Period(as_of - datetime.timedelta(days=WINDOW_DAYS - 1), as_of)
    sums = sales_data.group_totals(factory_ids, Factory.id, [window, window.last_year()],
                                   size=len(terms))
    open_, breached, ratings = _complaint_counts(factory_ids, as_of)
    visits = _last_visits(factory_ids, as_of)
    result = {}
    for term, (factory, start, end, fee, gmv) in terms.items():
        now, year_ago = sums.get(factory, (sales_data.EMPTY, sales_data.EMPTY))
        elapsed = (min(end, as_of) - start).days + 1
        rated = ratings.get(factory)
        last_visit = visits.get(factory)
        result[term] = (factory, HealthInputs(
            membership_roi=ratio(gmv, fee),
            term_elapsed=max(0, min(1, elapsed / ((end - start).days + 1))),
            gmv_yoy_growth=growth(now["gmv_fen"], year_ago["gmv_fen"]),
            pickup_48h_rate=ratio(now["shipments_picked_48h"], now["shipments"]),
            open_complaints=open_.get(factory, 0),
            breached_complaints=breached.get(factory, 0),
            days_since_visit=None if last_visit is None else (as_of - last_visit).days,
            csat=ratio(sum(rated), len(rated)) if rated else None,
        ))
    return result


def health_of_terms(term_ids, as_of):
    """``{term id: Health}`` (see ``inputs_of_terms``)."""
    return {term: score(inputs) for term, (_factory, inputs)
            in inputs_of_terms(term_ids, as_of).items()}


def open_term(factory_id):
    """The factory's open term ending last, or ``None``."""
    return (Membership.select().where((Membership.factory == factory_id)
                                      & Membership.outcome.is_null())
            .order_by(Membership.end.desc()).first())


def health_for_factory(factory_id, as_of):
    """``(term, inputs, Health)`` of the factory's open term as of
    ``as_of``, or ``None`` without an open term: what the factory page and
    My factory show (the factory page links the term to ``/renewals/<id>``)."""
    term = open_term(factory_id)
    if term is None:
        return None
    _factory, inputs = inputs_of_terms([term.id], as_of)[term.id]
    return term, inputs, score(inputs)


def snapshot_closed_cases(today=None):
    """Record on every closed case without one the health score as of its
    term's end (or the last day of data): the basis of the forecast's band
    renewal rates for data that did not come through the outcome form (the
    seed). ``demo_data.POST_LOAD_HOOKS`` entry; one batch per end date."""
    cases = (RenewalCase.select(RenewalCase.id, Membership.id, Membership.end)
             .join(Membership)
             .where(RenewalCase.status.in_(("renewed", "churned"))
                    & RenewalCase.health_score.is_null()).tuples())
    by_day = {}
    last_day = (today - ONE_DAY) if today else None
    for case_id, term_id, end in cases:
        day = rawrows.to_date(end)
        if last_day is not None:
            day = min(day, last_day)
        by_day.setdefault(day, []).append((case_id, term_id))
    with db.atomic():
        for day, pairs in sorted(by_day.items()):
            health = health_of_terms([term for _case, term in pairs], day)
            for case_id, term_id in pairs:
                if term_id in health:
                    RenewalCase.update(health_score=health[term_id].score,
                                       health_band=health[term_id].band).where(
                        RenewalCase.id == case_id).execute()


@cache.memoized(cache.RENEWAL_READS)
def owner_facts(factory_id, as_of):
    """The owner's membership health (``metrics.health.owner_summary``) of
    their open term as of ``as_of``, or ``None`` without an open term."""
    found = health_for_factory(factory_id, as_of)
    return None if found is None else owner_summary(found[1])
