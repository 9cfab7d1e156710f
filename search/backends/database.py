"""The database backend: SQLite FTS5 on SQLite, PostgreSQL full-text search on PostgreSQL.

One `SearchDocument` row per public opportunity holds what filters and facets need;
`SearchValue` rows hold the many-valued fields (codes with their ancestors). Full text lives in
`search_fts`, created by the migrations for the database in use:

* SQLite: an FTS5 virtual table (rowid = opportunity id; columns title, body, title_words,
  buyer_words). Text is stemmed in Python (`search.text`) on the way in and on the way out;
  ranking is FTS5's bm25 with the title weighted 4 times the body.
* PostgreSQL: `tsv` = the Python stems ('simple' configuration) plus PostgreSQL's own `dutch` and
  `english` configurations over the accent-folded text (title weight A, the rest B), GIN
  indexed; ranked with ts_rank_cd. Query words match any of their Python stems or their
  dutch/english lexemes.

Relevance is the text rank times a boost that favours open opportunities closing soon.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from tqdm import tqdm

from marketplace.core import clock
from marketplace.core.bulk import rows_insert
from search import documents, text
from search.backends import postgresql as postgresql_search
from search.backends.base import (
    FACET_SIZE,
    FACETS,
    EngineResult,
    Hit,
    RebuildResult,
    SearchBackend,
    Suggestion,
)
from search.labels import label_suggestions
from search.models import SearchDocument, SearchValue, StoredQuery, StoredQueryTerm
from search.query import (
    BUDGET_BAND_VALUES,
    CLOSING_WINDOWS,
    KINDS,
    STATUSES,
    OpportunityQuery,
    cpv_prefix,
)

logger = logging.getLogger(__name__)
BATCH = 500
VALUE_FIELDS = ("competency", "cpv", "cpv_division", "region", "province", "municipality")


# --- filters, shared with percolation ---------------------------------------------------------


def status_q(status: str, now: dt.datetime) -> Q:
    live = Q(is_cancelled=False, is_awarded=False)
    return {
        "published": live & (Q(closes_at__isnull=True) | Q(closes_at__gt=now)),
        "closed": live & Q(closes_at__lte=now),
        "awarded": Q(is_cancelled=False, is_awarded=True),
        "cancelled": Q(is_cancelled=True),
    }[status]


def closing_q(window: str, now: dt.datetime) -> Q:
    live = Q(is_cancelled=False, is_awarded=False)
    week, month = now + dt.timedelta(days=7), now + dt.timedelta(days=30)
    return (
        live
        & {
            "this_week": Q(closes_at__gt=now, closes_at__lte=week),
            "this_month": Q(closes_at__gt=week, closes_at__lte=month),
            "later": Q(closes_at__gt=month) | Q(closes_at__isnull=True),
        }[window]
    )


def _values_q(field: str, values) -> Q:
    return Q(
        pk__in=SearchValue.objects.filter(field=field, value__in=list(values)).values("document_id")
    )


def facet_filters(query: OpportunityQuery, now: dt.datetime) -> dict[str, Q]:
    """The filters that facets can leave out, by filter name."""
    out: dict[str, Q] = {}
    if query.kind:
        out["kind"] = Q(kind__in=query.kind)
    if query.status:
        out["status"] = reduce(or_, (status_q(s, now) for s in query.status))
    if query.closing:
        out["closing"] = reduce(or_, (closing_q(w, now) for w in query.closing))
    if query.budget_band:
        out["budget_band"] = Q(budget_band__in=query.budget_band)
    if query.sme_suitable is not None:
        out["sme_suitable"] = Q(is_sme_suitable=query.sme_suitable)
    if query.first_timer_friendly is not None:
        out["first_timer_friendly"] = Q(is_first_timer_friendly=query.first_timer_friendly)
    if query.buyer:
        ids = [int(b) for b in query.buyer if b.isdigit()]
        out["buyer"] = Q(buyer_id__in=ids) | Q(buyer_slug__in=query.buyer)
    if query.competency:
        out["competency"] = _values_q("competency", query.competency)
    if query.cpv:
        out["cpv"] = _values_q("cpv", {cpv_prefix(c) for c in query.cpv})
    if query.region:
        out["region"] = _values_q("region", query.region)
    return out


def fixed_filter(query: OpportunityQuery) -> Q:
    """Filters without a facet: always applied."""
    q = Q()
    if query.closes_after:
        q &= Q(closes_at__gte=query.closes_after)
    if query.closes_before:
        q &= Q(closes_at__lte=query.closes_before)
    if query.budget_min is not None:
        q &= Q(budget_max__gte=query.budget_min) | Q(
            budget_max__isnull=True, budget_min__gte=query.budget_min
        )
    if query.budget_max is not None:
        q &= Q(budget_min__lte=query.budget_max) | Q(
            budget_min__isnull=True, budget_max__lte=query.budget_max
        )
    return q


def boost(now: dt.datetime):
    """1, plus 0.5 when open, plus up to 0.5 more when the deadline is near."""
    open_ = Q(is_cancelled=False, is_awarded=False) & (
        Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )
    soon = Q(is_cancelled=False, is_awarded=False, closes_at__gt=now)
    return (
        Value(1.0)
        + Case(When(open_, then=Value(0.5)), default=Value(0.0), output_field=FloatField())
        + Case(
            When(soon & Q(closes_at__lte=now + dt.timedelta(days=7)), then=Value(0.5)),
            When(soon & Q(closes_at__lte=now + dt.timedelta(days=30)), then=Value(0.25)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )


# --- full text, per database ------------------------------------------------------------------


# The document's columns that searches filter, sort and count on (SearchDocument; PostgreSQL
# also copies them next to the tsvector in search_fts).
FILTER_COLUMNS = (
    "kind",
    "buyer_id",
    "buyer_slug",
    "budget_min",
    "budget_max",
    "budget_band",
    "closes_at",
    "published_at",
    "is_cancelled",
    "is_awarded",
    "is_sme_suitable",
    "is_first_timer_friendly",
)


class _Fts:
    """Full-text operations for one database."""

    def write(self, docs: Sequence[documents.IndexedOpportunity]) -> None: ...
    def delete(self, ids: Sequence[int]) -> None: ...
    def match(self, clauses) -> Q: ...
    def join(self, qs: QuerySet, clauses) -> QuerySet: ...
    def rank(self, clauses) -> RawSQL: ...
    def prefix(self, qs: QuerySet, column: str, words: list[str]) -> QuerySet: ...
    def clauses(self, q: str) -> list[tuple[str, ...]]:
        return text.query_clauses(q)

    def doc_terms(self, doc: documents.IndexedOpportunity) -> set[str]:
        return set(text.index_terms(doc.text).split())


class _SqliteFts(_Fts):
    def write(self, docs):
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(d.id,) for d in docs])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, title, body, title_words, buyer_words)"
                " VALUES (%s, %s, %s, %s, %s)",
                [
                    (
                        d.id,
                        text.index_terms(d.title),
                        text.index_terms("\n".join((d.summary, d.description, d.labels))),
                        " ".join(text.words(d.title)),
                        " ".join(text.words(d.buyer_name)),
                    )
                    for d in docs
                ],
            )

    def delete(self, ids):
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])

    @staticmethod
    def _expression(clauses) -> str:
        parts = ["(" + " OR ".join(f'"{s}"' for s in clause) + ")" for clause in clauses]
        return "{title body} : (" + " AND ".join(parts) + ")"

    def match(self, clauses) -> Q:
        return Q(
            pk__in=RawSQL(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s",
                [self._expression(clauses)],
            )
        )

    def join(self, qs, clauses):
        return qs.extra(
            tables=["search_fts"],
            where=[
                "search_fts.rowid = search_searchdocument.opportunity_id",
                "search_fts MATCH %s",
            ],
            params=[self._expression(clauses)],
        )

    def rank(self, clauses):
        return RawSQL("(-bm25(search_fts, 4.0, 1.0, 0.0, 0.0))", [], output_field=FloatField())

    def prefix(self, qs, column, words):
        terms = " AND ".join(f'"{w}"*' for w in words)
        expression = f"{{{column}}} : ({terms})"
        return qs.extra(
            tables=["search_fts"],
            where=[
                "search_fts.rowid = search_searchdocument.opportunity_id",
                "search_fts MATCH %s",
            ],
            params=[expression],
        )


class _PostgresFts(_Fts):
    # Copies of the document's columns that searches with words filter, sort and count on
    # (migration 0003; see search.backends.postgresql).
    COPIED = (*FILTER_COLUMNS, "tags", "facet_tags")

    def __init__(self):
        self._lexemes: dict[str, tuple[str, ...]] = {}

    def write(self, docs):
        columns = ", ".join(self.COPIED)
        # Constant column names; every value is a parameter.
        sql = (
            "INSERT INTO search_fts (opportunity_id, tsv, title_words, buyer_words, "  # noqa: S608
            + columns
            + ")"
            " VALUES (%s,"
            " setweight(to_tsvector('simple', %s) || to_tsvector('dutch', %s)"
            " || to_tsvector('english', %s), 'A') ||"
            " setweight(to_tsvector('simple', %s) || to_tsvector('dutch', %s)"
            " || to_tsvector('english', %s), 'B'),"
            " to_tsvector('simple', %s), to_tsvector('simple', %s), "
            + ", ".join(["%s"] * len(self.COPIED))
            + ") ON CONFLICT (opportunity_id) DO UPDATE SET tsv = EXCLUDED.tsv,"
            " title_words = EXCLUDED.title_words, buyer_words = EXCLUDED.buyer_words, "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in self.COPIED)
        )
        rows = []
        for d in docs:
            body = "\n".join((d.summary, d.description, d.labels))
            title_f, body_f = text.fold(d.title), text.fold(body)
            rows.append(
                (
                    d.id,
                    text.index_terms(d.title),
                    title_f,
                    title_f,
                    text.index_terms(body),
                    body_f,
                    body_f,
                    " ".join(text.words(d.title)),
                    " ".join(text.words(d.buyer_name)),
                    d.kind,
                    d.buyer_id,
                    d.buyer_slug,
                    d.budget_min,
                    d.budget_max,
                    d.budget_band,
                    d.closes_at,
                    d.published_at,
                    d.is_cancelled,
                    d.is_awarded,
                    d.is_sme_suitable,
                    d.is_first_timer_friendly,
                    *postgresql_search.doc_tags(many_valued(d)),
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def delete(self, ids):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts WHERE opportunity_id = ANY(%s)", [list(ids)])

    def clauses(self, q):
        """Each query word's Python stems plus PostgreSQL's dutch and english lexemes of it."""
        query_words = text.query_words(q)
        missing = [w for w in query_words if w not in self._lexemes]
        if missing:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT w, tsvector_to_array(to_tsvector('dutch', w) ||"
                    " to_tsvector('english', w)) FROM unnest(%s::text[]) AS t(w)",
                    [missing],
                )
                found = dict(cursor.fetchall())
            if len(self._lexemes) > 50_000:
                self._lexemes.clear()
            for w in missing:
                stems = text.stems(w)
                self._lexemes[w] = stems + tuple(x for x in (found.get(w) or []) if x not in stems)
        return list(dict.fromkeys(self._lexemes[w] for w in query_words))

    @staticmethod
    def _tsquery(clauses) -> str:
        return " & ".join("(" + " | ".join(f"'{s}'" for s in clause) + ")" for clause in clauses)

    def match(self, clauses) -> Q:
        return Q(
            pk__in=RawSQL(
                "SELECT opportunity_id FROM search_fts WHERE tsv @@ to_tsquery('simple', %s)",
                [self._tsquery(clauses)],
            )
        )

    def join(self, qs, clauses):
        return qs.extra(
            tables=["search_fts"],
            where=[
                "search_fts.opportunity_id = search_searchdocument.opportunity_id",
                "search_fts.tsv @@ to_tsquery('simple', %s)",
            ],
            params=[self._tsquery(clauses)],
        )

    def rank(self, clauses):
        return RawSQL(
            "ts_rank_cd(search_fts.tsv, to_tsquery('simple', %s))",
            [self._tsquery(clauses)],
            output_field=FloatField(),
        )

    def prefix(self, qs, column, words):
        return qs.extra(  # noqa: S610 (constant SQL; the query is a parameter)
            tables=["search_fts"],
            where=[
                "search_fts.opportunity_id = search_searchdocument.opportunity_id",
                f"search_fts.{column} @@ to_tsquery('simple', %s)",
            ],
            params=[" & ".join(f"'{w}':*" for w in words)],
        )

    def doc_terms(self, doc):
        terms = super().doc_terms(doc)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tsvector_to_array(to_tsvector('dutch', %s) || to_tsvector('english', %s))",
                [text.fold(doc.text)] * 2,
            )
            terms.update(cursor.fetchone()[0] or [])
        return terms


def fts() -> _Fts:
    return _PostgresFts() if connection.vendor == "postgresql" else _SqliteFts()


# --- the backend ------------------------------------------------------------------------------


class DatabaseBackend(SearchBackend):
    def __init__(self):
        self._fts: dict[str, _Fts] = {}

    @property
    def name(self) -> str:  # type: ignore[override]
        return "postgresql" if connection.vendor == "postgresql" else "sqlite"

    @property
    def fts(self) -> _Fts:
        vendor = connection.vendor
        if vendor not in self._fts:
            self._fts[vendor] = fts()
        return self._fts[vendor]

    # --- writing ---

    def index(self, ids: Sequence[int]) -> None:
        ids = list(dict.fromkeys(int(i) for i in ids))
        self.write_built(documents.build(ids), ids)

    def write_built(
        self, built: dict[int, documents.IndexedOpportunity], ids: Sequence[int]
    ) -> None:
        """Write what `documents.build(ids)` returned; remove the ids it left out."""
        with transaction.atomic():
            self._write(list(built.values()))
            gone = [i for i in ids if i not in built]
            if gone:
                self.remove(gone)

    def _write(self, docs: Sequence[documents.IndexedOpportunity]) -> None:
        if not docs:
            return
        ids = [d.id for d in docs]
        now = timezone.now()
        postgresql = connection.vendor == "postgresql"
        if not postgresql:
            SearchValue.objects.filter(document_id__in=ids).delete()
        tags = {
            d.id: postgresql_search.doc_tags(many_valued(d)) if postgresql else ("", "")
            for d in docs
        }
        columns = ["title", *FILTER_COLUMNS, "indexed_at", "tags", "facet_tags"]
        rows_insert(
            SearchDocument,
            ["opportunity_id", *columns],
            [
                (
                    d.id,
                    d.title[:300],
                    d.kind,
                    d.buyer_id,
                    d.buyer_slug,
                    d.budget_min,
                    d.budget_max,
                    d.budget_band,
                    d.closes_at,
                    d.published_at,
                    d.is_cancelled,
                    d.is_awarded,
                    d.is_sme_suitable,
                    d.is_first_timer_friendly,
                    now,
                    *tags[d.id],
                )
                for d in docs
            ],
            conflict=["opportunity_id"],
            update=columns,
        )
        if not postgresql:  # PostgreSQL keeps them in `tags`
            rows_insert(
                SearchValue,
                ["document_id", "field", "value"],
                [
                    (d.id, field, v)
                    for d in docs
                    for field, items in many_valued(d).items()
                    for v in items
                ],
            )
        self.fts.write(docs)

    def remove(self, ids: Sequence[int]) -> None:
        ids = [int(i) for i in ids]
        if not ids:
            return
        with transaction.atomic():
            SearchDocument.objects.filter(opportunity_id__in=ids).delete()
            self.fts.delete(ids)

    def rebuild(self, *, progress: bool = False) -> RebuildResult:
        ids = documents.public_ids()
        with transaction.atomic():
            SearchValue.objects.all().delete()
            SearchDocument.objects.all().delete()
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_fts")
        with tqdm(total=len(ids), desc="Database index", unit="docs", disable=not progress) as bar:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                with transaction.atomic():
                    self._write(list(documents.build(chunk).values()))
                bar.update(len(chunk))
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner knows the new tables before autovacuum does.
            with connection.cursor() as cursor:
                tables = [SearchDocument._meta.db_table, SearchValue._meta.db_table, "search_fts"]
                for table in tables:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        return RebuildResult(indexed=SearchDocument.objects.count(), index_name="search_fts")

    def count(self) -> int:
        return SearchDocument.objects.count()

    def indexed_ids(self) -> set[int]:
        return set(SearchDocument.objects.values_list("opportunity_id", flat=True))

    def health(self) -> tuple[str, str]:
        return "ok", f"database backend ({self.name} full text)"

    # --- reading ---

    def engine_search(self, query, *, now, facets=True) -> EngineResult:
        clauses = self.fts.clauses(query.q) if query.q else []
        if connection.vendor == "postgresql":
            tsquery = _PostgresFts._tsquery(clauses) if clauses else None
            return postgresql_search.search(query, tsquery=tsquery, now=now, facets=facets)
        base = SearchDocument.objects.filter(fixed_filter(query))
        if clauses:
            base = base.filter(self.fts.match(clauses))
        filters = facet_filters(query, now)
        results = base.filter(*filters.values())
        count = results.count()
        start = (query.page - 1) * query.page_size
        hits: list[Hit] = []
        if start < count:
            rank = self.fts.rank(clauses) if clauses else Value(1.0, output_field=FloatField())
            if clauses:
                # Join the full-text table for its rank (the match itself is already a filter).
                results = self.fts.join(
                    SearchDocument.objects.filter(fixed_filter(query), *filters.values()), clauses
                )
            ordered = results.annotate(
                score=ExpressionWrapper(rank * boost(now), output_field=FloatField())
            )
            if query.sort == "closing":
                ordered = ordered.order_by(F("closes_at").asc(nulls_last=True), "opportunity_id")
            elif query.sort == "newest":
                ordered = ordered.order_by("-published_at", "-opportunity_id")
            else:
                ordered = ordered.order_by("-score", "-published_at", "-opportunity_id")
            rows = ordered.values_list("opportunity_id", "score")[start : start + query.page_size]
            hits = [Hit(id=pk, score=float(score or 0)) for pk, score in rows]
        return EngineResult(
            count=count, hits=hits, facets=self._facets(base, filters, now) if facets else {}
        )

    def _facets(self, base: QuerySet, filters: dict[str, Q], now) -> dict[str, dict[str, int]]:
        # Facets whose own filter is not set share one set of rows; the others each get theirs.
        groups: dict[str, list[str]] = {}
        for facet, own in FACETS.items():
            groups.setdefault(own if own in filters else "", []).append(facet)
        out: dict[str, dict[str, int]] = {}
        for own, names in groups.items():
            rows = base.filter(*(q for name, q in filters.items() if name != own))
            out.update(self._count(rows, names, now))
        return out

    def _count(self, rows: QuerySet, names: list[str], now) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        conditional: dict[str, Q] = {}
        for name in names:
            if name == "kind":
                conditional.update({f"kind:{k}": Q(kind=k) for k in KINDS})
            elif name == "status":
                conditional.update({f"status:{s}": status_q(s, now) for s in STATUSES})
            elif name == "closing":
                conditional.update({f"closing:{w}": closing_q(w, now) for w in CLOSING_WINDOWS})
            elif name == "budget_band":
                conditional.update(
                    {f"budget_band:{b}": Q(budget_band=b) for b in BUDGET_BAND_VALUES}
                )
            elif name == "sme_suitable":
                conditional["sme_suitable:true"] = Q(is_sme_suitable=True)
            elif name == "first_timer_friendly":
                conditional["first_timer_friendly:true"] = Q(is_first_timer_friendly=True)
        if conditional:
            aliases = {f"c{n}": key for n, key in enumerate(conditional)}
            counts = rows.aggregate(
                **{
                    alias: Count("opportunity_id", filter=conditional[key])
                    for alias, key in aliases.items()
                }
            )
            for alias, key in aliases.items():
                facet, value = key.split(":", 1)
                out.setdefault(facet, {})[value] = counts[alias] or 0
        if "buyer" in names:
            out["buyer"] = {
                str(buyer): n
                for buyer, n in rows.order_by()
                .values("buyer_id")
                .annotate(n=Count("opportunity_id"))
                .order_by("-n", "buyer_id")
                .values_list("buyer_id", "n")[:FACET_SIZE]
            }
        value_fields = {
            "competency": "competency",
            "province": "province",
            "municipality": "municipality",
            "cpv": "cpv_division",
        }
        wanted = [value_fields[n] for n in names if n in value_fields]
        if wanted:
            grouped = (
                SearchValue.objects.filter(
                    field__in=wanted, document_id__in=rows.order_by().values("opportunity_id")
                )
                .values("field", "value")
                .annotate(n=Count("id"))
                .values_list("field", "value", "n")
            )
            reverse = {v: k for k, v in value_fields.items()}
            for field, value, n in grouped:
                out.setdefault(reverse[field], {})[value] = n
            for field in wanted:
                out.setdefault(reverse[field], {})
        return out

    def suggest(self, prefix, *, visible, limit=5) -> list[Suggestion]:
        typed = text.words(prefix)
        if not typed or len("".join(typed)) < 2:
            return []
        if connection.vendor == "postgresql":
            ids, buyers = postgresql_search.suggest(typed, now=clock.now(), limit=limit)
        else:
            ids, buyers = self.suggest_ids(typed, limit=limit)
        return self._suggestions(ids, buyers, typed, visible=visible, limit=limit)

    def suggest_ids(self, typed: list[str], *, limit: int) -> tuple[list[int], list[int]]:
        """Opportunity ids by title (open first, newest first) and buyer ids by how many
        opportunities match on the buyer name (`postgresql.suggest` does the same in one
        statement)."""
        docs = SearchDocument.objects.all()
        titles = (
            self.fts.prefix(docs, "title_words", typed)
            .annotate(
                is_open=ExpressionWrapper(
                    Q(is_cancelled=False, is_awarded=False)
                    & (Q(closes_at__isnull=True) | Q(closes_at__gt=clock.now())),
                    output_field=BooleanField(),
                )
            )
            .order_by("-is_open", "-published_at", "-opportunity_id")
            .values_list("opportunity_id", flat=True)[: limit * 2]
        )
        buyers = list(
            self.fts.prefix(docs, "buyer_words", typed)
            .order_by()
            .values("buyer_id")
            .annotate(n=Count("opportunity_id"))
            .order_by("-n", "buyer_id")
            .values_list("buyer_id", flat=True)[:limit]
        )
        return list(titles), buyers

    def _suggestions(self, ids, buyers, typed, *, visible, limit) -> list[Suggestion]:
        shown = dict(visible.filter(pk__in=ids).values_list("pk", "title"))
        out = [Suggestion("opportunity", shown[i], str(i)) for i in ids if i in shown][:limit]
        if buyers:
            from marketplace.core.models import Organisation

            names = {
                pk: (slug, name)
                for pk, slug, name in Organisation.objects.filter(pk__in=buyers).values_list(
                    "pk", "slug", "name"
                )
            }
            out += [Suggestion("buyer", names[b][1], names[b][0]) for b in buyers if b in names]
        return out + label_suggestions(typed, limit=limit)

    # --- percolation ---

    def percolate(self, opportunity_id, *, now=None) -> list[str]:
        now = now or clock.now()
        doc = documents.build([opportunity_id]).get(int(opportunity_id))
        if doc is None:
            return []
        values = sorted(document_values(doc, now, self.fts.doc_terms(doc)))
        upper, lower = doc.budget_upper, doc.budget_lower
        ranges = Q()
        ranges &= Q(budget_min__isnull=True) | (
            Q(budget_min__lte=upper) if upper is not None else Q(pk__in=[])
        )
        ranges &= Q(budget_max__isnull=True) | (
            Q(budget_max__gte=lower) if lower is not None else Q(pk__in=[])
        )
        ranges &= Q(closes_after__isnull=True) | (
            Q(closes_after__lte=doc.closes_at) if doc.closes_at else Q(pk__in=[])
        )
        ranges &= Q(closes_before__isnull=True) | (
            Q(closes_before__gte=doc.closes_at) if doc.closes_at else Q(pk__in=[])
        )
        keys = list(
            StoredQuery.objects.filter(ranges, required_slots=0).values_list("key", flat=True)
        )
        # The pre-filter: only terms equal to one of the document's values are read, grouped
        # per stored query; a query matches when every one of its slots found a value.
        matched = (
            StoredQueryTerm.objects.filter(value__in=values)
            .values("stored_query_id")
            .annotate(n=Count("slot", distinct=True))
            .filter(n=F("stored_query__required_slots"))
            .values("stored_query_id")
        )
        keys += StoredQuery.objects.filter(ranges, pk__in=matched).values_list("key", flat=True)
        return sorted(keys)

    def stored_terms(self, query: OpportunityQuery) -> list[tuple[str, str]]:
        """(slot, value) rows for a stored query on this database."""
        rows = list(filter_slots(query))
        for n, clause in enumerate(self.fts.clauses(query.q) if query.q else []):
            rows.extend((f"t{n}", f"t:{s}") for s in clause)
        return rows


def filter_slots(query: OpportunityQuery):
    for name, prefix in (
        ("kind", "kind"),
        ("status", "status"),
        ("closing", "closing"),
        ("budget_band", "band"),
        ("competency", "competency"),
        ("region", "region"),
        ("buyer", "buyer"),
    ):
        for value in getattr(query, name):
            yield name, f"{prefix}:{value}"
    for code in query.cpv:
        yield "cpv", f"cpv:{cpv_prefix(code)}"
    if query.sme_suitable is not None:
        yield "sme", f"sme:{'true' if query.sme_suitable else 'false'}"
    if query.first_timer_friendly is not None:
        yield "first_timer", f"first_timer:{'true' if query.first_timer_friendly else 'false'}"


def many_valued(doc: documents.IndexedOpportunity) -> dict[str, list[str]]:
    """The many-valued fields of a document by `SearchValue.field` name."""
    return {
        "competency": doc.competencies,
        "cpv": doc.cpv,
        "cpv_division": doc.cpv_divisions,
        "region": doc.regions,
        "province": doc.provinces,
        "municipality": doc.municipalities,
    }


def document_values(doc: documents.IndexedOpportunity, now, terms) -> set[str]:
    values = {
        f"kind:{doc.kind}",
        f"status:{doc.status(now)}",
        f"band:{doc.budget_band}",
        f"buyer:{doc.buyer_id}",
        f"buyer:{doc.buyer_slug}",
        f"sme:{'true' if doc.is_sme_suitable else 'false'}",
        f"first_timer:{'true' if doc.is_first_timer_friendly else 'false'}",
    }
    if doc.closing(now):
        values.add(f"closing:{doc.closing(now)}")
    values.update(f"competency:{v}" for v in doc.competencies)
    values.update(f"cpv:{v}" for v in doc.cpv)
    values.update(f"region:{v}" for v in doc.regions)
    values.update(f"t:{t}" for t in terms if len(t) <= 75)
    return values


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)
