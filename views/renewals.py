"""The renewals dashboard ``/renewals/`` (SPEC section 9) as a configuration
of the dashboard frame: every renewal KPI as a tile, the due list (30/60/90
days, with each term's health and its two strongest drivers), renewal rate
by region, tier and cohort, churn reasons and the 90-day forecast.

Every number is ``metrics.renewals``'s / ``metrics.renewal_lists``'s, the
functions the KPI API uses, so tiles and API cannot disagree.
"""

from flask import Blueprint, abort, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2_fragments.flask import render_block

import charts
from access import roles_required, visible_factory_or_404
from actions import authorise, respond_done, submit
from actions import renewals as renewal_actions
from dashboards import Column, Dashboard, FilterField, Table, tile
from i18n import is_chinese
from metrics import cache, renewals
from metrics.numbers import round_money
from metrics.health_data import health_for_factory
from metrics.period import shanghai_today
from metrics.renewal_lists import churn_reasons, due_terms, forecast
from models import TIER_FEES_FEN, Membership, RenewalEvent
from views import renewal_charts
from views.rendering import render_page

bp = Blueprint("renewals", __name__, url_prefix="/renewals")

TILES = {
    "renewed": (_l("Renewed"), "count"),
    "churned": (_l("Churned"), "count"),
    "open": (_l("Ended, not yet decided"), "count"),
    "renewal_rate": (_l("Renewal rate"), "rate"),
    "due_30": (_l("Due in 30 days"), "count"),
    "due_60": (_l("Due in 60 days"), "count"),
    "due_90": (_l("Due in 90 days"), "count"),
    "revenue_at_stake_90_cny": (_l("Fees at stake, 90 days"), "money"),
    "renewed_revenue_cny": (_l("Fees of renewed terms"), "money"),
}
WINDOWS = {"30": _l("30 days"), "60": _l("60 days"), "90": _l("90 days")}
DRIVER_LABELS = {
    "membership_roi": _l("Membership ROI"), "gmv_yoy_growth": _l("GMV vs last year"),
    "pickup_48h_rate": _l("48-hour pickup"), "complaints": _l("Complaints"),
    "days_since_visit": _l("Days since visit"), "csat": _l("CSAT"),
}
BAND_LABELS = {"healthy": _l("Healthy"), "watch": _l("Watch"), "at_risk": _l("At risk")}
STATUS_LABELS = {"none": _l("No proposal"), "proposed": _l("Proposed"),
                 "approved": _l("Approved"), "rejected": _l("Rejected")}
CASE_STATUS_LABELS = dict(STATUS_LABELS, open=_l("No proposal"), renewed=_l("Renewed"),
                          churned=_l("Churned"))
REASON_LABELS = {
    "low_roi": _l("Low ROI"), "fee_too_high": _l("Fee too high"), "traffic": _l("Traffic"),
    "service": _l("Service"), "business_closed": _l("Business closed"),
    "competitor": _l("Competitor"), "other": _l("Other"), None: _l("Not recorded"),
}


def _window(filters):
    return int(filters.fields.get("due") or 90)


def _due_rows(filters, state):
    """The terms due in the window (a prefix of the 90 days' list, which
    ``metrics.cache`` keeps for the forecast too)."""
    window = _window(filters)
    return [row for row in due_terms(filters.scope, filters.period, 90)
            if row["days_left"] <= window]


def _health_text(row):
    health = row["health"]
    if health is None:
        return "—"
    drivers = "、".join(str(DRIVER_LABELS[d.name]) + ("↑" if d.effect > 0 else "↓")
                       for d in health.strongest)
    return f"{health.score} {BAND_LABELS[health.band]} · {drivers}"


def _due_export(filters, state, rows):
    header = ["term_id", "factory_code", "factory_name", "tier", "fee_cny", "end",
              "days_left", "rep", "health_score", "health_band", "case_status"]
    return header, ([row["term_id"], row["factory_code"], row["factory_name"], row["tier"],
                     round_money(row["fee_cny"]), row["end"], row["days_left"], row["rep"],
                     row["health"].score if row["health"] else None,
                     row["health"].band if row["health"] else None, row["case_status"]]
                    for row in rows)


DUE = Table(
    name="due",
    title=_l("Due for renewal"),
    page_title=_l("Terms due for renewal"),
    back_label=_l("Back to the renewals dashboard"),
    rows=_due_rows,
    columns={
        "factory": Column(_l("Factory"), lambda row: row["factory_name"], kind="text"),
        "tier": Column(_l("Tier"), lambda row: row["tier"], kind="text",
                       text=lambda row: _("Super factory") if row["tier"] == "super"
                       else _("CXT")),
        "fee": Column(_l("Fee"), lambda row: row["fee_cny"], kind="money"),
        "days_left": Column(_l("Days left"), lambda row: row["days_left"]),
        "rep": Column(_l("Rep"), lambda row: row["rep_name"] or "", kind="text"),
        "health": Column(_l("Health"), lambda row: row["health"].score if row["health"] else -1,
                         kind="text", text=_health_text),
        "status": Column(_l("Case"), lambda row: row["case_status"], kind="text",
                         text=lambda row: str(STATUS_LABELS[row["case_status"]])),
    },
    sort="days_left",
    prefix="due_",
    link=lambda filters, row: url_for("renewals.case", term_id=row["term_id"]),
    export=_due_export,
    export_stem="renewals-due",
    empty=_l("No open term ends in this window."),
    reads=cache.RENEWAL_READS,
)


def _rate_rows(rows, level):
    """``metrics.renewals.rankings`` rows with the label to show."""
    for row in rows:
        if level == "regions":
            row["label"] = row["name"] if is_chinese() else row["name_en"]
        elif level == "tiers":
            row["label"] = _("Super factory") if row["key"] == "super" else _("CXT")
        else:
            row["label"] = row["name"] or _("Never a super factory")
    return rows


@cache.memoized(cache.RENEWAL_READS)
def _numbers(scope, period):
    """The dashboard's figures besides the due table (kept by
    ``metrics.cache``: the forecast rates every term due in 90 days)."""
    return {"kpis": renewals.kpis(scope, period),
            "rates": {level: renewals.rankings(scope, period, level)
                      for level in ("regions", "tiers", "cohorts")},
            "reasons": churn_reasons(scope, period),
            "forecast": forecast(scope, period)}


def _charts(filters, rates):
    """The rate charts (one per level of ``rates``, in its order) and the
    monthly chart, kept by ``charts.remembered`` under the renewal tables:
    building the Plotly figures, and the monthly series, cost more than
    the rest of the page."""
    def build():
        return ([renewal_charts.rate_chart(level, rows) for level, rows in rates.items()]
                + [renewal_charts.monthly_chart(
                    renewal_charts.monthly_rows(filters.scope, filters.period))])

    return charts.remembered(cache.RENEWAL_READS, "renewals",
                             [cache.scope_key(filters.scope), cache.period_key(filters.period)],
                             build)


def dashboard_report(filters):
    """Tiles, rates by region / tier / cohort (tables and charts), renewed
    and churned per month over the last 12 months, churn reasons, forecast."""
    numbers = _numbers(filters.scope, filters.period)
    kpis = numbers["kpis"]
    rates = {level: _rate_rows(rows, level) for level, rows in numbers["rates"].items()}
    *rate_charts, monthly = _charts(filters, rates)
    return {
        "tiles": [tile(name, label, kind, kpis[name]) for name, (label, kind) in TILES.items()],
        "rates": rates,
        "rate_charts": dict(zip(rates, rate_charts)),
        "monthly": monthly,
        "reasons": numbers["reasons"],
        "forecast": numbers["forecast"],
        "band_labels": BAND_LABELS, "reason_labels": REASON_LABELS,
    }


DASHBOARD = Dashboard(bp, "renewals/dashboard.html", dashboard_report, tables=[DUE],
                      fields=[FilterField("due", _l("Due within"), WINDOWS,
                                          all_label=_l("90 days"))])


# --- one renewal case: /renewals/<id> and its three actions ------------------------------

CASE_PAGE = "renewals/case.html"
STAFF = ("rep", "manager", "admin")


def _term_or_404(term_id):
    """The membership term ``term_id`` and its factory, if the user may see
    the factory (the one scope rule), else 404."""
    term = Membership.get_or_none(Membership.id == term_id)
    if term is None:
        abort(404)
    return term, visible_factory_or_404(term.factory_id)


def case_context(term, factory, **forms):
    """Everything ``/renewals/<id>`` shows: the term, its successor, the
    factory's health, the case, its history and the forms its state allows."""
    case = renewal_actions.case_of(term)
    found = health_for_factory(factory.id, shanghai_today())
    health = found[2] if found and found[0].id == term.id else None
    events = list(RenewalEvent.select().where(RenewalEvent.case == case.id)
                  .order_by(RenewalEvent.at, RenewalEvent.id)) if case.id else []
    successor = (Membership.select().where(Membership.factory == factory.id,
                                           Membership.start > term.end)
                 .order_by(Membership.start).first()) if term.outcome == "renewed" else None
    is_open = term.outcome is None
    user = g.user
    context = {
        "term": term, "factory": factory, "case": case, "health": health, "events": events,
        "successor": successor, "band_labels": BAND_LABELS, "driver_labels": DRIVER_LABELS,
        "status_labels": CASE_STATUS_LABELS, "reason_labels": REASON_LABELS,
        "tier_labels": renewal_actions.TIER_LABELS, "list_fee_fen": TIER_FEES_FEN,
        "discount": renewal_actions.discount,
        "days_left": (term.end - shanghai_today()).days,
    }
    if is_open and case.status in renewal_actions.OPEN_FOR_PROPOSAL:
        context["proposal_form"] = forms.get("proposal_form") or renewal_actions.ProposalForm(
            formdata=None, tier=case.proposed_tier or term.tier, version=case.version,
            fee_cny=f"{(case.proposed_fee_fen or TIER_FEES_FEN[term.tier]) / 100:.2f}",
            risk_note=case.risk_note)
    if (case.status == "proposed" and user.role in ("manager", "admin")
            and case.proposed_by_id != user.id):
        context["decision_form"] = forms.get("decision_form") or renewal_actions.DecisionForm(
            formdata=None, version=case.version)
    if is_open and case.status != "proposed":
        context["outcome_form"] = forms.get("outcome_form") or renewal_actions.OutcomeForm(
            REASON_LABELS, formdata=None, version=case.version)
    return context


def _case_page(term_id, **forms):
    """The case page (or, for htmx, its ``case`` block), read anew."""
    term, factory = _term_or_404(term_id)
    return render_page(CASE_PAGE, partial="case", **case_context(term, factory, **forms))


def _case_done(term_id):
    def respond(_change):
        term, factory = _term_or_404(term_id)
        return respond_done(url_for("renewals.case", term_id=term_id),
                            partial=lambda: render_block(CASE_PAGE, "case",
                                                         **case_context(term, factory)),
                            target="#case")
    return respond


@bp.get("/<int:term_id>")
@roles_required(*STAFF)
def case(term_id):
    """The renewal case of one membership term."""
    return _case_page(term_id)


@bp.post("/<int:term_id>/proposal")
@roles_required(*STAFF)
def proposal(term_id):
    """Propose renewal terms: ``tier``, ``fee_cny``, ``note``, ``risk_note``."""
    term, _factory = _term_or_404(term_id)
    form = renewal_actions.ProposalForm()
    return submit(form, lambda: renewal_actions.propose(term, form, g.user),
                  again=lambda: _case_page(term_id, proposal_form=form),
                  done=_case_done(term_id), version=renewal_actions.case_of(term).version)


@bp.post("/<int:term_id>/decision")
@roles_required("manager", "admin")
def decision(term_id):
    """Approve or reject the waiting proposal (never the proposer's own);
    ``?view=queue``: answer for the review queue's row instead of the case."""
    term, _factory = _term_or_404(term_id)
    current = renewal_actions.case_of(term)
    authorise(current.proposed_by_id is None or current.proposed_by_id != g.user.id)
    form = renewal_actions.DecisionForm()
    if request.args.get("view") == renewal_queue.QUEUE_VIEW:
        again, done = renewal_queue.answers(term, form)
    else:
        again, done = lambda: _case_page(term_id, decision_form=form), _case_done(term_id)
    return submit(form, lambda: renewal_actions.decide(term, form, g.user),
                  again=again, done=done, version=current.version)


@bp.post("/<int:term_id>/outcome")
@roles_required(*STAFF)
def outcome(term_id):
    """Close the term: ``outcome`` renewed or churned (``churn_reason``)."""
    term, _factory = _term_or_404(term_id)
    form = renewal_actions.OutcomeForm(REASON_LABELS)
    return submit(form, lambda: renewal_actions.close(term, form, g.user),
                  again=lambda: _case_page(term_id, outcome_form=form),
                  done=_case_done(term_id), version=renewal_actions.case_of(term).version)


from views import renewal_queue  # noqa: E402 (adds /renewals/queue to bp)
