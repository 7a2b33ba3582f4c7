"""The admin's data page: upload a file, read the dry-run preview, import
it; and the export downloads every signed-in user may take (their scope).

* ``GET /admin/data``: the upload form, recent imports, export links.
* ``POST /admin/data/imports``: store the upload in an ``ImportJob`` and
  check it in the background; 303 to the job's page.
* ``GET /admin/data/imports/<id>``: the job's progress panel (htmx polls its
  ``job_panel`` block every second while it runs), then the preview: rows to
  insert, to update, unchanged, and every bad row with its column and reason.
* ``POST /admin/data/imports/<id>/commit`` and ``.../cancel``.
* ``GET /export/<kind>.csv`` and ``/export/<kind>.xlsx``: any signed-in user,
  narrowed by scope.py.
"""

import json

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from access import roles_required
from exchange import jobs
from exchange.exporter import column_kinds, export_rows
from exchange.kinds import KIND_NAMES, KINDS
from exchange.table_download import download_response
from models import ImportJob, db, utcnow
from views.rendering import render_page

bp = Blueprint("data_exchange", __name__)

KIND_LABELS = {
    "regions": lazy_gettext("Regions"),
    "users": lazy_gettext("Users"),
    "factories": lazy_gettext("Factories and traders"),
    "stages": lazy_gettext("Onboarding stages"),
    "memberships": lazy_gettext("Membership terms"),
    "sales": lazy_gettext("Daily sales"),
    "complaints": lazy_gettext("Complaints"),
    "visits": lazy_gettext("Visits"),
}
ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".txt")


def _job_or_404(job_id):
    job = ImportJob.get_or_none(ImportJob.id == job_id)
    if job is None:
        abort(404)
    return job


def _problems(job):
    return json.loads(job.problems or "[]")


@bp.get("/admin/data")
@roles_required("admin")
def index():
    """The upload form, the recent imports and the export links."""
    recent = list(ImportJob.select(
        ImportJob.id, ImportJob.kind, ImportJob.filename, ImportJob.state,
        ImportJob.created_at, ImportJob.rows, ImportJob.inserted, ImportJob.updated,
        ImportJob.unchanged, ImportJob.bad_rows, ImportJob.updated_at)
        .order_by(ImportJob.id.desc()).limit(20))
    return render_page("data_exchange/index.html", kinds=KIND_NAMES, kind_labels=KIND_LABELS,
                       columns={name: kind.column_names for name, kind in KINDS.items()},
                       recent=recent, is_stale=jobs.is_stale, errors={},
                       selected=request.args.get("kind", ""))


@bp.post("/admin/data/imports")
@roles_required("admin")
def upload():
    """Store the file in a job and check it in the background."""
    kind = request.form.get("kind", "")
    upload = request.files.get("file")
    errors = {}
    if kind not in KINDS:
        errors["kind"] = _("Choose what the file holds.")
    if upload is None or not upload.filename:
        errors["file"] = _("Choose a CSV or XLSX file.")
    elif not upload.filename.lower().endswith(ACCEPTED_SUFFIXES):
        errors["file"] = _("Only CSV and XLSX files can be imported.")
    if errors:
        response = render_page("data_exchange/index.html", kinds=KIND_NAMES,
                               kind_labels=KIND_LABELS, recent=[], is_stale=jobs.is_stale,
                               columns={n: k.column_names for n, k in KINDS.items()},
                               errors=errors, selected=kind)
        response.status_code = 400
        return response
    payload = upload.read()
    with db.atomic():
        jobs.forget_old_uploads()
        job = ImportJob.create(kind=kind, filename=upload.filename[-255:],
                               size_bytes=len(payload), uploaded_by=g.user.id,
                               state="checking", payload=payload)
    jobs.start(current_app._get_current_object(), job.id, dry_run=True)
    return redirect(url_for("data_exchange.job", job_id=job.id), code=303)


@bp.get("/admin/data/imports/<int:job_id>")
@roles_required("admin")
def job(job_id):
    """The job's progress, then its preview or outcome."""
    job = _job_or_404(job_id)
    return render_page("data_exchange/job.html", partial="job_panel", job=job,
                       problems=_problems(job), stale=jobs.is_stale(job),
                       kind_labels=KIND_LABELS, max_shown=jobs.MAX_SHOWN_PROBLEMS)


@bp.post("/admin/data/imports/<int:job_id>/commit")
@roles_required("admin")
def commit(job_id):
    """Import a checked file for real (in the background)."""
    _job_or_404(job_id)
    with db.atomic():
        # Only one click wins: the state moves from checked to importing once.
        claimed = (ImportJob.update(state="importing", progress=0, updated_at=utcnow())
                   .where((ImportJob.id == job_id) & (ImportJob.state == "checked")).execute())
    if not claimed:
        flash(_("This file cannot be imported now: check its state below."), "error")
    else:
        jobs.start(current_app._get_current_object(), job_id, dry_run=False)
    return redirect(url_for("data_exchange.job", job_id=job_id), code=303)


@bp.post("/admin/data/imports/<int:job_id>/cancel")
@roles_required("admin")
def cancel(job_id):
    """Drop a checked (or refused) file without importing it."""
    job = _job_or_404(job_id)
    with db.atomic():
        cancelled = (ImportJob.update(state="cancelled", payload=None, updated_at=utcnow(),
                                      finished_at=utcnow())
                     .where((ImportJob.id == job_id)
                            & (ImportJob.state.in_(("checked", "rejected")))).execute())
    if cancelled or jobs.is_stale(job):
        if not cancelled:
            with db.atomic():
                ImportJob.update(state="failed", payload=None).where(
                    ImportJob.id == job_id).execute()
        flash(_("The file was not imported."), "success")
    return redirect(url_for("data_exchange.index"), code=303)


@bp.get("/export/<kind>.<any(csv, xlsx):fmt>")
@roles_required("rep", "owner", "manager", "admin")
def export(kind, fmt):
    """Every row of ``kind`` the signed-in user may see (scope.py), as CSV or
    XLSX: any signed-in user."""
    user = g.user
    if kind not in KINDS:
        abort(404)
    header, rows = export_rows(kind, user)
    return download_response(header, rows, fmt, kind, kinds=column_kinds(kind))
