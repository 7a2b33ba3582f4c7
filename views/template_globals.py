"""What every template may use beyond Flask's own (``request``, ``g``,
``url_for``, ``csrf_token``, ``current_user``), registered in one place,
in this order:

1. the formatting filters ``money``, ``money_exact``, ``number``,
   ``percent``, ``datetime`` and ``day`` (``i18n.FILTERS``);
2. the constants ``LANGUAGES`` (the header's language switch) and
   ``MIN_PASSWORD_LENGTH`` (the password forms' hints);
3. per request, from ``page_helpers``: ``static_url`` (fingerprinted
   static URLs, ``static_files.url``), ``nav_items`` (the header's links, ``views.navigation``),
   ``is_chinese`` and ``current_language``, ``unread_notifications`` (the
   bell's count), and the complaint words used on several areas' pages:
   ``complaint_labels``, ``clock_text``, ``duration_text``, ``sla_promise``.

Two areas add helpers for their own templates only, on their blueprint:
``views.admin.admin_helpers`` (``url_with``, role and audit action labels)
and ``views.factories.factory_helpers`` (the factory page's labels, links
and today's date).
"""

from flask import g
from peewee import DatabaseError

import labels
import static_files
from access import MIN_PASSWORD_LENGTH
from actions import notifications
from i18n import FILTERS, LANGUAGES, is_chinese, select_locale
from views.complaint_report import clock_text, duration_text
from views.navigation import nav_items

COMPLAINT_LABELS = {"category": labels.COMPLAINT_CATEGORY_LABELS,
                    "severity": labels.SEVERITY_LABELS,
                    "channel": labels.CHANNEL_LABELS,
                    "status": labels.COMPLAINT_STATUS_LABELS,
                    "clock": labels.SLA_CLOCK_LABELS}


def register(app):
    """Register the filters, globals and helpers above on ``app``."""
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["MIN_PASSWORD_LENGTH"] = MIN_PASSWORD_LENGTH
    app.context_processor(page_helpers)


def unread_notifications():
    """The header bell's count: one indexed count, run only when a template
    asks (0 when the database cannot answer: an error page must still render)."""
    user = g.get("user")
    if user is None:
        return 0
    try:
        return notifications.unread_count(user)
    except DatabaseError:
        return 0


def page_helpers():
    """The per-request helpers, in the order of the module's docstring."""
    return {
        "static_url": static_files.url,
        "nav_items": nav_items,
        "is_chinese": is_chinese,
        "current_language": select_locale,
        "unread_notifications": unread_notifications,
        "complaint_labels": COMPLAINT_LABELS,
        "clock_text": clock_text,
        "duration_text": duration_text,
        "sla_promise": labels.sla_promise,
    }
