"""The 吐槽板, ``/complaints/`` (SPEC section 9): the dashboard frame
configured by ``views.complaint_report`` -- tiles, charts, the board;
``/complaints/board`` its table alone (paging, sorting),
``/complaints/board.csv|.xlsx`` its export. Everyone; an owner sees their
own factory's only (the scope rule). One complaint's page, the intake and
the complaint forms are ``views.complaint_pages``, on the same blueprint.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from dashboards import Dashboard
import labels
from views.complaint_report import BOARD, FIELDS, clock_text, duration_text, report
from views.navigation import add_nav_item

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
add_nav_item("complaints.dashboard", _l("Complaints"), ("rep", "manager", "owner", "admin"))

EVERYONE = ("rep", "manager", "owner", "admin")
STAFF = ("rep", "manager", "admin")

DASHBOARD = Dashboard(bp, "complaints/dashboard.html", report, tables=[BOARD], fields=FIELDS,
                      roles=EVERYONE)


@bp.app_context_processor
def complaint_helpers():
    """Labels, clock words and the SLA promise for the complaint templates."""
    return {"complaint_labels": {"category": labels.COMPLAINT_CATEGORY_LABELS,
                                 "severity": labels.SEVERITY_LABELS,
                                 "channel": labels.CHANNEL_LABELS,
                                 "status": labels.COMPLAINT_STATUS_LABELS,
                                 "clock": labels.SLA_CLOCK_LABELS},
            "clock_text": clock_text, "duration_text": duration_text,
            "sla_promise": labels.sla_promise}
