"""The schema the migrations build is the schema the models describe: same
tables, same columns, same nullability, on SQLite and on PostgreSQL. A
model field added without a migration (or a migration that drifts from the
model) fails here instead of on the first query that touches the column."""

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
