"""The schema the migrations build is the schema the models describe: same
tables, same columns, same nullability, on SQLite and on PostgreSQL. A
model field added without a migration (or a migration that drifts from the
model) fails here instead of on the first query that touches the column."""

import database
from metrics import cache_sql, rollup_sql
from models import ALL_MODELS, ROLLUP_MODELS, STATE_MODELS, db

# Tables the migrations make that no model maps: peewee-migrate's record of
# applied migrations, and the SQLite-only calendar the rollup triggers join
# (migrations/004_sales_rollup.py).
UNMAPPED_TABLES = {"migratehistory", "sales_calendar"}


def _migrated_columns(table):
    """{column: nullable} of ``table`` as the database has it."""
    return {column.name: column.null for column in db.get_columns(table)}


def _model_columns(model):
    """{column: nullable} as ``model`` declares it."""
    return {field.column_name: field.null for field in model._meta.sorted_fields}


def test_migrated_tables_are_the_models_tables(app):
    models = {model._meta.table_name for model in ALL_MODELS + ROLLUP_MODELS + STATE_MODELS}
    assert set(db.get_tables()) - UNMAPPED_TABLES == models


def test_migrated_columns_and_nullability_equal_the_models(app):
    for model in ALL_MODELS + ROLLUP_MODELS + STATE_MODELS:
        table = model._meta.table_name
        assert _migrated_columns(table) == _model_columns(model), table


def _triggers():
    """{trigger name: its definition} on ``sales_daily`` and the tracked
    tables, as the database has them."""
    if database.is_postgres():
        rows = db.execute_sql(
            "SELECT t.tgname, pg_get_triggerdef(t.oid) || ' ' || p.prosrc FROM pg_trigger t "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal")
    else:
        rows = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    return dict(rows.fetchall())


def test_the_live_trigger_sql_is_what_the_migrations_made(app):
    """metrics.rollup_sql and metrics.cache_sql (what a bulk write drops and
    creates again) equal the migrations' frozen copies: dropping the
    migrated triggers and creating them from the live SQL changes nothing."""
    postgres = database.is_postgres()
    migrated = _triggers()
    assert any(name.startswith("sales_rollup") for name in migrated)
    with db.atomic():
        for statement in rollup_sql.drop_triggers(postgres):
            db.execute_sql(statement)
        for statement in rollup_sql.create_triggers(postgres):
            db.execute_sql(statement)
        for table in cache_sql.TRACKED:
            for statement in (cache_sql.drop_triggers(postgres, table)
                              + cache_sql.create_triggers(postgres, table)):
                db.execute_sql(statement)
    assert _triggers() == migrated
