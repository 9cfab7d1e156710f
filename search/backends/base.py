"""The one search interface every backend implements (Wagtail style: hits are reloaded by
primary key through the caller's queryset, so rows the caller may not see drop out)."""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import html
import math
from collections.abc import Sequence

from django.db import connection
from django.db.models import QuerySet

from marketplace.core import clock
from search import text
from search.facets import FacetBucket, label_facets
from search.query import OpportunityQuery
from tenders.models import Opportunity


@dataclasses.dataclass
class Hit:
    id: int
    score: float
    highlight: dict[str, str] | None = None  # {"title": html, "text": html}; None: work it out


@dataclasses.dataclass
class EngineResult:
    """What the engine answers, before reloading rows and labelling facets."""

    count: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # facet -> value -> count


@dataclasses.dataclass
class SearchPage:
    query: OpportunityQuery
    count: int
    # Each with .highlight (dict), .score, its buyer loaded, and .codes: the slugs and codes of
    # its competencies, CPV codes and regions ({"competencies": [...], ...}, each sorted), read
    # with the row (related managers are not prefetched: `result_rows`).
    results: list[Opportunity]
    facets: dict[str, list[FacetBucket]]
    backend: str
    degraded: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.query.page_size))

    @property
    def has_next(self) -> bool:
        return self.query.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1


@dataclasses.dataclass(frozen=True)
class Suggestion:
    type: str  # opportunity | buyer | cpv | competency
    text: str
    value: str  # opportunity id, buyer slug, CPV code, competency slug


@dataclasses.dataclass
class RebuildResult:
    indexed: int
    index_name: str = ""


# Facets, their own filter (left out when counting that facet: "disjunctive" facets), in order.
FACETS = {
    "kind": "kind",
    "status": "status",
    "closing": "closing",
    "competency": "competency",
    "province": "region",
    "municipality": "region",
    "cpv": "cpv",
    "buyer": "buyer",
    "budget_band": "budget_band",
    "sme_suitable": "sme_suitable",
    "first_timer_friendly": "first_timer_friendly",
}
FACET_SIZE = 20


class SearchBackend(abc.ABC):
    name = "base"

    def search(
        self,
        query: OpportunityQuery,
        *,
        visible: QuerySet[Opportunity],
        now: dt.datetime | None = None,
        facets: bool = True,
    ) -> SearchPage:
        """One page of results for `query` among `visible`, with facet counts."""
        now = now or clock.now()
        raw, backend, degraded = self._engine_search_reporting(query, now=now, facets=facets)
        return self._page(query, raw, visible=visible, backend=backend, degraded=degraded)

    def _engine_search_reporting(self, query, *, now, facets):
        return self.engine_search(query, now=now, facets=facets), self.name, False

    def _page(self, query, raw: EngineResult, *, visible, backend, degraded) -> SearchPage:
        ids = [h.id for h in raw.hits]
        rows = {o.pk: o for o in result_rows(visible, ids)}
        clauses = text.query_clauses(query.q) if query.q else []
        results = []
        for hit in raw.hits:
            opportunity = rows.get(hit.id)
            if opportunity is None:
                continue
            opportunity.score = hit.score
            if hit.highlight is None:
                opportunity.highlight = python_highlight(opportunity, clauses)
            else:
                opportunity.highlight = {
                    "title": hit.highlight.get("title") or html.escape(opportunity.title),
                    "text": hit.highlight.get("text") or "",
                }
            results.append(opportunity)
        return SearchPage(
            query=query,
            count=raw.count,
            results=results,
            facets=label_facets(raw.facets, query) if raw.facets else {},
            backend=backend,
            degraded=degraded,
        )

    @abc.abstractmethod
    def engine_search(
        self, query: OpportunityQuery, *, now: dt.datetime, facets: bool = True
    ) -> EngineResult:
        """Ask the engine only: ids, scores, highlights and raw facet counts."""

    @abc.abstractmethod
    def index(self, ids: Sequence[int]) -> None:
        """(Re)index these opportunities; those that are not public are removed instead."""

    @abc.abstractmethod
    def remove(self, ids: Sequence[int]) -> None:
        """Remove these opportunities from the index (missing ones are ignored)."""

    @abc.abstractmethod
    def rebuild(self, *, progress: bool = False) -> RebuildResult:
        """Index every public opportunity afresh."""

    @abc.abstractmethod
    def suggest(
        self, prefix: str, *, visible: QuerySet[Opportunity], limit: int = 5
    ) -> list[Suggestion]:
        """Type-ahead: titles, buyers, CPV and competency labels starting with what was typed."""

    @abc.abstractmethod
    def percolate(self, opportunity_id: int, *, now: dt.datetime | None = None) -> list[str]:
        """The keys of the stored queries that would find this opportunity now."""

    def store_query(self, key: str) -> None:
        """Tell the engine about a stored query that changed (the database row is the truth)."""
        return None

    def unstore_query(self, key: str) -> None:
        """Tell the engine a stored query is gone."""
        return None

    def indexed_ids(self) -> set[int]:
        """The ids the index holds (the catch-up task compares them with the database)."""
        raise NotImplementedError

    @abc.abstractmethod
    def count(self) -> int:
        """How many documents the index holds."""

    @abc.abstractmethod
    def health(self) -> tuple[str, str]:
        """("ok" | "degraded" | "down", detail)."""

    def refresh(self) -> None:
        """Make what was indexed visible to searches now (tests and benchmarks)."""
        return None


def _codes_sql(count: int) -> str:
    """One statement for the codes of `count` opportunities: (letter, opportunity id, code)
    rows of the three link tables, each read by its (opportunity_id, ...) unique index."""
    from marketplace.core.models import Competency

    qn = connection.ops.quote_name
    marks = ", ".join(["%s"] * count)
    comp, cpv, region = (CODES[name][0]._meta.db_table for name in CODES)
    return (
        f"SELECT 'c', l.opportunity_id, c.slug FROM {qn(comp)} l"  # noqa: S608 (constant names)
        f" JOIN {qn(Competency._meta.db_table)} c ON c.id = l.competency_id"
        f" WHERE l.opportunity_id IN ({marks})"
        f" UNION ALL SELECT 'v', opportunity_id, cpvcode_id FROM {qn(cpv)}"
        f" WHERE opportunity_id IN ({marks})"
        f" UNION ALL SELECT 'r', opportunity_id, region_id FROM {qn(region)}"
        f" WHERE opportunity_id IN ({marks})"
    )


CODES = {
    "competencies": (Opportunity.competencies.through, "c"),
    "cpv_codes": (Opportunity.cpv_codes.through, "v"),
    "regions": (Opportunity.regions.through, "r"),
}


def result_rows(visible: QuerySet[Opportunity], ids: Sequence[int]) -> list[Opportunity]:
    """The rows among `ids` that `visible` holds, with their buyer and `.codes`, in two
    queries: the rows (buyer joined), then the codes of all of them in one constant statement
    (correlated ORM subqueries cost more to compile than to run; prefetching would build a
    model instance per code)."""
    rows = list(visible.filter(pk__in=ids).select_related("buyer"))
    if not rows:
        return rows
    found = [o.pk for o in rows]
    letters = {letter: name for name, (_through, letter) in CODES.items()}
    codes: dict[int, dict[str, list[str]]] = {o.pk: {name: [] for name in CODES} for o in rows}
    with connection.cursor() as cursor:
        cursor.execute(_codes_sql(len(found)), found * 3)
        for letter, pk, code in cursor.fetchall():
            codes[pk][letters[letter]].append(code)
    for o in rows:
        o.codes = {name: sorted(values) for name, values in codes[o.pk].items()}
    return rows


def python_highlight(opportunity: Opportunity, clauses) -> dict[str, str]:
    title = text.highlight(opportunity.title, clauses)
    fragment = ""
    if clauses:
        fragment = text.highlight(opportunity.summary, clauses, fragment=180) or text.highlight(
            opportunity.description, clauses, fragment=180
        )
    return {"title": title, "text": fragment}
