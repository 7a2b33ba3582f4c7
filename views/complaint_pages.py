"""One complaint's page and the complaint forms (SPEC section 9), on the
blueprint of ``views.complaints``:

* ``GET /complaints/new``: the intake form (an owner on a phone in under a
  minute; staff for a factory, ``?factory=<code>``).
* ``POST /complaints``: file it (``actions.complaints.file``).
* ``GET /complaints/<code>``: one complaint: its thread, clocks, status,
  assignee and rating, with the forms the reader may use.
* ``POST /complaints/<code>/comments|status|rating|assignee``: thin views
  over ``actions.complaints``.

Each action view: parse -> authorise -> ``submit(perform)`` -> respond.
"""

from flask import abort, g, request, url_for
from jinja2_fragments.flask import render_block

from access import roles_required, visible_factory_by_code_or_404
from actions import authorise, respond_done, submit
from actions import complaints as complaint_actions
from metrics import sla
from metrics.complaint_thread import thread, visible_complaint
from models import SUGGESTED_SEVERITY, Factory, User, utcnow
from scope import visible_factories
from views.complaints import EVERYONE, STAFF, bp
from views.rendering import render_page

PAGE = "complaints/page.html"
INTAKE = "complaints/new.html"


# --- intake -------------------------------------------------------------------------

def _intake_factory(form_value):
    """The factory a complaint is filed for: an owner's own (a code naming
    another factory is 404), or the one staff named, if they may see it."""
    code = (form_value or "").strip()
    if g.user.role == "owner":
        own = visible_factories(g.user).first()
        if own is None or (code and code != own.code):
            abort(404)
        return own
    if not code:
        return None  # the form says "which factory?"
    return visible_factory_by_code_or_404(code)


def _intake_page(form, factory, status=200):
    response = render_page(INTAKE, partial="intake", form=form, factory=factory,
                           suggested=SUGGESTED_SEVERITY)
    response.status_code = status
    return response


@bp.get("/new")
@roles_required(*EVERYONE)
def new():
    """The intake form; ``?factory=<code>`` fixes the factory (staff)."""
    factory = _intake_factory(request.args.get("factory"))
    form = complaint_actions.IntakeForm(g.user, formdata=None,
                                        factory=factory.code if factory else "")
    return _intake_page(form, factory)


@bp.post("")
@roles_required(*EVERYONE)
def file():
    """``POST /complaints``: file a complaint; 303 to its page."""
    factory = _intake_factory(request.form.get("factory"))
    form = complaint_actions.IntakeForm(g.user)
    return submit(
        form, lambda: complaint_actions.file(factory, form, g.user),
        again=lambda: render_page(INTAKE, partial="intake", form=form, factory=factory,
                                  suggested=SUGGESTED_SEVERITY),
        done=lambda change: respond_done(url_for("complaints.page", code=change.object_id)))


# --- one complaint ------------------------------------------------------------------

def _complaint_or_404(code):
    complaint = visible_complaint(g.user, code)
    if complaint is None:
        abort(404)
    return complaint


def page_context(complaint, **forms):
    """Everything ``/complaints/<code>`` shows to ``g.user``: the owner's
    side gets the thread without internal entries and only the assignee's
    name of the staff side."""
    user = g.user
    staff = user.is_staff
    now = utcnow()
    assignee = User.get_or_none(User.id == complaint.assignee_id) if complaint.assignee_id \
        else None
    context = {
        "complaint": complaint, "factory": complaint.factory, "staff": staff,
        "assignee": assignee, "entries": thread(complaint, user),
        "clocks": sla.clocks(complaint.severity, complaint.created_at,
                             complaint.first_response_at, complaint.resolved_at, now),
        "comment_form": forms.get("comment_form") or complaint_actions.CommentForm(
            formdata=None),
    }
    if staff:
        candidates = complaint_actions.assignee_candidates(complaint.factory)
        context["status_form"] = forms.get("status_form") or complaint_actions.StatusForm(
            formdata=None, status=complaint.status, version=complaint.version)
        context["assignee_form"] = forms.get("assignee_form") or complaint_actions.AssigneeForm(
            candidates, formdata=None, version=complaint.version,
            assignee=assignee.username if assignee else None)
    elif complaint.status == "resolved":
        context["rating_form"] = forms.get("rating_form") or complaint_actions.RatingForm(
            formdata=None, satisfaction=complaint.satisfaction,
            comment=complaint.rating_comment, version=complaint.version)
    return context


def _page(code, **forms):
    """The complaint page (or, for htmx, its ``complaint`` block), read anew."""
    return render_page(PAGE, partial="complaint", **page_context(_complaint_or_404(code),
                                                                 **forms))


def _partial(code):
    return render_block(PAGE, "complaint", **page_context(_complaint_or_404(code)))


def _done(code):
    return lambda change: respond_done(url_for("complaints.page", code=code),
                                       partial=lambda: _partial(code), target="#complaint")


@bp.get("/<code>")
@roles_required(*EVERYONE)
def page(code):
    """One complaint: thread, clocks, status, assignee, rating, forms."""
    return _page(code)


@bp.post("/<code>/comments")
@roles_required(*EVERYONE)
def comment(code):
    """A reply, or (staff) an internal note (``internal=1``)."""
    complaint = _complaint_or_404(code)
    authorise(g.user.is_staff or request.form.get("internal") != "1")
    form = complaint_actions.CommentForm()
    return submit(form, lambda: complaint_actions.comment(complaint, form, g.user),
                  again=lambda: _page(code, comment_form=form), done=_done(code))


@bp.post("/<code>/status")
@roles_required(*STAFF)
def status(code):
    """Open, in progress or resolved; back from resolved is a reopen."""
    complaint = _complaint_or_404(code)
    form = complaint_actions.StatusForm()
    return submit(form, lambda: complaint_actions.set_status(complaint, form, g.user),
                  again=lambda: _page(code, status_form=form), done=_done(code),
                  version=complaint.version)


@bp.post("/<code>/rating")
@roles_required("owner")
def rating(code):
    """The owner's 1-5 rating (and comment) of a resolved complaint."""
    complaint = _complaint_or_404(code)
    form = complaint_actions.RatingForm()
    return submit(form, lambda: complaint_actions.rate(complaint, form, g.user),
                  again=lambda: _page(code, rating_form=form), done=_done(code),
                  version=complaint.version)


@bp.post("/<code>/assignee")
@roles_required(*STAFF)
def assignee(code):
    """Give the complaint to another staff member who may see its factory."""
    complaint = _complaint_or_404(code)
    form = complaint_actions.AssigneeForm(
        complaint_actions.assignee_candidates(Factory.get_by_id(complaint.factory_id)))
    return submit(form, lambda: complaint_actions.reassign(complaint, form, g.user),
                  again=lambda: _page(code, assignee_form=form), done=_done(code),
                  version=complaint.version)
