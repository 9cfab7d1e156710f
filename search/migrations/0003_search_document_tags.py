"""`SearchDocument.tags`: on PostgreSQL the many-valued fields move from `SearchValue` rows into
one string per document, GIN indexed as an array (filters are one index probe; facets are
counted in one pass over the matching documents, without joining two million value rows).

Also on PostgreSQL, `search_fts` gets a copy of the document's filter and facet columns, so a
search with words reads one table (the rows the full-text index finds) instead of joining
100,000 documents. Existing PostgreSQL indexes are converted in place; SQLite keeps its
`SearchValue` rows and FTS5 table as they are."""

from django.db import migrations, models

CODES = {
    "competency": "c",
    "cpv": "v",
    "cpv_division": "d",
    "region": "r",
    "province": "p",
    "municipality": "m",
}

# The columns of search_searchdocument that searches filter, sort and count on.
COPIED = (
    ("kind", "varchar(20) NOT NULL DEFAULT ''"),
    ("buyer_id", "bigint NOT NULL DEFAULT 0"),
    ("buyer_slug", "varchar(220) NOT NULL DEFAULT ''"),
    ("budget_min", "numeric(14, 2)"),
    ("budget_max", "numeric(14, 2)"),
    ("budget_band", "varchar(20) NOT NULL DEFAULT ''"),
    ("closes_at", "timestamptz"),
    ("published_at", "timestamptz"),
    ("is_cancelled", "boolean NOT NULL DEFAULT false"),
    ("is_awarded", "boolean NOT NULL DEFAULT false"),
    ("is_sme_suitable", "boolean NOT NULL DEFAULT false"),
    ("is_first_timer_friendly", "boolean NOT NULL DEFAULT false"),
    ("tags", "text NOT NULL DEFAULT ''"),
    ("facet_tags", "text NOT NULL DEFAULT ''"),
)

FILTERED = ("competency", "cpv", "region")  # -> tags
COUNTED = ("competency", "cpv_division", "province", "municipality")  # -> facet_tags


def _tokens(fields) -> str:
    codes = " ".join(f"WHEN '{f}' THEN '{CODES[f]}'" for f in fields)
    names = ", ".join(f"'{f}'" for f in fields)
    return (
        f"' ' || coalesce(string_agg(CASE field {codes} END || value, ' ' ORDER BY id)"
        f" FILTER (WHERE field IN ({names})), '') || ' '"
    )


POSTGRESQL = [
    "CREATE INDEX search_doc_tags ON search_searchdocument"
    " USING GIN ((string_to_array(tags, ' ')))",
    "UPDATE search_searchdocument d SET tags = v.tags, facet_tags = v.facet_tags FROM ("
    f" SELECT document_id, {_tokens(FILTERED)} AS tags, {_tokens(COUNTED)} AS facet_tags"
    " FROM search_searchvalue GROUP BY document_id) v"
    " WHERE v.document_id = d.opportunity_id",
    "DELETE FROM search_searchvalue",
    "ALTER TABLE search_fts " + ", ".join(f"ADD COLUMN {name} {kind}" for name, kind in COPIED),
    "UPDATE search_fts f SET "
    + ", ".join(f"{name} = d.{name}" for name, _kind in COPIED)
    + " FROM search_searchdocument d WHERE d.opportunity_id = f.opportunity_id",
]
# Back to SearchValue rows (the cpv_division, province and municipality values are the ones in
# facet_tags; competency, cpv and region those in tags).
POSTGRESQL_BACK = [
    "INSERT INTO search_searchvalue (document_id, field, value)"
    " SELECT d.opportunity_id, CASE left(t, 1) "
    + " ".join(f"WHEN '{CODES[f]}' THEN '{f}'" for f in FILTERED)
    + " END, substr(t, 2)"
    " FROM search_searchdocument d, unnest(string_to_array(d.tags, ' ')) AS t WHERE t <> ''",
    "INSERT INTO search_searchvalue (document_id, field, value)"
    " SELECT d.opportunity_id, CASE left(t, 1) "
    + " ".join(f"WHEN '{CODES[f]}' THEN '{f}'" for f in COUNTED[1:])
    + " END, substr(t, 2)"
    " FROM search_searchdocument d, unnest(string_to_array(d.facet_tags, ' ')) AS t"
    " WHERE t <> '' AND left(t, 1) <> 'c'",
    "DROP INDEX IF EXISTS search_doc_tags",
    "ALTER TABLE search_fts " + ", ".join(f"DROP COLUMN {name}" for name, _kind in COPIED),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRESQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRESQL_BACK:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_table")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="tags",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="facet_tags",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(forwards, backwards),
    ]
