"""The import engine: all or nothing, idempotent, fast, in flat memory.

1. The file is streamed row by row; each row is parsed and checked (values,
   enumerations, references looked up in dictionaries loaded once), and a
   good row goes, in batches, into a temporary *staging* table. Nothing in
   the real tables changes in this phase, and no write lock is held, so the
   admin page can record progress from another connection meanwhile.
2. Duplicate natural keys inside the file are found with one query on the
   staging table.
3. Any problem: the staging table is dropped and nothing was written.
   Otherwise one transaction counts what would be inserted, updated and left
   unchanged, then (unless it is a dry run) updates the changed rows and
   inserts the new ones with two set-based statements, and writes the audit
   entry. A process killed at any point leaves the database as it was.
"""

import datetime
import io
import time
from dataclasses import asdict, dataclass, field

from flask import current_app, has_app_context
from peewee import BooleanField, DateField, DateTimeField, IntegrityError

import audit
import database
from exchange.kinds import KINDS, REQUIRED
from exchange.readers import FileProblem, open_table
from exchange.values import N_, BadValue, is_blank
from models import db

BATCH = 10_000
MAX_PROBLEMS = 10_000  # kept for display; the counts cover every one
STAGING = "exchange_staging"


@dataclass
class Problem:
    """One bad cell, row or file: where, and why (an English msgid)."""

    row: object  # the spreadsheet row number (header = 1); None for the file
    column: str
    message: str
    params: dict = field(default_factory=dict)

    def text(self, translate=None):
        """The reason in words, translated with ``translate`` if given."""
        message = translate(self.message) if translate else self.message
        return message % self.params if self.params else message

    def __str__(self):
        where = f"row {self.row}" if self.row is not None else "file"
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.text()}"


@dataclass
class Result:
    """What an import did, or would do (a dry run), or why it refused."""

    kind: str
    filename: str
    dry_run: bool = False
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    bad_rows: int = 0
    problem_count: int = 0
    problems: list = field(default_factory=list)
    committed: bool = False
    encoding: str = ""
    format: str = ""
    seconds: float = 0.0

    @property
    def ok(self):
        return self.problem_count == 0

    @property
    def changes(self):
        return self.inserted + self.updated

    def add(self, problem):
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def summary(self):
        """One line for the CLI and the audit log."""
        if not self.ok:
            return (f"{self.kind}: {self.bad_rows} bad row(s), {self.problem_count} problem(s); "
                    "nothing was imported")
        verb = "would insert" if self.dry_run else "inserted"
        text = (f"{self.kind}: {self.rows} row(s): {verb} {self.inserted}, "
                f"{'would update' if self.dry_run else 'updated'} {self.updated}, "
                f"unchanged {self.unchanged}")
        if not self.changes:
            text += " (nothing to change)"
        return text

    def as_dict(self):
        data = asdict(self)
        data["problems"] = [asdict(problem) for problem in self.problems]
        return data


def _quote(name):
    return '"%s"' % name


class _Staging:
    """The temporary table a file's good rows are copied into."""

    def __init__(self, kind):
        self.kind = kind
        self.postgres = database.is_postgres()
        self.table = _quote(STAGING)
        self.target = _quote(kind.model._meta.table_name)
        self.columns = kind.staging_columns + tuple(kind.extra_staging)
        fields = kind.model._meta.columns
        # (position in a staged row, converter) for the columns that need one
        self._converters = [(index + 1, convert) for index, convert in enumerate(
            self._converter(fields.get(name)) for name in self.columns) if convert]

    def _converter(self, model_field):
        """SQLite stores dates and times as text and booleans as 0/1: stage
        them exactly as peewee writes them, so comparisons are exact."""
        if self.postgres or model_field is None:
            return None
        if isinstance(model_field, DateTimeField):
            return str
        if isinstance(model_field, DateField):
            return datetime.date.isoformat
        if isinstance(model_field, BooleanField):
            return int
        return None

    def create(self):
        self.drop()
        own = ", ".join(_quote(c) for c in self.kind.staging_columns)
        temp = "TEMPORARY"
        db.execute_sql(f"CREATE {temp} TABLE {self.table} AS "
                       f"SELECT 0 AS rownum, {own} FROM {self.target} WHERE 1 = 0")
        for extra in self.kind.extra_staging:
            db.execute_sql(f"ALTER TABLE {self.table} ADD COLUMN {_quote(extra)} TEXT")

    def drop(self):
        name = f"pg_temp.{self.table}" if self.postgres else f"temp.{self.table}"
        db.execute_sql(f"DROP TABLE IF EXISTS {name}")

    def index(self, rows):
        key = ", ".join(_quote(c) for c in self.kind.db_key)
        db.execute_sql(f"CREATE INDEX {_quote(STAGING + '_key')} ON {self.table} ({key})")
        # Temporary tables get no statistics by themselves: without them
        # PostgreSQL plans the joins below for a handful of rows.
        if self.postgres and rows > 1000:
            db.execute_sql(f"ANALYZE {self.table}")

    def insert(self, rows):
        """Copy a batch of ``(rownum, *values)`` rows into the table."""
        if not rows:
            return
        if self._converters:
            converted = []
            for row in rows:
                row = list(row)
                for index, convert in self._converters:
                    if row[index] is not None:
                        row[index] = convert(row[index])
                converted.append(row)
            rows = converted
        if self.postgres:
            self._copy_postgres(rows)
        else:
            marks = ", ".join("?" * (len(self.columns) + 1))
            db.cursor().executemany(f"INSERT INTO {self.table} VALUES ({marks})", rows)

    def _copy_postgres(self, rows):
        """COPY is an order of magnitude faster than INSERTs on PostgreSQL."""
        lines = []
        for row in rows:
            lines.append("\t".join(_copy_text(value) for value in row))
        buffer = io.StringIO("\n".join(lines) + "\n")
        columns = ", ".join(_quote(c) for c in ("rownum",) + self.columns)
        db.cursor().copy_expert(f"COPY {self.table} ({columns}) FROM STDIN", buffer)

    # -- set-based checks and writes -------------------------------------
    def _join(self):
        return " AND ".join(f"t.{_quote(c)} = s.{_quote(c)}" for c in self.kind.db_key)

    def _differs(self):
        op = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        return " OR ".join(f"t.{_quote(c)} {op} s.{_quote(c)}" for c in self.kind.db_values)

    def duplicates(self):
        """``(row, first_row)`` for each row repeating an earlier row's key."""
        key = ", ".join(_quote(c) for c in self.kind.db_key)
        join = " AND ".join(f"s.{_quote(c)} = f.{_quote(c)}" for c in self.kind.db_key)
        return db.execute_sql(
            f"SELECT s.rownum, f.first_row FROM {self.table} s JOIN ("
            f"SELECT {key}, MIN(rownum) AS first_row FROM {self.table} GROUP BY {key} "
            f"HAVING COUNT(*) > 1) f ON {join} WHERE s.rownum > f.first_row ORDER BY s.rownum")

    def count_new(self):
        return db.execute_sql(
            f"SELECT COUNT(*) FROM {self.table} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {self.target} t WHERE {self._join()})").fetchone()[0]

    def count_changed(self):
        return db.execute_sql(
            f"SELECT COUNT(*) FROM {self.table} s JOIN {self.target} t ON {self._join()} "
            f"WHERE {self._differs()}").fetchone()[0]

    def changed_keys(self):
        key = ", ".join(f"s.{_quote(c)}" for c in self.kind.db_key)
        return {row[0] for row in db.execute_sql(
            f"SELECT {key} FROM {self.table} s JOIN {self.target} t ON {self._join()} "
            f"WHERE {self._differs()}")}

    def existing_keys(self):
        key = ", ".join(f"s.{_quote(c)}" for c in self.kind.db_key)
        return {row[0] for row in db.execute_sql(
            f"SELECT {key} FROM {self.table} s JOIN {self.target} t ON {self._join()}")}

    def extras(self):
        """Key to the set of ids in the kind's extra column (users' regions)."""
        extra = _quote(self.kind.extra_staging[0])
        key = _quote(self.kind.db_key[0])
        return {key_value: {int(part) for part in (ids or "").split(";") if part}
                for key_value, ids in db.execute_sql(f"SELECT {key}, {extra} FROM {self.table}")}

    def write(self):
        """Update the rows whose values differ, then insert the new ones."""
        sets = ", ".join(f"{_quote(c)} = s.{_quote(c)}" for c in self.kind.db_values)
        db.execute_sql(
            f"UPDATE {self.target} AS t SET {sets} FROM {self.table} s "
            f"WHERE {self._join()} AND ({self._differs()})")
        columns = ", ".join(_quote(c) for c in self.kind.staging_columns)
        selected = ", ".join(f"s.{_quote(c)}" for c in self.kind.staging_columns)
        db.execute_sql(
            f"INSERT INTO {self.target} ({columns}) SELECT {selected} FROM {self.table} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {self.target} t WHERE {self._join()})")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value):
    """One value in PostgreSQL's COPY text format (\\N is NULL)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if type(value) is str:
        return value.translate(_COPY_ESCAPES)
    return str(value)


def _transaction(read_only_main=False):
    """A transaction; on SQLite a DEFERRED one while only the temporary
    table is written, so no write lock on the database is held."""
    if read_only_main and not database.is_postgres():
        return db.atomic("DEFERRED")
    return db.atomic()


def _check_header(kind, header, result):
    """Map each known column to its position; report unknown, missing and
    repeated columns by name (all of them)."""
    names = [str(name).replace("\ufeff", "").strip().lower() for name in header]
    positions = {}
    for index, name in enumerate(names):
        if name in positions:
            result.add(Problem(1, name, N_("the column appears twice")))
        elif name not in kind.column_names:
            result.add(Problem(1, name or f"#{index + 1}", N_(
                "unknown column (expected: %(expected)s)"), {"expected": ", ".join(kind.column_names)}))
        positions.setdefault(name, index)
    for column in kind.columns:
        if column.name not in positions and not column.optional:
            result.add(Problem(1, column.name, N_("missing column")))
    return [(positions.get(column.name), column) for column in kind.columns]


def _stage_rows(kind, table, layout, refs, staging, result, progress):
    """Parse, check and stage every row; report every bad one."""
    width = len(table.header)
    columns = [(index, column.name, column.parse, column.required, column.blank)
               for index, column in layout]
    to_row = kind.to_row
    batch = []
    errors = {}

    def error(column, message, **params):
        if column not in errors:
            errors[column] = Problem(number, column, message, params)

    for number, cells in table.rows():
        if len(cells) < width or len(cells) > width:
            if all(is_blank(cell) for cell in cells):
                continue
            if len(cells) > width and not all(is_blank(c) for c in cells[width:]):
                error("", N_("values beyond the last column of the header"))
            cells = list(cells[:width]) + [None] * (width - len(cells))
        elif all(is_blank(cell) for cell in cells):
            continue
        result.rows += 1
        parsed = {}
        for index, name, parse, required, blank in columns:
            cell = None if index is None else cells[index]
            if is_blank(cell):
                if required:
                    error(name, REQUIRED)
                parsed[name] = blank
                continue
            if type(cell) is str and "\x00" in cell:
                error(name, N_("contains a NUL character"))
                parsed[name] = None
                continue
            try:
                parsed[name] = parse(cell)
            except BadValue as bad:
                error(name, bad.message, **bad.params)
                parsed[name] = None
        row = to_row(parsed, refs, error)
        if errors:
            result.bad_rows += 1
            for problem in errors.values():
                result.add(problem)
            errors.clear()
            continue
        batch.append((number,) + row)
        if len(batch) >= BATCH:
            staging.insert(batch)
            batch = []
            if progress:
                progress(table.progress(), result.rows)
    staging.insert(batch)
    if progress:
        progress(1.0, result.rows)


def run_import(kind_name, path, *, filename=None, dry_run=False, user=None, actor=None,
               progress=None, on_writing=None, before_commit=None):
    """Import ``path`` as ``kind_name``; return a ``Result``.

    ``progress(fraction, rows)`` is called while reading; ``on_writing()``
    when the checked rows start going into the tables; ``before_commit(result)``
    inside the import's transaction, just before it commits. ``user`` (or,
    without an account, the ``actor`` name) goes into the audit log."""
    started = time.monotonic()
    kind = KINDS[kind_name]
    filename = filename or str(path)
    result = Result(kind=kind.name, filename=filename, dry_run=dry_run)
    db.connect(reuse_if_open=True)
    staging = _Staging(kind)
    try:
        try:
            table = open_table(path, filename)
        except FileProblem as problem:
            result.add(Problem(None, "", problem.message, problem.params))
            return _finish(result, user, actor, started)
        result.encoding, result.format = table.encoding, table.format
        try:
            layout = _check_header(kind, table.header, result)
            if not result.ok:
                return _finish(result, user, actor, started)
            refs = kind.load_refs()
            staging.create()
            with _transaction(read_only_main=True):
                _stage_rows(kind, table, layout, refs, staging, result, progress)
        except FileProblem as problem:
            result.add(Problem(None, "", problem.message, problem.params))
            return _finish(result, user, actor, started)
        finally:
            table.close()
        staging.index(result.rows)
        _report_duplicates(kind, staging, result)
        if not result.ok:
            return _finish(result, user, actor, started)
        if on_writing:
            on_writing()
        try:
            with db.atomic():
                _count(kind, staging, result)
                if not dry_run and result.changes:
                    with kind.bulk_write(result.changes, staging.table):
                        staging.write()
                    if kind.extra_staging:
                        kind.write_extra(staging.extras())
                result.seconds = round(time.monotonic() - started, 3)
                _audit(result, user, actor)
                if before_commit:
                    before_commit(result)
                _pause_for_tests()
                result.committed = not dry_run
        except IntegrityError:
            # Checked rows can still collide with a change made meanwhile (a
            # factory deleted, the same file imported twice at once): the
            # transaction is rolled back and nothing is written.
            result.inserted = result.updated = result.unchanged = 0
            result.add(Problem(None, "", N_(
                "the database changed while this file was being imported (another import at "
                "the same time?); nothing was imported: try again")))
            return _finish(result, user, actor, started)
        return result
    finally:
        staging.drop()


def _report_duplicates(kind, staging, result):
    key = ", ".join(kind.key)
    seen = set()
    for row, first in staging.duplicates():
        if row not in seen:
            seen.add(row)
            result.bad_rows += 1
            result.add(Problem(row, key, N_("same %(key)s as row %(first)s"),
                               {"key": key, "first": first}))
    result.problems.sort(key=lambda p: (p.row or 0))


def _count(kind, staging, result):
    staged = result.rows
    result.inserted = staging.count_new()
    if kind.extra_staging:
        changed = staging.changed_keys()
        existing = staging.existing_keys()
        changed |= kind.changed_extra_keys(
            {key: ids for key, ids in staging.extras().items() if key in existing})
        result.updated = len(changed)
    else:
        result.updated = staging.count_changed()
    result.unchanged = staged - result.inserted - result.updated


def _finish(result, user, actor, started):
    """A refused import: nothing written; the refusal is still audited."""
    result.seconds = round(time.monotonic() - started, 3)
    with db.atomic():
        _audit(result, user, actor)
    return result


def _audit(result, user, actor):
    """Every import and its outcome goes into the audit log."""
    if result.dry_run:
        action = "import.dry_run"
    elif result.ok:
        action = "import"
    else:
        action = "import.rejected"
    audit.record(
        action, user=user, username=None if user is not None else (actor or ""),
        object_type="import", object_id=result.kind,
        after={"kind": result.kind, "file": result.filename, "rows": result.rows,
               "inserted": result.inserted, "updated": result.updated,
               "unchanged": result.unchanged, "bad_rows": result.bad_rows,
               "problems": result.problem_count, "dry_run": result.dry_run},
        detail=result.summary())


def _pause_for_tests():
    """``IMPORT_PAUSE_BEFORE_COMMIT`` seconds (0 in production): lets the
    killed-import test stop a process whose rows are written but not yet
    committed, deterministically."""
    seconds = float(current_app.config.get("IMPORT_PAUSE_BEFORE_COMMIT", 0)) \
        if has_app_context() else 0
    if seconds:
        print("Written, not yet committed.", flush=True)
        time.sleep(seconds)
