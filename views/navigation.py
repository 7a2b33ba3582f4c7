"""The header's navigation: every link, the roles that may follow it, and
its place, in one list. The template shows a user only their own links.

The order is the header's, left to right: each role's home first (admin,
rep, owner, manager -- a role sees only its own, except that an admin also
has the managers' region overview), the owner's factory timeline beside
their home, then the four dashboards in SPEC order (sales, onboarding,
renewals, complaints). A new area adds its row here; the access rules for
the page itself stay on its view (``access.roles_required``).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

STAFF = ("rep", "manager", "admin")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy translation
    roles: tuple


NAV_ITEMS = (
    NavItem("admin.index", _l("Administration"), ("admin",)),
    NavItem("homes.my_day", _l("My day"), ("rep",)),
    NavItem("homes.my_factory", _l("My factory"), ("owner",)),
    # 区域概览 in Chinese, not 区域: the admin area has 区域设置 ("Region settings").
    NavItem("homes.regions", lazy_pgettext("navigation", "Regions"), ("manager", "admin")),
    NavItem("factories.own", _l("Factory timeline"), ("owner",)),
    NavItem("sales.dashboard", _l("Sales"), STAFF),
    NavItem("onboarding.dashboard", _l("Onboarding"), STAFF),
    NavItem("renewals.dashboard", _l("Renewals"), STAFF),
    NavItem("renewals.queue", _l("Review queue"), ("manager", "admin")),
    NavItem("complaints.dashboard", _l("Complaints"), STAFF + ("owner",)),
)


def nav_items(user):
    """The links ``user`` may follow, in the order above."""
    if user is None:
        return []
    return [item for item in NAV_ITEMS if user.role in item.roles]
