"""Each role's own home page, where login lands (see ``access.HOME_ENDPOINTS``).

Thin but real: every figure comes from the database through the scope rule.
Other areas extend these pages; each lives in its own template under
``templates/homes/``.
"""


from flask import Blueprint, g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from access import roles_required
import charts
from charts import Chart, figure_json, new_figure
from i18n import is_chinese
from labels import SEVERITY_LABELS, SLA_CLOCK_LABELS, STAGE_LABELS
from metrics import my_day as my_day_data
from models import utcnow
from metrics import cache
from metrics.regions import OVERVIEW_READS, needs_today, region_overview
from metrics.scoping import Scope
from scope import visible_factories
from metrics.period import shanghai_today
from views.complaint_report import duration_text, home_breaches
from views.rendering import render_page
from views.renewals import BAND_LABELS
from views.sales import factory_page
from werkzeug.exceptions import BadRequest

bp = Blueprint("homes", __name__)

# My day's filters on top, and the badge on each item.
DAY_FILTER_LABELS = {
    None: _l("Everything"), "complaint": _l("Complaints"), "renewal": _l("Renewals"),
    "next_action": _l("Next actions"), "stalled": _l("Stalled onboarding"),
    "not_visited": _l("Not visited"),
}
DAY_ITEM_LABELS = {
    "complaint": _l("Complaint"), "renewal": _l("Renewal"), "next_action": _l("Next action"),
    "stalled": _l("Stalled"), "not_visited": _l("Visit due"),
}

DAY_BAND_LABELS = {
    my_day_data.NOW: _l("Now: complaints past or near their deadline"),
    my_day_data.THIS_WEEK: _l("This week: renewals ending and follow-ups promised"),
    my_day_data.THIS_MONTH: _l("This month: renewals, weakest health first"),
    my_day_data.FOLLOW_UP: _l("Follow up: stalled, long overdue, not visited"),
}


def region_chart(rows):
    """Factories per region, live ones apart (bars with text labels, so the
    numbers do not rely on colour)."""
    names = [row["region"].name("zh" if is_chinese() else "en") for row in rows]
    live = [row["live"] for row in rows]
    not_live = [row["factories"] - row["live"] for row in rows]
    height = charts.box_height(80 + 28 * len(rows))
    figure = new_figure(barmode="stack", height=height,
                        xaxis=charts.count_axis([row["factories"] for row in rows]),
                        yaxis=dict(autorange="reversed", automargin=True),
                        legend=dict(traceorder="normal"), hovermode="y unified")
    for values, name, extra in ((live, str(_("Live")), {}),
                                (not_live, str(_("Not live yet")),
                                 dict(marker=dict(pattern=dict(shape="/"))))):
        figure.add_bar(y=names, x=values, name=name, orientation="h", text=values,
                       textposition="inside", **charts.hover(name, charts.count_texts(values)),
                       **extra)
    summary = _("Factories per region; live factories first, the rest not live yet. "
                "The same numbers are in the table above.")
    table = tuple((name, row["factories"], row["live"]) for name, row in zip(names, rows))
    return Chart("region-chart", figure_json(figure), summary,
                 (_("Region"), _("Factories"), _("Live")), table, height=height)


# --- views --------------------------------------------------------------------

@bp.get("/my-day")
@roles_required("rep")
def my_day():
    """The rep's day: one list of what needs them, most urgent first
    (``metrics.my_day``), the counts on top; ``show=<kind>`` keeps one kind.
    htmx gets the ``day`` block (a filter tap, or the refresh after an action)."""
    show = request.args.get("show") or None
    if show is not None and show not in my_day_data.KINDS:
        raise BadRequest("show")
    items, counts = my_day_data.rep_day(g.user, shanghai_today(), utcnow())
    shown = [item for item in items if show is None or item.kind == show]
    # Labels translated once per page, not once per item (a book of ~100).
    labels = {name: {key: str(text) for key, text in table.items()} for name, table in (
        ("kind_labels", DAY_FILTER_LABELS), ("item_labels", DAY_ITEM_LABELS),
        ("stage_labels", STAGE_LABELS), ("clock_labels", SLA_CLOCK_LABELS),
        ("severity_labels", SEVERITY_LABELS), ("band_labels", BAND_LABELS),
        ("band_labels_day", DAY_BAND_LABELS))}
    return render_page("homes/my_day.html", partial="day", items=shown, counts=counts,
                       show=show, kinds=my_day_data.KINDS, duration_text=duration_text,
                       follow_up=my_day_data.FOLLOW_UP,
                       book_size=None if items else visible_factories(g.user).count(),
                       **labels)


@bp.get("/my-factory")
@roles_required("owner")
def my_factory():
    """The owner's own factory: its sales page (ROI, peers, charts)."""
    factory = visible_factories(g.user).first()
    if factory is None:
        return render_page("homes/my_factory.html")
    return factory_page(factory)


@bp.get("/regions")
@roles_required("manager", "admin")
def regions():
    """The manager's home: what needs them today (proposals waiting,
    complaints past SLA, stalled onboarding, the reps with the most overdue
    work), then their regions with counts and links to each dashboard."""
    rows = region_overview(g.user)
    # Remembered as the counts are (charts.remembered adds the language).
    chart = charts.remembered(OVERVIEW_READS, "regions",
                              [cache.scope_key(Scope(g.user))],
                              lambda: [region_chart(rows)])[0] if rows else None
    total = {key: sum(row[key] for row in rows) for key in ("factories", "live", "super")}
    breaches, breached_ids = home_breaches(g.user)
    needs = needs_today(g.user, shanghai_today(), breached_ids)
    return render_page("homes/regions.html", rows=rows, chart=chart, total=total,
                       breaches=breaches, breach_total=len(breached_ids), needs=needs)


__all__ = ["bp"]
