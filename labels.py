"""The words for the domain's codes (stages, visit purposes), translated when
shown. Pages, notifications and exports share these, so a stage is called
the same everywhere."""

from flask_babel import lazy_gettext as _l

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
