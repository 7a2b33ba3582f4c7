"""The header's navigation: each area registers its links and the roles
that may follow them; the template shows a user only their own links."""

from dataclasses import dataclass

from flask_babel import lazy_gettext


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy translation
    roles: tuple


NAV_ITEMS = []


def add_nav_item(endpoint, label, roles):
    """Register a header link; ``label`` is a lazy_gettext string."""
    NAV_ITEMS.append(NavItem(endpoint, label, tuple(roles)))


def nav_items(user):
    """The links ``user`` may follow, in registration order."""
    if user is None:
        return []
    return [item for item in NAV_ITEMS if user.role in item.roles]


__all__ = ["add_nav_item", "nav_items", "lazy_gettext"]
