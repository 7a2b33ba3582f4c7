"""Fast bulk writes for the seed, on SQLite and PostgreSQL.

Rows are plain tuples in the column order given, ids included (the seed
assigns them, so rows can reference each other without reading back).

* SQLite: ``executemany`` of one prepared INSERT per chunk, inside a
  transaction; the connection runs with ``synchronous=OFF`` and a larger
  page cache while the seed writes (restored afterwards). The schema is
  never changed.
* PostgreSQL: ``COPY ... FROM STDIN`` per chunk (text format), the fastest
  path psycopg2 offers; the id sequences are moved past the written ids at
  the end.

Everything the seed does between ``__enter__`` and ``__exit__`` is one
transaction, DDL included (both databases roll back a dropped index or
trigger): a seed killed at any moment leaves the database as it was, so
running it again just works (tests/reliability/test_seed_killed.py). It once
committed every 200,000 rows, and a killed seed left part of the data, the
sales indexes and the rollup triggers dropped, and a database seed-demo
refused to fill again.
"""

import contextlib
import io

import database
from models import db

SQLITE_CHUNK = 5_000  # rows per executemany (no bound-variable limit applies)
POSTGRES_CHUNK = 20_000  # rows per COPY


def _copy_value(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return (value.replace("\\", "\\\\").replace("\t", "\\t")
                .replace("\n", "\\n").replace("\r", "\\r"))
    return str(value)


class Writer:
    """Writes rows table by table; ``progress(n)`` is told of every chunk."""

    def __init__(self, progress=None):
        self.postgres = database.is_postgres()
        self.progress = progress or (lambda n: None)
        self.tables = set()
        self.written = 0
        self._transaction = None

    # ------------------------------------------------------------ transactions
    def __enter__(self):
        db.connect(reuse_if_open=True)
        if not self.postgres:
            self._saved_pragmas = {
                name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]
                for name in ("synchronous", "cache_size")}
            db.execute_sql("PRAGMA synchronous = OFF")
            db.execute_sql("PRAGMA cache_size = -262144")  # 256 MB while loading
        else:
            # Losing the last commits in a server crash is fine for a seed
            # (no corruption is possible); waiting for each WAL flush is not.
            db.execute_sql("SET synchronous_commit TO off")
        self._transaction = db.atomic()
        self._transaction.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None and self.postgres:
                self._fix_sequences()
            self._transaction.__exit__(exc_type, exc, tb)  # commits, or rolls back
            if exc_type is None:
                self._analyze()
        finally:
            if self.postgres:
                db.execute_sql("RESET synchronous_commit")
            else:
                for name, value in self._saved_pragmas.items():
                    db.execute_sql(f"PRAGMA {name} = {value}")
        return False

    # ------------------------------------------------------------------ writes
    def write(self, model, columns, rows, plain=False):
        """Write ``rows`` (an iterable of tuples in ``columns`` order).
        ``plain`` promises numbers and strings with no NULLs, booleans, tabs,
        newlines or backslashes (the sales rows): COPY then skips escaping."""
        table = model._meta.table_name
        self._plain = plain
        self.tables.add(table)
        chunk_size = POSTGRES_CHUNK if self.postgres else SQLITE_CHUNK
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= chunk_size:
                self._flush(table, columns, chunk)
                chunk = []
        if chunk:
            self._flush(table, columns, chunk)

    def _flush(self, table, columns, chunk):
        cursor = db.cursor()
        column_list = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            buffer = io.StringIO()
            if self._plain:
                line = "\t".join("%s" for _ in columns) + "\n"
                buffer.write("".join([line % row for row in chunk]))
            else:
                buffer.write("\n".join("\t".join(_copy_value(v) for v in row) for row in chunk))
                buffer.write("\n")
            buffer.seek(0)
            cursor.copy_expert(f'COPY "{table}" ({column_list}) FROM STDIN', buffer)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table}" ({column_list}) VALUES ({marks})', chunk)
        self.progress(len(chunk))
        self.written += len(chunk)

    @contextlib.contextmanager
    def deferred_indexes(self, model):
        """Take ``model``'s secondary indexes (and, on PostgreSQL, its
        foreign keys) off while a big load runs and put them back, from their
        own stored definitions, once it is done: one sorted
        index build and one validating pass beat millions of per-row index
        insertions and foreign-key trigger calls. Rebuilding a unique index
        or re-adding a foreign key checks every row, so nothing goes
        unchecked. On SQLite the unique indexes stay (it checks foreign keys
        cheaply, and keeping them was faster there)."""
        table = model._meta.table_name
        drops, creates = [], []
        if self.postgres:
            for name, definition in db.execute_sql(
                    "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                    "JOIN pg_class c ON c.oid = x.indexrelid "
                    "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = "
                    "x.indexrelid) ORDER BY c.relname", (f'"{table}"',)).fetchall():
                drops.append(f'DROP INDEX "{name}"')
                creates.append(definition.replace(" INDEX ", " INDEX IF NOT EXISTS ", 1))
            for name, definition in db.execute_sql(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                    (f'"{table}"',)).fetchall():
                drops.append(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                creates.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        else:
            for name, definition in db.execute_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
                    (table,)).fetchall():
                drops.append(f'DROP INDEX "{name}"')
                creates.append(definition.replace(" INDEX ", " INDEX IF NOT EXISTS ", 1))
        for statement in drops:
            db.execute_sql(statement)
        yield  # a failure rolls the whole seed back, the drops included
        if self.postgres:
            db.execute_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in creates:
            db.execute_sql(statement)

    def execute(self, sql, params=()):
        return db.execute_sql(sql, params)

    def _analyze(self):
        """Fresh planner statistics for the tables just filled (SQLite: a
        sampled ANALYZE, so it stays quick on millions of rows)."""
        if self.postgres:
            for table in sorted(self.tables):
                db.execute_sql(f'ANALYZE "{table}"')
        else:
            db.execute_sql("PRAGMA analysis_limit = 1000")
            db.execute_sql("ANALYZE")

    def _fix_sequences(self):
        """Move each written table's id sequence past the ids the seed used."""
        for table in sorted(self.tables):
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \"{table}\"")
