"""The admin area: the admin's home, users, regions, API tokens and the
audit log. Admins only (``roles_required("admin")`` on every view)."""

from flask import Blueprint
from peewee import fn

from access import roles_required
from models import ROLES, AuditLog, Factory, Region, User
from flask_babel import lazy_gettext as _l

from views.navigation import add_nav_item
from views.rendering import render_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

add_nav_item("admin.index", _l("Administration"), ["admin"])


@bp.get("/")
@roles_required("admin")
def index():
    """The admin's home: what there is, and where to manage it."""
    by_role = dict(User.select(User.role, fn.COUNT(User.id)).where(User.is_active)
                   .group_by(User.role).tuples())
    counts = {
        "users": {role: by_role.get(role, 0) for role in ROLES},
        "disabled": User.select().where(~User.is_active).count(),
        "regions": Region.select().count(),
        "factories": Factory.select().count(),
    }
    recent = list(AuditLog.select().order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(10))
    return render_page("admin/index.html", counts=counts, recent=recent)
