"""Indexes for the asset list's free-text search (docs/search.md).

Nothing here is in the models' state: the search index is the database's own, made for
the one database the project runs on.

- SQLite: two FTS5 tables with the trigram tokenizer (SQLite 3.34 or newer), one for the
  assets' tag, serial number and hostname and one for the product models' names, each
  kept in step with its table by triggers.
- PostgreSQL: the pg_trgm extension and GIN trigram indexes on the very expressions
  Django's `icontains` compares, UPPER(column::text); and btree indexes on the same
  expressions of the tag and serial number for the prefix search of 1–2 characters.

A later migration that makes Django rebuild inventory_asset or inventory_productmodel on
SQLite (most field changes do) drops that table's triggers with it: see docs/search.md,
"Changing the asset or model table", and the test that fails when a trigger is missing.
"""

from django.db import migrations

# The SQLite index: one FTS5 row per asset (rowid = asset id) and per product model
# (rowid = model id). The rows keep their own copy of the text (not an external content
# table), so a row can always be deleted by its rowid alone.
SQLITE_TABLES = {
    "inventory_asset": ("inventory_asset_search", ("tag", "serial_number", "hostname")),
    "inventory_productmodel": ("inventory_productmodel_search", ("name",)),
}


def sqlite_statements(table, search, columns):
    listed = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)
    return [
        f"CREATE VIRTUAL TABLE {search} USING fts5({listed}, tokenize='trigram', columnsize=0)",
        f"INSERT INTO {search}(rowid, {listed}) SELECT id, {listed} FROM {table}",
        f"CREATE TRIGGER {search}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {search}(rowid, {listed}) VALUES (new.id, {new}); END",
        # Only when a searched column changes: a status change leaves the index alone.
        f"CREATE TRIGGER {search}_update AFTER UPDATE ON {table} "
        f"WHEN old.id IS NOT new.id OR {changed} BEGIN "
        f"DELETE FROM {search} WHERE rowid = old.id; "
        f"INSERT INTO {search}(rowid, {listed}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {search}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {search} WHERE rowid = old.id; END",
    ]


# GIN trigram indexes on what `icontains` compares on PostgreSQL: UPPER("col"::text).
POSTGRESQL_INDEXES = {
    "asset_tag_trgm": ("inventory_asset", "tag"),
    "asset_serial_trgm": ("inventory_asset", "serial_number"),
    "asset_hostname_trgm": ("inventory_asset", "hostname"),
    "productmodel_name_trgm": ("inventory_productmodel", "name"),
}
# Btree indexes for a search of one or two characters, `istartswith` on the tag and the
# serial number: UPPER("col"::text) LIKE 'AB%'. text_pattern_ops lets LIKE use them
# whatever the database's collation.
POSTGRESQL_PREFIX_INDEXES = {
    "asset_tag_upper_prefix": ("inventory_asset", "tag"),
    "asset_serial_upper_prefix": ("inventory_asset", "serial_number"),
}


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        if connection.Database.sqlite_version_info < (3, 34, 0):
            raise RuntimeError(
                "Inventera's asset search needs SQLite 3.34 or newer (FTS5 with the "
                f"trigram tokenizer); this Python has SQLite {connection.Database.sqlite_version}."
            )
        for table, (search, columns) in SQLITE_TABLES.items():
            for statement in sqlite_statements(table, search, columns):
                schema_editor.execute(statement, params=None)
    elif connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        for name, (table, column) in POSTGRESQL_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin ((UPPER({column}::text)) gin_trgm_ops)",
                params=None,
            )
        for name, (table, column) in POSTGRESQL_PREFIX_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"((UPPER({column}::text)) text_pattern_ops)",
                params=None,
            )


def backward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for search, _columns in SQLITE_TABLES.values():
            for trigger in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {search}_{trigger}", params=None)
            schema_editor.execute(f"DROP TABLE IF EXISTS {search}", params=None)
    elif connection.vendor == "postgresql":
        # The extension stays: something else may use it.
        for name in [*POSTGRESQL_INDEXES, *POSTGRESQL_PREFIX_INDEXES]:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0010_floor_roles"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
