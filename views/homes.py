"""Each role's own home page, where login lands (see ``access.HOME_ENDPOINTS``).

Thin but real: every figure comes from the database through the scope rule.
Other areas extend these pages; each lives in its own template under
``templates/homes/``.
"""

import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import SQL, Case, fn

from access import roles_required
from charts import figure_json, new_figure
from i18n import is_chinese
from labels import STAGE_LABELS
from metrics.stages import current_stages
from models import LOST_STAGE, Factory, Membership, Region, StageEvent, Visit
from scope import visible_factories, visible_regions
from views.navigation import add_nav_item
from views.rendering import render_page

bp = Blueprint("homes", __name__)

add_nav_item("homes.my_day", _l("My day"), ["rep"])
add_nav_item("homes.my_factory", _l("My factory"), ["owner"])
add_nav_item("homes.regions", _l("Regions"), ["manager", "admin"])

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOT_VISITED_DAYS = 30
RENEWAL_WINDOW_DAYS = 90



def shanghai_today():
    """Today's calendar date in Asia/Shanghai."""
    return datetime.datetime.now(SHANGHAI).date()


# --- data functions (plain rows, no HTTP) ------------------------------------

def open_terms(factory_ids):
    """{factory id: the open membership term ending last}."""
    terms = {}
    query = (Membership.select()
             .where(Membership.factory.in_(factory_ids), Membership.outcome.is_null())
             .order_by(Membership.end))
    for term in query:
        terms[term.factory_id] = term
    return terms


def rep_day(user, today):
    """The rep's book: one row per factory with its stage, last visit, next
    action and open term, most urgent first; plus the counts on top."""
    factories = list(visible_factories(user, Factory.select(Factory, Region).join(Region))
                     .order_by(Factory.name))
    ids = [factory.id for factory in factories]
    stages = current_stages(ids)
    terms = open_terms(ids)
    last_visit, next_action = {}, {}
    visits = (Visit.select(Visit.factory, Visit.visited_at, Visit.next_action_on)
              .where(Visit.factory.in_(ids)).order_by(Visit.visited_at).tuples())
    for factory_id, visited_at, next_on in visits:
        last_visit[factory_id] = visited_at
        next_action[factory_id] = next_on
    soon = today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS)
    stale_before = datetime.datetime.combine(
        today - datetime.timedelta(days=NOT_VISITED_DAYS), datetime.time())
    rows = []
    for factory in factories:
        stage = stages.get(factory.id)
        term = terms.get(factory.id)
        row = {
            "factory": factory,
            "stage": stage.stage if stage else None,
            "stage_since": stage.entered_on if stage else None,
            "last_visit": last_visit.get(factory.id),
            "next_action_on": next_action.get(factory.id),
            "term": term,
            "renewal_due": bool(term and today <= term.end <= soon),
            "not_visited": (last_visit.get(factory.id) is None
                            or last_visit[factory.id] < stale_before),
        }
        # A lost factory needs no more work: it goes to the end, never "due".
        row["lost"] = row["stage"] == LOST_STAGE
        if row["lost"]:
            row.update(renewal_due=False, not_visited=False)
        row["action_due"] = bool(not row["lost"] and row["next_action_on"]
                                 and row["next_action_on"] <= today)
        dates = [d for d in (row["next_action_on"], term.end if row["renewal_due"] else None) if d]
        row["urgent_on"] = min(dates) if dates and not row["lost"] else None
        rows.append(row)
    rows.sort(key=lambda r: (r["lost"], r["urgent_on"] is None, r["urgent_on"] or today,
                             r["factory"].name))
    counts = {
        "factories": len(rows),
        "actions_due": sum(1 for r in rows if r["action_due"]),
        "renewals_due": sum(1 for r in rows if r["renewal_due"]),
        "not_visited": sum(1 for r in rows if r["not_visited"]),
    }
    return rows, counts


def live_factory_ids():
    """A subquery of the factories whose current stage is ``live``: they
    entered ``live`` and nothing after it (nor ``lost`` on the same day)."""
    live, later = StageEvent.alias(), StageEvent.alias()
    after_live = later.select(SQL("1")).where(
        later.factory == live.factory,
        (later.entered_on > live.entered_on)
        | ((later.entered_on == live.entered_on) & (later.stage == LOST_STAGE)))
    return live.select(live.factory).where(live.stage == "live", ~fn.EXISTS(after_live))


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
        fn.SUM(Case(None, [(Factory.id.in_(live_factory_ids()), 1)], 0)),
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


def region_chart(rows):
    """Factories per region, live ones apart (bars with text labels, so the
    numbers do not rely on colour)."""
    names = [row["region"].name("zh" if is_chinese() else "en") for row in rows]
    figure = new_figure(barmode="stack", height=max(260, 40 + 28 * len(rows)),
                        yaxis=dict(autorange="reversed", automargin=True),
                        legend=dict(traceorder="normal"), hovermode="y unified")
    figure.add_bar(y=names, x=[row["live"] for row in rows], name=str(_("Live")),
                   orientation="h", text=[row["live"] for row in rows], textposition="inside")
    figure.add_bar(y=names, x=[row["factories"] - row["live"] for row in rows],
                   name=str(_("Not live yet")), orientation="h",
                   marker=dict(pattern=dict(shape="/")),
                   text=[row["factories"] - row["live"] for row in rows], textposition="inside")
    # No mode bar: its buttons inside the chart's role="img" box are
    # interactive elements nested in an image (axe: nested-interactive).
    text = figure_json(figure)
    return text[:-1] + ', "config": {"displayModeBar": false}}'



# --- views --------------------------------------------------------------------

@bp.get("/my-day")
@roles_required("rep")
def my_day():
    """The rep's day: their book, most urgent first."""
    today = shanghai_today()
    rows, counts = rep_day(g.user, today)
    return render_page("homes/my_day.html", rows=rows, counts=counts, today=today,
                       stage_labels=STAGE_LABELS, not_visited_days=NOT_VISITED_DAYS)


@bp.get("/my-factory")
@roles_required("owner")
def my_factory():
    """The owner's own factory: its sales page (ROI, peers, charts)."""
    from views.sales import factory_page

    factory = visible_factories(g.user).first()
    if factory is None:
        return render_page("homes/my_factory.html")
    return factory_page(factory)


@bp.get("/regions")
@roles_required("manager", "admin")
def regions():
    """The manager's regions with counts of their factories."""
    rows = region_overview(g.user)
    chart = region_chart(rows) if rows else None
    total = {key: sum(row[key] for row in rows) for key in ("factories", "live", "super")}
    return render_page("homes/regions.html", rows=rows, chart=chart, total=total)


__all__ = ["bp", "current_stages", "rep_day", "region_overview"]
