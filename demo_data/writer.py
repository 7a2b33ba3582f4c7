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
"""

import contextlib
import io

import database
from models import db

SQLITE_CHUNK = 5_000  # rows per executemany (no bound-variable limit applies)
POSTGRES_CHUNK = 20_000  # rows per COPY
ROWS_PER_TRANSACTION = 200_000


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
        self._pending = 0
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
        self._begin()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self._transaction.__exit__(exc_type, exc, tb)  # commits, or rolls back
            if exc_type is None and self.postgres:
                with db.atomic():
                    self._fix_sequences()
        finally:
            if not self.postgres:
                for name, value in self._saved_pragmas.items():
                    db.execute_sql(f"PRAGMA {name} = {value}")
        return False

    def _begin(self):
        self._transaction = db.atomic()
        self._helper = self._transaction.__enter__()

    def commit(self):
        """Commit what has been written so far and go on in a new transaction."""
        self._transaction.__exit__(None, None, None)
        self._begin()
        self._pending = 0

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
        self._pending += len(chunk)
        self.written += len(chunk)
        if self._pending >= ROWS_PER_TRANSACTION:
            self.commit()

    @contextlib.contextmanager
    def deferred_indexes(self, model):
        """Drop ``model``'s non-unique secondary indexes while a big load
        runs and rebuild them, from their own stored definitions, once it is
        done (or fails): one sorted build beats millions of random index
        insertions. Unique indexes stay, so the data is checked as it goes."""
        table = model._meta.table_name
        if self.postgres:
            indexes = db.execute_sql(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid "
                "WHERE i.tablename = %s AND i.schemaname = current_schema() "
                "AND NOT x.indisunique ORDER BY i.indexname", (table,)).fetchall()
        else:
            indexes = db.execute_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
                (table,)).fetchall()
        for name, _definition in indexes:
            db.execute_sql(f'DROP INDEX "{name}"')
        try:
            yield
        except BaseException:
            self._helper.rollback()  # and begin a fresh transaction
            self._rebuild(indexes)
            raise
        self._rebuild(indexes)

    def _rebuild(self, indexes):
        for _name, definition in indexes:
            db.execute_sql(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        self.commit()

    def execute(self, sql, params=()):
        return db.execute_sql(sql, params)

    def _fix_sequences(self):
        """Move each written table's id sequence past the ids the seed used."""
        for table in sorted(self.tables):
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \"{table}\"")
