"""Each role's own home page, where login lands (see ``access.HOME_ENDPOINTS``).

Thin but real: every figure comes from the database through the scope rule.
Other areas extend these pages; each lives in its own template under
``templates/homes/``.
"""


from flask import Blueprint, g
from flask_babel import gettext as _

from access import roles_required
import charts
from charts import Chart, figure_json, new_figure
from i18n import is_chinese
from labels import STAGE_LABELS
from metrics.my_day import NOT_VISITED_DAYS, rep_day
from metrics.regions import region_overview
from scope import visible_factories
from metrics.period import shanghai_today
from views.rendering import render_page

bp = Blueprint("homes", __name__)


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
    from views.complaint_report import home_breaches

    breaches, breach_total = home_breaches(g.user)
    return render_page("homes/regions.html", rows=rows, chart=chart, total=total,
                       breaches=breaches, breach_total=breach_total)


__all__ = ["bp"]
