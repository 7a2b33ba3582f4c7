"""The 吐槽板, ``/complaints/`` (SPEC section 9): the dashboard frame
configured by ``views.complaint_report`` -- tiles, charts, the board;
``/complaints/board`` its table alone (paging, sorting),
``/complaints/board.csv|.xlsx`` its export. Everyone; an owner sees their
own factory's only (the scope rule). One complaint's page, the intake and
the complaint forms are ``views.complaint_pages``, on the same blueprint.
"""

from flask import Blueprint

from dashboards import Dashboard
from views.complaint_report import BOARD, FIELDS, report

bp = Blueprint("complaints", __name__, url_prefix="/complaints")

EVERYONE = ("rep", "manager", "owner", "admin")
STAFF = ("rep", "manager", "admin")

DASHBOARD = Dashboard(bp, "complaints/dashboard.html", report, tables=[BOARD], fields=FIELDS,
                      roles=EVERYONE)
