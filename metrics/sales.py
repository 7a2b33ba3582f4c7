"""Sales KPIs (SPEC section 4, "Sales") for the sales dashboard and the API.

Every function takes a ``Scope`` (metrics.scoping) and a ``Period``
(metrics.period). Money is exact ``Decimal`` yuan (summed as integer fen),
counts ``int``, rates and ratios exact ``Decimal`` fractions, and ``None``
wherever a denominator is 0.
"""

from peewee import fn

from models import Factory, Membership, Region, User
from metrics import cache, sales_data
from metrics.numbers import change, fen_to_yuan, growth, median, ratio
from metrics.period import Period
from metrics.scoping import active_terms

# How each KPI reads: money (yuan), count, rate (fraction 0..1: changes are
# differences) or ratio (ROI: changes are relative).
KPI_KINDS = {
    "gmv_cny": "money",
    "orders": "count",
    "aov_cny": "money",
    "new_buyers": "count",
    "repeat_order_rate": "rate",
    "dropship_share": "rate",
    "pickup_48h_rate": "rate",
    "gmv_yoy_growth": "rate",
    "active_factories": "count",
    "membership_roi": "ratio",
    "peer_median_gmv_cny": "money",
    "peer_percentile": "rate",
}
BASE_KPIS = tuple(list(KPI_KINDS)[:9])
FACTORY_KPIS = ("membership_roi", "peer_median_gmv_cny", "peer_percentile")
MIN_PEERS = 5
RANKING_LEVELS = ("regions", "reps", "factories")


def derive(totals, last_year_gmv_fen=None):
    """The base KPIs from summed measures (``sales_data`` totals). Without
    ``last_year_gmv_fen`` the YoY growth is ``None``."""
    orders = totals["orders"]
    return {
        "gmv_cny": fen_to_yuan(totals["gmv_fen"]),
        "orders": orders,
        "aov_cny": None if not orders else fen_to_yuan(totals["gmv_fen"]) / orders,
        "new_buyers": totals["new_buyers"],
        "repeat_order_rate": ratio(totals["repeat_orders"], orders),
        "dropship_share": ratio(totals["dropship_orders"], orders),
        "pickup_48h_rate": ratio(totals["shipments_picked_48h"], totals["shipments"]),
        "gmv_yoy_growth": growth(totals["gmv_fen"], last_year_gmv_fen),
        "active_factories": totals.get("active_factories", 0),
    }


def _base_kpis(factory_ids, period, size=None):
    current, last_year = sales_data.period_totals_many(
        factory_ids, [period, period.last_year()], size)
    return derive(current, last_year["gmv_fen"])


def kpis(scope, period):
    """``{name: value}`` with every sales KPI of SPEC section 4:

    ``gmv_cny`` (Decimal), ``orders`` (int), ``aov_cny`` (Decimal|None),
    ``new_buyers`` (int), ``repeat_order_rate``, ``dropship_share``,
    ``pickup_48h_rate``, ``gmv_yoy_growth`` (Decimal|None),
    ``active_factories`` (int); and when the scope is one factory (a
    ``factory`` filter or an owner) also ``membership_roi``,
    ``peer_median_gmv_cny`` and ``peer_percentile`` (Decimal|None)."""
    result = _base_kpis(scope.factory_ids(period.end), period, scope.known_size)
    factory_id = scope.single_factory_id
    if factory_id is not None:
        term = current_term(factory_id, period.end)
        result["membership_roi"] = _roi(factory_id, term, period)
        peers = _peers(factory_id, term, period)
        result["peer_median_gmv_cny"] = peers["peer_median_gmv_cny"]
        result["peer_percentile"] = peers["peer_percentile"]
    return result


@cache.memoized(cache.SALES_READS)
def compare(scope, period):
    """The base KPIs with their previous-period and last-year values:
    ``{name: {"value", "previous", "last_year", "vs_previous",
    "vs_last_year", "kind"}}`` where ``previous`` is the same-length period
    just before, ``last_year`` the same dates a year earlier, and ``vs_*``
    the change (``sales.KPI_KINDS``: relative growth for money and counts,
    a difference for rates; ``None`` when either side is ``None`` or the
    base is 0)."""
    spans = [period, period.previous(), period.last_year()]
    totals = sales_data.period_totals_many(scope.factory_ids(period.end),
                                           spans + [span.last_year() for span in spans],
                                           scope.known_size)
    now, before, year_ago = (derive(totals[i], totals[i + 3]["gmv_fen"]) for i in range(3))
    return {
        name: {
            "value": now[name],
            "previous": before[name],
            "last_year": year_ago[name],
            "vs_previous": change(now[name], before[name], KPI_KINDS[name]),
            "vs_last_year": change(now[name], year_ago[name], KPI_KINDS[name]),
            "kind": KPI_KINDS[name],
        }
        for name in BASE_KPIS
    }


def current_term(factory_id, on):
    """The factory's membership term active on ``on`` (the latest started
    one if several), or ``None``."""
    return (Membership.select(Membership, Factory.region)
            .join(Factory)
            .where((Membership.factory == factory_id) & (Membership.start <= on)
                   & (Membership.end >= on))
            .order_by(Membership.start.desc()).first())


def _term_sales(factory_id, term, period):
    return sales_data.factory_daily_gmv(factory_id, Period(term.start, min(term.end, period.end)))


def _roi(factory_id, term, period):
    if term is None:
        return None
    gmv_fen = sum(gmv for _day, gmv in _term_sales(factory_id, term, period))
    return ratio(gmv_fen, term.fee_fen)


def membership_roi(factory_id, period):
    """GMV over the current term (start..min(end, ``to``)) / the term's fee;
    ``None`` with no term active on ``to`` or a zero fee."""
    return _roi(factory_id, current_term(factory_id, period.end), period)


@cache.memoized(cache.SALES_READS)
def roi_card(scope, period):
    """The owner's ROI card for the scope's single factory, or ``None`` when
    the scope is not one factory or it has no term active on ``to``::

        {"tier": "super", "term_start": date, "term_end": date,
         "fee_cny": Decimal, "gmv_cny": Decimal (term start..min(end, to)),
         "membership_roi": Decimal|None, "fee_covered_on": date|None
         (the first day cumulative GMV in the term reached the fee),
         "days_to_renewal": int (term end - to)}
    """
    factory_id = scope.single_factory_id
    if factory_id is None:
        return None
    term = current_term(factory_id, period.end)
    if term is None:
        return None
    running, covered_on = 0, None
    for day, gmv in _term_sales(factory_id, term, period):
        running += gmv
        if covered_on is None and running >= term.fee_fen:
            covered_on = day
    if term.fee_fen == 0:
        covered_on = term.start
    return {
        "tier": term.tier,
        "term_start": term.start,
        "term_end": term.end,
        "fee_cny": fen_to_yuan(term.fee_fen),
        "gmv_cny": fen_to_yuan(running),
        "membership_roi": ratio(running, term.fee_fen),
        "fee_covered_on": covered_on,
        "days_to_renewal": (term.end - period.end).days,
    }


@cache.memoized(cache.SALES_READS)
def peer_benchmark(factory_id, period):
    """How one factory compares with its peers, never naming them::

        {"peer_count": int, "gmv_cny": Decimal|None (the factory's GMV,
         None when there are too few peers to compare),
         "peer_median_gmv_cny": Decimal|None,
         "peer_percentile": Decimal|None (share of peers strictly below),
         "peers_without_sales": int|None (peers with GMV 0 in the period)}

    Peers are the other factories of the same region whose term active on
    ``to`` has the same tier as the factory's; a peer with no sales in the
    period counts with GMV 0 (SPEC), and ``peers_without_sales`` says how
    many did, so the page can say so. The figures are ``None`` with fewer
    than 5 peers (or no term active on ``to``)."""
    return _peers(factory_id, current_term(factory_id, period.end), period)


def _peers(factory_id, term, period):
    result = {"peer_count": 0, "gmv_cny": None,
              "peer_median_gmv_cny": None, "peer_percentile": None,
              "peers_without_sales": None}
    if term is None:
        return result
    ids = [row[0] for row in
           Factory.select(Factory.id)
           .where((Factory.region == term.factory.region_id) & (Factory.id != factory_id)
                  & Factory.id.in_(active_terms(period.end, term.tier))).tuples()]
    result["peer_count"] = len(ids)
    if len(ids) < MIN_PEERS:
        return result
    peers_and_own = Factory.select(Factory.id).where(Factory.id.in_(ids + [factory_id]))
    totals = sales_data.factory_totals(peers_and_own, period, size=len(ids) + 1)
    own_gmv = totals.get(factory_id, {}).get("gmv_fen", 0)
    gmvs = [totals.get(peer, {}).get("gmv_fen", 0) for peer in ids]
    result["gmv_cny"] = fen_to_yuan(own_gmv)
    result["peer_median_gmv_cny"] = fen_to_yuan(median(gmvs))
    result["peer_percentile"] = ratio(sum(1 for gmv in gmvs if gmv < own_gmv), len(gmvs))
    result["peers_without_sales"] = sum(1 for gmv in gmvs if gmv == 0)
    return result


@cache.memoized(cache.SALES_READS)
def series(scope, period, grain="day"):
    """One row per day, ISO week or calendar month of the period (the
    first and last clipped to it), oldest first::

        [{"start": date, "end": date, "gmv_cny", "orders", "aov_cny",
          "new_buyers", "repeat_order_rate", "dropship_share",
          "pickup_48h_rate"}, ...]

    (no ``active_factories`` and no YoY per bucket)."""
    buckets = period.buckets(grain)
    rows = []
    for bucket, totals in zip(buckets, sales_data.bucket_totals(
            scope.factory_ids(period.end), buckets, scope.known_size)):
        values = derive(totals)
        del values["gmv_yoy_growth"], values["active_factories"]
        rows.append({"start": bucket.start, "end": bucket.end, **values})
    return rows


GROUP_COLUMNS = {"regions": Factory.region, "reps": Factory.rep, "factories": Factory.id}


def _group_names(level, keys, ids):
    """``{key: (code, Chinese name, English name)}`` of the groups: the
    regions or reps among ``keys``, or the factories of the ``ids``
    subquery (every factory in scope: thousands at a wide scope, too many
    to send as a list of parameters)."""
    if level == "regions":
        return {region.id: (region.code, region.name_zh, region.name_en)
                for region in Region.select().where(Region.id.in_(list(keys)))}
    if level == "reps":
        return {user.id: (user.username, user.display_name, user.display_name)
                for user in User.select(User.id, User.username, User.display_name)
                .where(User.id.in_([key for key in keys if key is not None]))}
    return {factory_id: (code, name, name) for factory_id, code, name in
            Factory.select(Factory.id, Factory.code, Factory.name)
            .where(Factory.id.in_(ids)).tuples()}


def _ranking_kpis(totals):
    values = derive(totals)
    del values["gmv_yoy_growth"]
    return values


def rankings(scope, period, level):
    """The scope's regions, reps or factories with their KPIs now and in the
    previous period, best GMV first::

        [{"id": int|None, "key": region code | rep username | factory code
          (None for factories with no rep), "name": str (Chinese name,
          display name or factory name), "name_en": str,
          "factories": int (in scope), "kpis": {base KPIs but YoY},
          "previous": {same, previous period},
          "change": {name: change vs previous (see ``compare``)}}, ...]

    An owner's scope holds only their own factory, so an owner's rankings
    never show another factory. Four queries, whatever the scope's size."""
    if level not in RANKING_LEVELS:
        raise ValueError(f"unknown level {level!r}")
    ids = scope.factory_ids(period.end)
    group = GROUP_COLUMNS[level]
    sums = sales_data.group_totals(ids, group, [period, period.previous()], scope.known_size)
    members = dict(Factory.select(group, fn.COUNT(Factory.id)).where(Factory.id.in_(ids))
                   .group_by(group).tuples())
    names = _group_names(level, members, ids)
    result = []
    for key, count in members.items():
        now_totals, before_totals = sums.get(key, (sales_data.EMPTY, sales_data.EMPTY))
        now, before = _ranking_kpis(now_totals), _ranking_kpis(before_totals)
        code, name, name_en = names.get(key, (None, "", ""))
        result.append({
            "id": key, "key": code, "name": name, "name_en": name_en,
            "factories": count, "kpis": now, "previous": before,
            "change": {name_: change(now[name_], before[name_], KPI_KINDS[name_])
                       for name_ in now},
        })
    result.sort(key=lambda row: (-row["kpis"]["gmv_cny"], row["key"] or ""))
    return result


def trends(scope, periods, level, keys):
    """``{key: [GMV in fen for each of periods]}`` of the given regions, reps
    or factories (the ranking's sparklines); two queries."""
    group = GROUP_COLUMNS[level]
    ids = scope.factory_ids(periods[-1].end).where(group.in_(list(keys)))
    sums = sales_data.group_totals(ids, group, periods, scope.known_size)
    return {key: [totals["gmv_fen"] for totals in sums.get(key, ())] or [0] * len(periods)
            for key in keys}
