"""Background imports for the admin page, tracked in ``ImportJob`` rows.

An upload is stored in its job row (so any app server can finish the work)
and checked in a background thread: a dry run whose preview the admin reads.
Confirming runs the real import, again in the background. The page's
progress panel polls the row; nothing lives in process memory but the thread.

Progress is written through a second database connection: while a file is
being read, the import holds no write lock (rows go to a temporary table), so
on SQLite too the progress panel moves. The final state is written inside
the import's own transaction, so a job never says "imported" for a rollback.
"""

import datetime
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

import database
from exchange.importer import run_import
from models import ImportJob, db, utcnow

log = logging.getLogger(__name__)

RUNNING = ("checking", "importing")
MAX_SHOWN_PROBLEMS = 1_000
STALE_AFTER_SECONDS = 15 * 60  # a running job silent this long died with its process
PROGRESS_EVERY_SECONDS = 0.5

_threads = {}  # job id -> thread; only so tests can wait for a job


def start(app, job_id, dry_run):
    """Run the job's check (``dry_run``) or import in a background thread."""
    thread = threading.Thread(target=_run, args=(app, job_id, dry_run), daemon=True,
                              name=f"import-job-{job_id}")
    _threads[job_id] = thread
    thread.start()
    return thread


def wait(job_id, timeout=120):
    """Block until the job's thread (in this process) has finished."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)


def forget_old_uploads(days=2):
    """Drop the files of checks nobody confirmed within ``days`` (they are
    kept in the database until then, and would pile up)."""
    cutoff = utcnow() - datetime.timedelta(days=days)
    return (ImportJob.update(state="cancelled", payload=None, updated_at=utcnow())
            .where((ImportJob.state.in_(("checked", "rejected"))) & (ImportJob.created_at < cutoff)
                   & ImportJob.payload.is_null(False)).execute())


def is_stale(job):
    """True for a running job whose process has stopped reporting."""
    return (job.state in RUNNING
            and (utcnow() - job.updated_at).total_seconds() > STALE_AFTER_SECONDS)


class _ProgressWriter:
    """Writes progress to the job row over its own connection, at most
    twice a second."""

    def __init__(self, url, job_id):
        self.database = database.make_database(url)
        self.job_id = job_id
        self.last = 0.0

    def update(self, progress, rows, force=False):
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        param = self.database.param
        self.database.execute_sql(
            f'UPDATE "import_job" SET "progress" = {param}, "rows" = {param}, '
            f'"updated_at" = {param} WHERE "id" = {param}',
            (int(progress * 1000), rows, utcnow(), self.job_id))

    def close(self):
        if not self.database.is_closed():
            self.database.close()
        if hasattr(self.database, "close_all"):
            self.database.close_all()


def _result_fields(result, dry_run):
    if not result.ok:
        state = "rejected"
    else:
        state = "checked" if dry_run else "imported"
    fields = {
        "state": state, "progress": 1000, "rows": result.rows, "inserted": result.inserted,
        "updated": result.updated, "unchanged": result.unchanged,
        "bad_rows": result.bad_rows, "problem_count": result.problem_count,
        "problems": json.dumps([problem.__dict__ for problem in
                                result.problems[:MAX_SHOWN_PROBLEMS]], ensure_ascii=False),
        "updated_at": utcnow(), "finished_at": utcnow(), "message": "",
    }
    if state in ("rejected", "imported"):
        fields["payload"] = None  # the file is no longer needed
    return fields


def _run(app, job_id, dry_run):
    with app.app_context():
        db.connect(reuse_if_open=True)
        progress = _ProgressWriter(app.config["DATABASE_URL"], job_id)
        path = None
        try:
            job = ImportJob.get_by_id(job_id)
            suffix = Path(job.filename).suffix.lower()[:8]
            handle, path = tempfile.mkstemp(prefix="import-", suffix=suffix)
            with os.fdopen(handle, "wb") as out:
                out.write(bytes(job.payload or b""))
            user = job.uploaded_by

            def before_commit(result):
                ImportJob.update(**_result_fields(result, dry_run)).where(
                    ImportJob.id == job_id).execute()

            result = run_import(
                job.kind, path, filename=job.filename, dry_run=dry_run, user=user,
                progress=progress.update, before_commit=before_commit)
            if not result.ok:
                with db.atomic():
                    before_commit(result)
        except Exception:  # the admin must see that it failed, whatever it was
            log.exception("import job %s failed", job_id)
            with db.atomic():
                ImportJob.update(state="failed", finished_at=utcnow(), updated_at=utcnow(),
                                 payload=None).where(ImportJob.id == job_id).execute()
        finally:
            progress.close()
            if path:
                Path(path).unlink(missing_ok=True)
            if not db.is_closed():
                db.close()
