"""The audit log as people read it: what each action code means, and what
each entry is about, named ("用户 rep_guangzhou", "吐槽 C-2026-0001 售后差")
and linked to its page where there is one, not "user 1".

``targets(entries)`` names the objects of a page of entries with one query
per kind of object, however many entries there are. An object deleted
since keeps its kind and stored id ("用户 #12").
"""

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from i18n import format_day, select_locale
from metrics.period import shanghai_date
from models import ApiToken, Complaint, Factory, Membership, Region, User, Visit
from views.data_exchange import KIND_LABELS

# What the audit log's action codes mean, for people reading it.
ACTION_LABELS = {
    "login.success": _l("Signed in"),
    "login.failed": _l("Failed sign-in"),
    "login.throttled": _l("Sign-in refused: too many attempts"),
    "login.slowed": _l("Sign-in slowed: too many failures for the account"),
    "logout": _l("Signed out"),
    "access.denied": _l("Refused: no permission"),
    "csrf.refused": _l("Refused: missing or wrong form token"),
    "api.token_refused": _l("Refused: bad API token"),
    "user.language": _l("Changed language"),
    "user.password_changed": _l("Changed own password"),
    "user.password_change_failed": _l("Wrong current password when changing it"),
    "user.password_change_throttled": _l("Password change refused: too many attempts"),
    "user.password_reset": _l("Password reset by admin"),
    "user.created": _l("User created"),
    "user.updated": _l("User changed"),
    "token.issued": _l("API token issued"),
    "token.revoked": _l("API token revoked"),
    "region.created": _l("Region created"),
    "region.updated": _l("Region changed"),
    "factory.stage": _l("Onboarding stage moved"),
    "visit.logged": _l("Visit logged"),
    "complaint.filed": _l("Complaint filed"),
    "complaint.comment": _l("Complaint answered"),
    "complaint.note": _l("Internal note added to a complaint"),
    "complaint.status": _l("Complaint status changed"),
    "complaint.resolved": _l("Complaint resolved"),
    "complaint.reopened": _l("Complaint reopened"),
    "complaint.rated": _l("Complaint rated"),
    "complaint.assigned": _l("Complaint reassigned"),
    "renewal.proposed": _l("Renewal proposed"),
    "renewal.approved": _l("Renewal proposal approved"),
    "renewal.rejected": _l("Renewal proposal rejected"),
    "renewal.renewed": _l("Term renewed"),
    "renewal.churned": _l("Term churned"),
    "import": _l("Data imported"),
    "import.dry_run": _l("Import file checked"),
    "import.rejected": _l("Import refused"),
}

# The kind of object an entry is about, as its name starts.
OBJECT_LABELS = {
    "user": _l("User"),
    "api_token": _l("API token"),
    "region": _l("Region"),
    "factory": _l("Factory"),
    "visit": _l("Visit"),
    "complaint": _l("Complaint"),
    "membership": _l("Membership term"),
    "import": _l("Import"),
}


@dataclass(frozen=True)
class Target:
    """What an entry is about: its words and, if it has a page, its link."""

    text: str
    url: str = None


def action_label(action):
    """The action's words, or its code when it has none (an old code)."""
    return str(ACTION_LABELS.get(action, action))


def _ids(entries, object_type, as_int=True):
    found = set()
    for entry in entries:
        if entry.object_type == object_type and entry.object_id:
            if not as_int:
                found.add(entry.object_id)
            elif entry.object_id.isdigit():
                found.add(int(entry.object_id))
    return found


def _named(object_type, name):
    return f"{OBJECT_LABELS[object_type]} {name}"


def _users(entries):
    rows = User.select(User.id, User.username).where(User.id.in_(_ids(entries, "user")))
    return {str(user.id): Target(_named("user", user.username),
                                 url_for("admin.user_edit", user_id=user.id)) for user in rows}


def _tokens(entries):
    rows = (ApiToken.select(ApiToken.id, ApiToken.name, User.id, User.username)
            .join(User).where(ApiToken.id.in_(_ids(entries, "api_token"))))
    return {str(token.id): Target(_("API token “%(name)s” of %(user)s", name=token.name,
                                    user=token.user.username),
                                  url_for("admin.user_edit", user_id=token.user.id))
            for token in rows}


def _regions(entries):
    language = select_locale()
    rows = Region.select().where(Region.id.in_(_ids(entries, "region")))
    return {str(region.id): Target(_named("region", f"{region.code} {region.name(language)}"),
                                   url_for("admin.region_edit", region_id=region.id))
            for region in rows}


def _factories(entries):
    rows = (Factory.select(Factory.code, Factory.name)
            .where(Factory.code.in_(_ids(entries, "factory", as_int=False))))
    return {factory.code: Target(_named("factory", f"{factory.code} {factory.name}"),
                                 url_for("factories.page", code=factory.code))
            for factory in rows}


def _complaints(entries):
    rows = (Complaint.select(Complaint.code, Complaint.title)
            .where(Complaint.code.in_(_ids(entries, "complaint", as_int=False))))
    return {row.code: Target(_named("complaint", f"{row.code} {row.title}"),
                             url_for("complaints.page", code=row.code)) for row in rows}


def _terms(entries):
    rows = (Membership.select(Membership.id, Membership.start, Membership.end, Factory.name)
            .join(Factory).where(Membership.id.in_(_ids(entries, "membership"))))
    return {str(term.id): Target(_named("membership", f"{term.factory.name} "
                                        f"{format_day(term.start)} – {format_day(term.end)}"),
                                 url_for("renewals.case", term_id=term.id)) for term in rows}


def _visits(entries):
    rows = (Visit.select(Visit.id, Visit.visited_at, Factory.name, Factory.code)
            .join(Factory).where(Visit.id.in_(_ids(entries, "visit"))))
    return {str(visit.id): Target(_named("visit", f"{visit.factory.name} "
                                         f"{format_day(shanghai_date(visit.visited_at))}"),
                                  url_for("factories.page", code=visit.factory.code))
            for visit in rows}


def _imports(entries):
    return {kind: Target(_named("import", str(KIND_LABELS[kind])))
            for kind in _ids(entries, "import", as_int=False) if kind in KIND_LABELS}


# One query per kind of object (imports need none).
RESOLVERS = {"user": _users, "api_token": _tokens, "region": _regions, "factory": _factories,
             "complaint": _complaints, "membership": _terms, "visit": _visits,
             "import": _imports}


def targets(entries):
    """``{entry id: Target}`` for ``entries`` that are about an object."""
    entries = list(entries)
    found = {}
    for object_type, resolve in RESOLVERS.items():
        if any(entry.object_type == object_type for entry in entries):
            found[object_type] = resolve(entries)
    result = {}
    for entry in entries:
        if not entry.object_type:
            continue
        named = found.get(entry.object_type, {}).get(entry.object_id)
        if named is None:
            label = OBJECT_LABELS.get(entry.object_type, entry.object_type)
            named = Target(f"{label} #{entry.object_id}" if entry.object_id else str(label))
        result[entry.id] = named
    return result
