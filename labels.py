"""The words for the domain's codes (stages, visit purposes, complaints), translated when
shown. Pages, notifications and exports share these, so a stage is called
the same everywhere."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import FIRST_RESPONSE_TARGET_HOURS, RESOLUTION_TARGET_HOURS

STAGE_LABELS = {
    "lead": _l("Lead"), "contacted": _l("Contacted"), "visited": _l("Visited"),
    "signed": _l("Signed"), "store_ready": _l("Store ready"), "trained": _l("Trained"),
    "live": _l("Live"), "lost": _l("Lost"),
}

VISIT_PURPOSE_LABELS = {
    "onboarding": _l("Onboarding"), "training": _l("Training"), "renewal": _l("Renewal"),
    "complaint": _l("Complaint"), "routine": _l("Routine visit"),
}

TIMELINE_KIND_LABELS = {
    None: _l("Everything"), "stage": _l("Stages"), "visit": _l("Visits"),
    "complaint": _l("Complaints"), "term": _l("Membership terms"),
    "decision": _l("Renewal decisions"),
}

COMPLAINT_STATUS_LABELS = {
    "open": _l("Open"), "in_progress": _l("In progress"), "resolved": _l("Resolved"),
}

SLA_LABELS = {
    "met": _l("Within SLA"), "breached": _l("SLA breached"), "running": _l("SLA clock running"),
}

TIER_LABELS = {"cxt": _l("Chengxintong (basic)"), "super": _l("Super factory")}

OUTCOME_LABELS = {None: _l("Term still open"), "renewed": _l("Renewed"), "churned": _l("Churned")}

RENEWAL_STATUS_LABELS = {
    "open": _l("Not proposed yet"), "proposed": _l("Proposal waiting for a decision"),
    "approved": _l("Proposal approved"), "rejected": _l("Proposal rejected"),
    "renewed": _l("Renewed"), "churned": _l("Churned"),
}

# Complaints (吐槽): categories in words an owner understands on a phone,
# urgency, channel, the two SLA clocks, and the promise each urgency carries.
COMPLAINT_CATEGORY_LABELS = {
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
SLA_CLOCK_LABELS = {"first_response": _l("First response"), "resolution": _l("Resolution")}


def sla_promise(severity):
    """The SLA promise of ``severity`` in words, e.g. 紧急问题 4 小时内响应，
    24 小时内解决."""
    return _("%(severity)s: a first response within %(respond)s hours, "
             "resolved within %(resolve)s hours",
             severity=SEVERITY_LABELS[severity], respond=FIRST_RESPONSE_TARGET_HOURS[severity],
             resolve=RESOLUTION_TARGET_HOURS[severity])
