"""The full-text table `search_fts`, different per database (no model: Django cannot describe
an FTS5 virtual table or tsvector columns on both)."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, title_words, buyer_words,"
    " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS search_fts"]
POSTGRESQL = [
    "CREATE TABLE search_fts ("
    " opportunity_id bigint PRIMARY KEY,"
    " tsv tsvector NOT NULL,"
    " title_words tsvector NOT NULL,"
    " buyer_words tsvector NOT NULL)",
    "CREATE INDEX search_fts_tsv ON search_fts USING GIN (tsv)",
    "CREATE INDEX search_fts_title_words ON search_fts USING GIN (title_words)",
    "CREATE INDEX search_fts_buyer_words ON search_fts USING GIN (buyer_words)",
]
POSTGRESQL_DROP = ["DROP TABLE IF EXISTS search_fts"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor)
    if statements is None:
        raise RuntimeError(f"search: no full-text table for the {vendor} database")
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_documents_and_stored_queries")]

    operations = [migrations.RunPython(forwards, backwards)]
