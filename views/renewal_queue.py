"""The manager's review queue ``/renewals/queue``: the proposals waiting for
the signed-in manager's (or admin's) decision in their regions, oldest
first, each with its discount against the proposed tier's list fee, the
factory's health and the days to the term's end, decided inline.

Each row's form posts to the one decision action, ``POST
/renewals/<id>/decision?view=queue`` (views/renewals.py, actions/renewals.py):
``view=queue`` only chooses the answer. To htmx, a decided row leaves the
queue (the answer is empty, the count and a status line swap out of band),
and a refused one (a reject with no note, someone else decided first) comes
back in place with the message; without JavaScript, 303 back to the queue
or the whole queue with that row's errors.
"""

from flask import abort, g, render_template, request, url_for

from access import roles_required
from actions import respond_done
from actions import renewals as renewal_actions
from metrics.errors import ParameterError
from metrics.period import shanghai_today
from metrics.renewal_lists import queue_size, review_queue
from metrics.scoping import Scope, scope_from_args
from models import RenewalCase
from views.rendering import is_htmx_partial_request, render_page
from views.renewals import BAND_LABELS, CASE_STATUS_LABELS, DRIVER_LABELS, bp

PAGE = "renewals/queue.html"
ROW = "renewals/_queue_row.html"
DECIDED = "renewals/_queue_decided.html"
QUEUE_VIEW = "queue"  # ?view=queue on the decision action: answer for the queue
PAGE_SIZE = 20  # oldest first: a page holds the ones to decide next

def _scope():
    """The user's scope narrowed by ``region`` (and the other dashboard
    filters) of the request; a bad or hidden one is 400 / 403."""
    try:
        return scope_from_args(g.user, request.args)
    except ParameterError as error:
        abort(error.status, error.message)


def queue_rows(scope, term_ids=None, page=1):
    """One page of the queue's rows for ``g.user`` (never their own
    proposals), or the rows of ``term_ids``."""
    return review_queue(scope, shanghai_today(), term_ids=term_ids, decider=g.user,
                        limit=None if term_ids else PAGE_SIZE,
                        offset=(page - 1) * PAGE_SIZE)


def _page():
    """The ``page`` parameter (1 when missing or not a positive number)."""
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 10 ** 6 else 1


def _page_context(scope, page, forms=None):
    """A page of the queue with its total and pager."""
    total = queue_size(scope, shanghai_today(), decider=g.user)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    args = {key: value for key, value in request.args.items() if key != "page"}
    return _context(queue_rows(scope, page=page), forms, region=scope.region, total=total,
                    page=page, pages=pages,
                    page_url=lambda number: url_for("renewals.queue", page=number, **args))


def _context(rows, forms=None, region=None, **extra):
    return {"rows": rows, "forms": forms or {}, "band_labels": BAND_LABELS, **extra,
            "driver_labels": DRIVER_LABELS, "tier_labels": renewal_actions.TIER_LABELS,
            "region": region, "decision_labels": renewal_actions.DECISION_LABELS,
            "status_labels": CASE_STATUS_LABELS, "blank_form": blank_form}


def blank_form(row):
    """A row's decision form as first drawn (the case's version on it)."""
    return renewal_actions.DecisionForm(formdata=None, version=row["version"])


@bp.get("/queue")
@roles_required("manager", "admin")
def queue():
    """The proposals waiting for this manager's decision."""
    scope = _scope()
    return render_page(PAGE, partial="queue", **_page_context(scope, _page()))


def _gone(term_id):
    """What became of a case no longer waiting: (status, who decided)."""
    case = RenewalCase.get_or_none(RenewalCase.membership == term_id)
    if case is None:
        return None, None
    return case.status, (case.decided_by.display_name if case.decided_by_id else None)


def answers(term, form):
    """``(again, done)`` for ``actions.submit`` when the decision was sent
    from the queue (see the module docstring). The queue is the user's
    whole scope here, as the manager's home counts it."""
    scope = Scope(user=g.user)

    def again():
        if not is_htmx_partial_request():
            return render_template(PAGE, **_page_context(scope, 1, {term.id: form}))
        rows = queue_rows(scope, [term.id])
        if rows:
            return render_template(ROW, row=rows[0], form=form, **_context(rows))
        status, decided_by = _gone(term.id)
        return render_template(ROW, row=None, term_id=term.id, form=form, gone_status=status,
                               decided_by=decided_by, **_context([]))

    def done(_change):
        return respond_done(
            url_for("renewals.queue"),
            partial=lambda: render_template(
                DECIDED, remaining=queue_size(scope, shanghai_today(), decider=g.user),
                factory_name=term.factory.name,
                term_id=term.id, decision=form.decision.data))
    return again, done
