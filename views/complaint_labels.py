"""The words the complaint pages use for the complaint enumerations, in
plain language an owner understands on a phone, and the SLA promise each
severity carries ("紧急问题 4 小时内响应")."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import FIRST_RESPONSE_TARGET_HOURS, RESOLUTION_TARGET_HOURS

CATEGORY_LABELS = {
    "traffic": _l("Traffic and exposure"),
    "fees": _l("Membership and ad fees"),
    "logistics": _l("Shipping and courier pickup"),
    "after_sales": _l("After-sales and refunds"),
    "service": _l("Service from the platform team"),
    "rules": _l("Platform rules and penalties"),
    "tools": _l("Back office and tools"),
    "payment": _l("Payments and payouts"),
    "other": _l("Something else"),
}
SEVERITY_LABELS = {
    "critical": _l("Urgent"), "high": _l("Important"), "normal": _l("Normal"),
    "low": _l("Not urgent"),
}
CHANNEL_LABELS = {
    "board": _l("Complaint board"), "group": _l("Complaint chat group"),
    "visit": _l("On a visit"), "phone": _l("By phone"),
}
STATUS_LABELS = {
    "open": _l("Open"), "in_progress": _l("In progress"), "resolved": _l("Resolved"),
}
CLOCK_LABELS = {"first_response": _l("First response"), "resolution": _l("Resolution")}


def promise(severity):
    """The SLA promise of ``severity`` in words, e.g. 紧急问题 4 小时内响应，
    24 小时内解决."""
    return _("%(severity)s: a first response within %(respond)s hours, "
             "resolved within %(resolve)s hours",
             severity=SEVERITY_LABELS[severity], respond=FIRST_RESPONSE_TARGET_HOURS[severity],
             resolve=RESOLUTION_TARGET_HOURS[severity])


def labels():
    """Every label table, for templates."""
    return {"category": CATEGORY_LABELS, "severity": SEVERITY_LABELS,
            "channel": CHANNEL_LABELS, "status": STATUS_LABELS, "clock": CLOCK_LABELS}
