"""Models of the search app.

* `SearchDocument` (+ `SearchValue`): the database backend's index, one row per public
  opportunity, kept by the indexing task. Many-valued fields live in `SearchValue` rows on
  SQLite and in `tags` on PostgreSQL (one space-separated string, GIN indexed as an array, so a
  filter is one index probe and facets are counted in one pass without joins). Full text lives beside it in `search_fts`, a table the
  migrations create per database: an FTS5 virtual table on SQLite, a table with `tsvector`
  columns and GIN indexes on PostgreSQL. It is also the fallback when Elasticsearch is down.
* `IndexQueue`: opportunities whose index entry must be refreshed; a row is written before the
  task is queued and removed when it has run, so the catch-up task finds what was missed.
* `StoredQuery` (+ `StoredQueryTerm`): queries kept under an opaque key (such as
  "saved-search:12") for `percolate`: which stored queries match a given opportunity.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SearchDocument(models.Model):
    opportunity = models.OneToOneField(
        "tenders.Opportunity", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    buyer_id = models.BigIntegerField()
    buyer_slug = models.CharField(max_length=220)
    budget_min = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    budget_max = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    budget_band = models.CharField(max_length=20, blank=True)
    closes_at = models.DateTimeField(null=True)
    published_at = models.DateTimeField()
    is_cancelled = models.BooleanField(default=False)
    is_awarded = models.BooleanField(default=False)
    is_sme_suitable = models.BooleanField(default=False)
    is_first_timer_friendly = models.BooleanField(default=False)
    indexed_at = models.DateTimeField(default=timezone.now)
    # PostgreSQL only (empty on SQLite, which keeps `SearchValue` rows instead): the values of
    # the many-valued fields as space-separated tokens, each a one-letter field code and the
    # value (`search.backends.postgresql.TAG_CODES`), with a space before and after: what
    # filters look for (" cdata-aggregation v72 v722 rGM0363 rNL32 rNL ") and what facets count
    # (" cdata-aggregation d72 pNL32 mGM0363 ").
    tags = models.TextField(blank=True, default="")
    facet_tags = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["kind"], name="search_doc_kind"),
            models.Index(fields=["closes_at"], name="search_doc_closes"),
            models.Index(fields=["published_at"], name="search_doc_published"),
            models.Index(fields=["buyer_id"], name="search_doc_buyer"),
        ]

    def __str__(self) -> str:
        return self.title


class SearchValue(models.Model):
    """One value of a many-valued field of a document: competency (with parents), cpv (every
    ancestor prefix), cpv_division, region (with every region above it), province,
    municipality."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="values")
    field = models.CharField(max_length=20)
    value = models.CharField(max_length=60)

    class Meta:
        indexes = [
            models.Index(fields=["field", "value", "document"], name="search_value_lookup"),
            models.Index(fields=["document", "field"], name="search_value_doc"),
        ]

    def __str__(self) -> str:
        return f"{self.field}={self.value}"


class IndexQueue(models.Model):
    opportunity_id = models.BigIntegerField(primary_key=True)
    queued_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"index {self.opportunity_id}"


class StoredQuery(models.Model):
    key = models.CharField(max_length=200, unique=True)
    query = models.JSONField(default=dict)
    # How many term slots (one per constrained filter, one per query word) must match.
    required_slots = models.PositiveIntegerField(default=0)
    budget_min = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    budget_max = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    closes_after = models.DateTimeField(null=True)
    closes_before = models.DateTimeField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # False until the Elasticsearch copy is written (the catch-up task retries).
    is_synced = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["required_slots"], name="search_sq_required")]

    def __str__(self) -> str:
        return self.key


class StoredQueryTerm(models.Model):
    """One acceptable value of one slot of a stored query ("kind:tender" in slot "kind",
    "t:zoek" in slot "t0"). A stored query matches a document when every slot has a value
    among the document's."""

    stored_query = models.ForeignKey(StoredQuery, on_delete=models.CASCADE, related_name="terms")
    slot = models.CharField(max_length=20)
    value = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["value", "stored_query"], name="search_sqt_value")]

    def __str__(self) -> str:
        return f"{self.slot}: {self.value}"
