"""One factory's page and its field actions (SPEC section 9).

* ``GET /factories/`` (owners): their own factory's page, from their navigation.
* ``GET /factories/<code>``: profile, stage, open term, recent sales and the
  timeline, for anyone who may see the factory (an owner: their own, without
  anything meant for staff).
* ``GET /factories/<code>/timeline``: one page of the timeline (the partial
  "show more" and the kind filter swap; a full page without htmx).
* ``POST /factories/<code>/stage`` and ``POST /factories/<code>/visits``:
  thin views over ``actions.stage`` and ``actions.visits``. With a ``next``
  field (a same-site path: the list the form was opened from, My day) they
  go back there: 303 to it, or for htmx an empty answer with the
  ``factory-changed`` event, on which that list refreshes itself.
* ``GET /factories/<code>/visit-form`` and ``.../stage-form``: that form
  alone, to open in place on another page (htmx); without htmx, the
  factory page at the form.
"""

import re
import secrets

from flask import (Blueprint, abort, current_app, g, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import lazy_gettext as _l
from jinja2_fragments.flask import render_block
from werkzeug.exceptions import BadRequest

from access import roles_required, safe_next, visible_factory_by_code_or_404
from dashboards import tile
from actions import respond_done, submit
from actions import stage as stage_actions
from actions import visits as visit_actions
import labels
from metrics import factory as factory_data
from metrics.health_data import health_for_factory
from metrics.period import shanghai_today
from scope import visible_factories
from views.rendering import is_htmx_partial_request, render_page
from views.renewals import BAND_LABELS, DRIVER_LABELS

bp = Blueprint("factories", __name__, url_prefix="/factories")

EVERYONE = ("rep", "manager", "owner", "admin")
STAFF = ("rep", "manager", "admin")
PAGE = "factories/page.html"
CHANGED_EVENT = "factory-changed"  # what a list elsewhere listens to (My day)


def _timeline_args(staff):
    """``(kind, page)`` from the query string; a bad value is a 400."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in factory_data.timeline_kinds(staff):
        raise BadRequest("kind")
    try:
        page = int(request.args.get("page") or 1)
    except ValueError:
        raise BadRequest("page") from None
    if not 1 <= page <= 10_000:
        raise BadRequest("page")
    return kind, page


def page_context(factory, stage_form=None, visit_form=None, kind=None, page=1):
    """Everything the factory page shows, for ``g.user``."""
    user = g.user
    staff = user.is_staff
    profile = factory_data.profile(factory, user, shanghai_today())
    entries, has_more = factory_data.timeline(factory, staff, kind, page)
    context = {
        "factory": factory, "profile": profile, "staff": staff,
        "entries": entries, "has_more": has_more, "kind": kind, "page": page,
        "kinds": factory_data.timeline_kinds(staff),
        # The header's two figures, carrying data-kpi/data-value like tiles.
        "gmv_tile": tile("gmv_cny", _l("GMV"), "money", profile["gmv_cny"]),
        "roi_tile": tile("membership_roi", _l("Membership ROI"), "ratio",
                         profile["membership_roi"]),
    }
    if staff:
        found = health_for_factory(factory.id, shanghai_today()) if profile["term"] else None
        context.update(health=found[2] if found else None, health_labels=BAND_LABELS,
                       driver_labels=DRIVER_LABELS)
        current = profile["stage"]
        context.update(
            stage_form=stage_form or stage_actions.StageForm(factory, current, formdata=None),
            visit_form=visit_form or visit_actions.VisitForm(formdata=None),
            next_stage=stage_actions.next_stage(current))
    return context


@bp.context_processor
def factory_helpers():
    """Labels and links the factory templates use."""
    return {
        "stage_labels": labels.STAGE_LABELS, "purpose_labels": labels.VISIT_PURPOSE_LABELS,
        "kind_labels": labels.TIMELINE_KIND_LABELS, "sla_labels": labels.SLA_LABELS,
        "complaint_status_labels": labels.COMPLAINT_STATUS_LABELS,
        "tier_labels": labels.TIER_LABELS, "outcome_labels": labels.OUTCOME_LABELS,
        "renewal_labels": labels.RENEWAL_STATUS_LABELS,
        "complaint_url": lambda code: _object_url("complaints", code),
        "renewal_url": lambda term_id: _object_url("renewals", term_id),
        "new_client_key": lambda: secrets.token_urlsafe(16),
        "today_iso": shanghai_today().isoformat(),
        # Where a form opened elsewhere goes back to (posted again as ``next``).
        "return_to": safe_next(request.values.get("next")),
    }


def _object_url(area, key):
    """``/<area>/<key>`` when that area's object page exists (complaints and
    renewals are built by their own issues), else None."""
    pattern = re.compile(rf"^/{area}/<[^>]+>$")
    if not any(pattern.match(rule.rule) and "GET" in rule.methods
               for rule in current_app.url_map.iter_rules()):
        return None
    return f"/{area}/{key}"


@bp.get("/")
@roles_required("owner")
def own():
    """An owner's navigation link: their own factory's page."""
    factory = visible_factories(g.user).first()
    if factory is None:
        abort(404)
    return redirect(url_for("factories.page", code=factory.code))


@bp.get("/<code>")
@roles_required(*EVERYONE)
def page(code):
    """The factory page (its ``factory`` block is what actions swap back)."""
    factory = visible_factory_by_code_or_404(code)
    kind, page_number = _timeline_args(g.user.is_staff)
    return render_page(PAGE, partial="factory",
                       **page_context(factory, kind=kind, page=page_number))


@bp.get("/<code>/timeline")
@roles_required(*EVERYONE)
def timeline(code):
    """One page of the timeline; a full page when opened as a link."""
    factory = visible_factory_by_code_or_404(code)
    kind, page_number = _timeline_args(g.user.is_staff)
    return render_page(PAGE, partial="timeline",
                       **page_context(factory, kind=kind, page=page_number))


def _form_again(factory, partial, **forms):
    """A form with its errors: the form alone for htmx, else the whole page."""
    if is_htmx_partial_request():
        context = page_context(factory, **forms)
        return render_block(PAGE, partial, **context)
    return render_template(PAGE, **page_context(factory, **forms))


def _done(factory):
    """After an action: 303 to the page, or the page's ``factory`` block."""
    def respond(_change):
        back = safe_next(request.form.get("next"))
        if back is not None:
            return respond_done(back, trigger=CHANGED_EVENT)
        fresh = visible_factory_by_code_or_404(factory.code)
        return respond_done(url_for("factories.page", code=factory.code),
                            partial=lambda: render_block(PAGE, "factory", **page_context(fresh)),
                            target="#factory")
    return respond


@bp.post("/<code>/stage")
@roles_required(*STAFF)
def move_stage(code):
    """Move the factory to another stage (``stage``, ``entered_on``, ``note``)."""
    factory = visible_factory_by_code_or_404(code)
    form = stage_actions.StageForm(factory, stage_actions.current_stage(factory.id))
    return submit(form, lambda: stage_actions.move(factory, form, g.user),
                  again=lambda: _form_again(factory, "stage_form", stage_form=form),
                  done=_done(factory), version=factory.version)


def _in_place(factory, anchor, template, **context):
    """One of the page's forms alone, for htmx to open in place on another
    page (its ``next`` parameter is posted back with the form); a plain
    request goes to the factory page at that form."""
    if not is_htmx_partial_request():
        return redirect(url_for("factories.page", code=factory.code, _anchor=anchor))
    response = make_response(render_template(template, factory=factory, **context))
    response.vary.add("HX-Request")
    return response


@bp.get("/<code>/visit-form")
@roles_required(*STAFF)
def visit_form(code):
    """The visit form alone (My day's "log a visit")."""
    factory = visible_factory_by_code_or_404(code)
    return _in_place(factory, "visit-form", "factories/_visit_form.html",
                     visit_form=visit_actions.VisitForm(formdata=None))


@bp.get("/<code>/stage-form")
@roles_required(*STAFF)
def stage_form(code):
    """The stage forms alone (My day's "move the stage")."""
    factory = visible_factory_by_code_or_404(code)
    current = stage_actions.current_stage(factory.id)
    # The stage forms read only the profile's stage (not the whole profile).
    return _in_place(factory, "stage-forms", "factories/_stage_form.html",
                     stage_form=stage_actions.StageForm(factory, current, formdata=None),
                     next_stage=stage_actions.next_stage(current), profile={"stage": current})


@bp.post("/<code>/visits")
@roles_required(*STAFF)
def log_visit(code):
    """Log the signed-in user's visit (``visited_at``, ``purpose``, ``notes``,
    ``next_action_on``, optional check-in)."""
    factory = visible_factory_by_code_or_404(code)
    form = visit_actions.VisitForm()
    return submit(form, lambda: visit_actions.log(factory, form, g.user),
                  again=lambda: _form_again(factory, "visit_form", visit_form=form),
                  done=_done(factory))
