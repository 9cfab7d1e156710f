"""The Elasticsearch backend (elasticsearch.dsl), with the database backend beside it.

* Only public opportunities are indexed, and every search carries `is_public: true` as a
  filter: visibility is decided in Django. Hits are reloaded through the caller's queryset.
* Index names are versioned behind aliases (`<prefix>-opportunities`, `<prefix>-queries`,
  `<prefix>-labels`); `rebuild` fills a new index in bulk and swaps the alias atomically.
* Status changes with the clock, so it is never stored: status, the closing window and the
  relevance boost (function_score: open, and a gauss decay towards the deadline) are computed
  from timestamps with the current time at query time.
* Highlights are not asked of Elasticsearch: the 20 hits of a page are highlighted in Python
  (`base.python_highlight`, the database backend's code, with its stems), which costs about
  2 ms; the highlighter over title, summary and description in each of the three analyses
  took most of the search (`took` p50 17 ms with it, 4 ms without, at 100,000 documents).
  A word Elasticsearch matched through an analysis the Python stems do not share is found
  but not marked.
* Degraded mode: when Elasticsearch cannot be reached, searches, suggestions and percolation
  answer from the database backend (whose index every write keeps up to date), the failure is
  logged at most once a minute, and Elasticsearch is not asked again for `RETRY_AFTER` seconds.

Percolation. The `percolator` field type lives in Elasticsearch's percolator module, which
Elastic does not publish to Maven Central for 8.x (scripts/elasticsearch/NOTES.md lists the 404s
and the exact mapper error), so our node cannot have it. Instead stored queries are indexed
*inverted* in `<prefix>-queries`: their words analysed exactly like documents (the `_analyze`
API with the same analyzers), one `terms_*` array and its size per analysis, and every filter
as a keyword array holding "_any" when the query does not filter on it; budget and date bounds
as numbers and dates. `percolate` analyses the opportunity, then asks for the stored queries
whose every word is in it (`terms_set` with `minimum_should_match_field`) and whose every
filter accepts one of its values (`terms` with the value and "_any") or bound holds (`range`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils import timezone
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import Index, Q, Search
from tqdm import tqdm

from marketplace.core import clock
from search import documents, text
from search.backends import es_mapping as m
from search.backends.base import (
    FACET_SIZE,
    FACETS,
    EngineResult,
    Hit,
    RebuildResult,
    SearchBackend,
    Suggestion,
)
from search.backends.database import DatabaseBackend
from search.models import StoredQuery
from search.query import CLOSING_WINDOWS, STATUSES, OpportunityQuery, cpv_prefix
from tenders.models import Opportunity

logger = logging.getLogger(__name__)
RETRY_AFTER = 30.0  # seconds without asking Elasticsearch after it failed
LOG_EVERY = 60.0
BULK_CHUNK = 500
MAX_WINDOW = 10_000
ANY = "_any"


class SearchUnavailable(Exception):
    """Elasticsearch could not be written. `just_failed` is False when it was not even asked
    (it failed moments ago)."""

    def __init__(self, message: str, *, just_failed: bool = True):
        super().__init__(message)
        self.just_failed = just_failed


def _unavailable_error(exc: Exception) -> bool:
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, ApiError) and (exc.meta.status >= 500 or exc.meta.status == 429)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, url: str, prefix: str, timeout: float = 5.0):
        self.url = url
        self.prefix = prefix
        self.client = Elasticsearch(
            url, request_timeout=timeout, max_retries=0, retry_on_timeout=False
        )
        self.database = DatabaseBackend()
        self._down_until = 0.0
        self._last_logged = -LOG_EVERY
        self._ensured: set[str] = set()
        self._lock = threading.Lock()
        self._analyze_cache: dict[tuple[str, str], list[str]] = {}

    # --- names and indices ---

    def alias(self, what: str) -> str:
        return f"{self.prefix}-{what}"

    def _new_name(self, what: str) -> str:
        return f"{self.alias(what)}-{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"

    def _index_object(self, what: str, name: str) -> Index:
        index = Index(name, using=self.client)
        index.settings(
            number_of_shards=1, number_of_replicas=0, **{"analyze.max_token_count": 100_000}
        )
        if what == "opportunities":
            index.document(m.OpportunityDoc)
        elif what == "queries":
            index.document(m.StoredQueryDoc)
            for a in (m.NL, m.NLS, m.EN):
                index.analyzer(a)
        else:
            index.document(m.LabelDoc)
        return index

    def _create(self, what: str, *, alias: bool) -> str:
        name = self._new_name(what)
        index = self._index_object(what, name)
        if alias:
            index.aliases(**{self.alias(what): {}})
        index.create()
        return name

    def _ensure(self, what: str) -> None:
        """Create the index behind the alias on first use."""
        if what in self._ensured:
            return
        with self._lock:
            if what in self._ensured:
                return
            if not self.client.indices.exists_alias(name=self.alias(what)):
                self._create(what, alias=True)
                if what == "labels":
                    self._fill_labels(self.alias(what))
                elif what == "queries":
                    self._fill_queries(self.alias(what))
                self.client.indices.refresh(index=self.alias(what))
            self._ensured.add(what)

    def _indices_of(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias).body)
        except NotFoundError:
            return []

    # --- availability ---

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + RETRY_AFTER
        if now - self._last_logged >= LOG_EVERY:
            self._last_logged = now
            logger.warning(
                "Elasticsearch at %s is unreachable (%s: %s); search answers from the database"
                " until it is back",
                self.url,
                type(exc).__name__,
                str(exc)[:200],
            )

    def _call(self, fallback, primary):
        """primary() unless Elasticsearch is down; then (or when it fails now) fallback()."""
        if self._available():
            try:
                return primary(), False
            except Exception as exc:
                if not _unavailable_error(exc):
                    raise
                self._failed(exc)
        return fallback(), True

    def health(self) -> tuple[str, str]:
        try:
            info = self.client.options(request_timeout=2).info()
        except Exception as exc:
            self._failed(exc)
            return (
                "degraded",
                f"Elasticsearch unreachable ({type(exc).__name__}); answering from the database",
            )
        self._down_until = 0.0
        return "ok", f"Elasticsearch {info['version']['number']} ({self.alias('opportunities')})"

    # --- writing ---

    def _doc(self, d: documents.IndexedOpportunity) -> dict:
        return {
            "_index": None,
            "_id": str(d.id),
            "_source": {
                "id": d.id,
                "kind": d.kind,
                "title": d.title,
                "summary": d.summary,
                "description": d.description,
                "labels": d.labels,
                "buyer": str(d.buyer_id),
                "buyer_slug": d.buyer_slug,
                "buyer_name": d.buyer_name,
                "competency": d.competencies,
                "cpv": d.cpv,
                "cpv_division": d.cpv_divisions,
                "region": d.regions,
                "province": d.provinces,
                "municipality": d.municipalities,
                "budget_min": float(d.budget_min) if d.budget_min is not None else None,
                "budget_max": float(d.budget_max) if d.budget_max is not None else None,
                "budget_band": d.budget_band,
                "closes_at": _iso(d.closes_at),
                "published_at": _iso(d.published_at),
                "is_cancelled": d.is_cancelled,
                "is_awarded": d.is_awarded,
                "is_sme_suitable": d.is_sme_suitable,
                "is_first_timer_friendly": d.is_first_timer_friendly,
                "is_public": True,
            },
        }

    def _bulk(self, actions: list[dict]) -> None:
        if not actions:
            return
        _ok, errors = helpers.bulk(
            self.client, actions, chunk_size=BULK_CHUNK, raise_on_error=False, stats_only=False
        )
        real = [e for e in errors if e.get("delete", {}).get("status") != 404]
        if real:
            raise RuntimeError(f"Elasticsearch bulk errors: {real[:3]}")

    def _targets(self) -> list[str]:
        """Where writes go: the live index, and one being rebuilt (so it misses nothing)."""
        targets = [self.alias("opportunities")]
        targets += self._indices_of(self.alias("opportunities-building"))
        return targets

    def index(self, ids: Sequence[int]) -> None:
        ids = list(dict.fromkeys(int(i) for i in ids))
        built = documents.build(ids)
        self.database.write_built(built, ids)
        if not self._available():
            raise SearchUnavailable("Elasticsearch is down", just_failed=False)
        try:
            self._ensure("opportunities")
            actions = []
            for target in self._targets():
                for d in built.values():
                    action = self._doc(d)
                    action["_index"] = target
                    actions.append(action)
                actions += [
                    {"_op_type": "delete", "_index": target, "_id": str(i)}
                    for i in ids
                    if i not in built
                ]
            self._bulk(actions)
        except Exception as exc:
            if not _unavailable_error(exc):
                raise
            self._failed(exc)
            raise SearchUnavailable(str(exc)) from exc

    def remove(self, ids: Sequence[int]) -> None:
        ids = [int(i) for i in ids]
        self.database.remove(ids)
        if not self._available():
            raise SearchUnavailable("Elasticsearch is down", just_failed=False)
        try:
            self._ensure("opportunities")
            self._bulk(
                [
                    {"_op_type": "delete", "_index": target, "_id": str(i)}
                    for target in self._targets()
                    for i in ids
                ]
            )
        except Exception as exc:
            if not _unavailable_error(exc):
                raise
            self._failed(exc)
            raise SearchUnavailable(str(exc)) from exc

    def refresh(self) -> None:
        for what in ("opportunities", "queries", "labels"):
            if what in self._ensured:
                self.client.indices.refresh(index=self.alias(what))

    def count(self) -> int:
        self._ensure("opportunities")
        return int(self.client.count(index=self.alias("opportunities"))["count"])

    def aliases_status(self) -> list[str]:
        return [
            f"{self.alias(what)} -> {', '.join(self._indices_of(self.alias(what))) or 'none'}"
            for what in ("opportunities", "queries", "labels")
        ]

    def indexed_ids(self) -> set[int]:
        self._ensure("opportunities")
        return {
            int(hit["_id"])
            for hit in helpers.scan(
                self.client,
                index=self.alias("opportunities"),
                query={"query": {"match_all": {}}, "_source": False},
                size=5000,
            )
        }

    def rebuild(self, *, progress: bool = False) -> RebuildResult:
        """Fill new indices and swap the aliases: searches keep answering from the old ones
        until the swap, which is atomic."""
        alias = self.alias("opportunities")
        building = self.alias("opportunities-building")
        name = self._new_name("opportunities")
        index = self._index_object("opportunities", name)
        index.settings(refresh_interval="-1")
        index.aliases(**{building: {}})
        index.create()
        try:
            ids = documents.public_ids()
            with tqdm(
                total=len(ids), desc="Elasticsearch index", unit="docs", disable=not progress
            ) as bar:
                for start in range(0, len(ids), BULK_CHUNK):
                    chunk = ids[start : start + BULK_CHUNK]
                    actions = []
                    for d in documents.build(chunk).values():
                        action = self._doc(d)
                        action["_index"] = name
                        actions.append(action)
                    self._bulk(actions)
                    bar.update(len(chunk))
            self.client.indices.put_settings(index=name, settings={"refresh_interval": "1s"})
            self.client.indices.refresh(index=name)
            self._swap(alias, name, also_remove=building)
        except BaseException:
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        for what in ("queries", "labels"):
            new = self._create(what, alias=False)
            if what == "queries":
                self._fill_queries(new)
            else:
                self._fill_labels(new)
            self.client.indices.refresh(index=new)
            self._swap(self.alias(what), new)
        self._ensured.update({"opportunities", "queries", "labels"})
        return RebuildResult(indexed=int(self.client.count(index=name)["count"]), index_name=name)

    def _swap(self, alias: str, new: str, also_remove: str | None = None) -> None:
        old = self._indices_of(alias)
        actions = [{"remove": {"index": o, "alias": alias}} for o in old]
        if also_remove:
            actions.append({"remove": {"index": new, "alias": also_remove}})
        actions.append({"add": {"index": new, "alias": alias}})
        self.client.indices.update_aliases(actions=actions)
        for o in old:
            if o != new:
                self.client.indices.delete(index=o, ignore_unavailable=True)

    # --- searching ---

    def _engine_search_reporting(self, query, *, now, facets):
        result, degraded = self._call(
            lambda: self.database.engine_search(query, now=now, facets=facets),
            lambda: self.engine_search(query, now=now, facets=facets),
        )
        return result, (self.database.name if degraded else self.name), degraded

    @staticmethod
    def _live() -> Q:
        return ~Q("term", is_cancelled=True) & ~Q("term", is_awarded=True)

    def _status(self, status: str, now: dt.datetime) -> Q:
        live = self._live()
        if status == "published":
            return live & (~Q("exists", field="closes_at") | Q("range", closes_at={"gt": now}))
        if status == "closed":
            return live & Q("range", closes_at={"lte": now})
        if status == "awarded":
            return ~Q("term", is_cancelled=True) & Q("term", is_awarded=True)
        return Q("term", is_cancelled=True)

    def _closing(self, window: str, now: dt.datetime) -> Q:
        week, month = now + dt.timedelta(days=7), now + dt.timedelta(days=30)
        ranges = {
            "this_week": Q("range", closes_at={"gt": now, "lte": week}),
            "this_month": Q("range", closes_at={"gt": week, "lte": month}),
            "later": Q("range", closes_at={"gt": month}) | ~Q("exists", field="closes_at"),
        }
        return self._live() & ranges[window]

    def _facet_filters(self, query: OpportunityQuery, now) -> dict[str, Q]:
        out: dict[str, Q] = {}
        if query.kind:
            out["kind"] = Q("terms", kind=list(query.kind))
        if query.status:
            out["status"] = Q("bool", should=[self._status(s, now) for s in query.status])
        if query.closing:
            out["closing"] = Q("bool", should=[self._closing(w, now) for w in query.closing])
        if query.budget_band:
            out["budget_band"] = Q("terms", budget_band=list(query.budget_band))
        if query.sme_suitable is not None:
            out["sme_suitable"] = Q("term", is_sme_suitable=query.sme_suitable)
        if query.first_timer_friendly is not None:
            out["first_timer_friendly"] = Q(
                "term", is_first_timer_friendly=query.first_timer_friendly
            )
        if query.buyer:
            out["buyer"] = Q("terms", buyer=list(query.buyer)) | Q(
                "terms", buyer_slug=list(query.buyer)
            )
        if query.competency:
            out["competency"] = Q("terms", competency=list(query.competency))
        if query.cpv:
            out["cpv"] = Q("terms", cpv=sorted({cpv_prefix(c) for c in query.cpv}))
        if query.region:
            out["region"] = Q("terms", region=list(query.region))
        return out

    @staticmethod
    def _fixed(query: OpportunityQuery) -> list[Q]:
        out = [Q("term", is_public=True)]
        if query.closes_after:
            out.append(Q("range", closes_at={"gte": query.closes_after}))
        if query.closes_before:
            out.append(Q("range", closes_at={"lte": query.closes_before}))
        if query.budget_min is not None:
            v = float(query.budget_min)
            out.append(
                Q("range", budget_max={"gte": v})
                | (~Q("exists", field="budget_max") & Q("range", budget_min={"gte": v}))
            )
        if query.budget_max is not None:
            v = float(query.budget_max)
            out.append(
                Q("range", budget_min={"lte": v})
                | (~Q("exists", field="budget_min") & Q("range", budget_max={"lte": v}))
            )
        return out

    @staticmethod
    def _text(q: str) -> Q:
        groups = []
        for suffix, _analyzer in m.TEXT_GROUPS:
            fields = [f"{name}{suffix}^{weight:g}" for name, weight in m.TEXT_FIELDS.items()]
            groups.append(
                Q(
                    "multi_match",
                    query=q,
                    type="cross_fields",
                    operator="and",
                    fields=fields,
                    zero_terms_query="all",
                )
            )
        return Q("bool", should=groups, minimum_should_match=1)

    def _scored(self, query: OpportunityQuery, now, also: Sequence[Q] = ()) -> Q:
        base = Q(
            "bool",
            must=[self._text(query.q) if query.q.strip() else Q("match_all")],
            filter=[*self._fixed(query), *also],
        )
        open_ = self._status("published", now)
        soon = self._live() & Q("range", closes_at={"gt": now})
        return Q(
            "function_score",
            query=base,
            functions=[
                {"filter": Q("match_all").to_dict(), "weight": 1.0},
                {"filter": open_.to_dict(), "weight": 0.5},
                {
                    "filter": soon.to_dict(),
                    "gauss": {
                        "closes_at": {
                            "origin": now.isoformat(),
                            "offset": "1d",
                            "scale": "14d",
                            "decay": 0.5,
                        }
                    },
                    "weight": 0.5,
                },
            ],
            score_mode="sum",
            boost_mode="multiply",
        )

    def engine_search(self, query, *, now, facets=True) -> EngineResult:
        self._ensure("opportunities")
        filters = self._facet_filters(query, now)
        if facets:
            # The facets count the matches without each facet's own filter, so the filters
            # apply after the aggregations (post_filter) ...
            s = Search(using=self.client, index=self.alias("opportunities")).query(
                self._scored(query, now)
            )
            if filters:
                s = s.post_filter(Q("bool", filter=list(filters.values())))
        else:
            # ... without facets they belong in the query's filter context, where Elasticsearch
            # skips the documents they exclude (and caches them), instead of scoring and sorting
            # every match and dropping most afterwards.
            s = Search(using=self.client, index=self.alias("opportunities")).query(
                self._scored(query, now, also=list(filters.values()))
            )
        start = (query.page - 1) * query.page_size
        size = query.page_size if start + query.page_size <= MAX_WINDOW else 0
        s = s.extra(from_=min(start, MAX_WINDOW), size=size, track_total_hits=True).source(False)
        if query.sort == "closing":
            s = s.sort({"closes_at": {"order": "asc", "missing": "_last"}}, {"id": "asc"})
        elif query.sort == "newest":
            s = s.sort({"published_at": "desc"}, {"id": "desc"})
        else:
            s = s.sort("_score", {"published_at": "desc"}, {"id": "desc"})
        if facets:
            self._aggs(s, filters, now)
        response = s.execute()
        hits = []
        for hit in response.hits:
            # Highlights are left to `python_highlight` (highlight=None), as on the database
            # backend: for 20 hits Elasticsearch's highlighter (title, summary and description
            # in each of the three analyses) took most of the search's time.
            score = hit.meta.score if hit.meta.score is not None else 0.0
            hits.append(Hit(id=int(hit.meta.id), score=float(score)))
        raw = self._read_aggs(response) if facets else {}
        return EngineResult(count=int(response.hits.total.value), hits=hits, facets=raw)

    def _aggs(self, s: Search, filters: dict[str, Q], now) -> None:
        groups: dict[str, list[str]] = {}
        for facet, own in FACETS.items():
            groups.setdefault(own if own in filters else "", []).append(facet)
        for own, names in groups.items():
            others = [q for name, q in filters.items() if name != own]
            bucket = s.aggs.bucket(
                f"g_{own or 'all'}",
                "filter",
                filter=Q("bool", filter=others) if others else Q("match_all"),
            )
            for name in names:
                if name == "kind":
                    bucket.bucket("kind", "terms", field="kind", size=10)
                elif name == "status":
                    bucket.bucket(
                        "status", "filters", filters={s_: self._status(s_, now) for s_ in STATUSES}
                    )
                elif name == "closing":
                    bucket.bucket(
                        "closing",
                        "filters",
                        filters={w: self._closing(w, now) for w in CLOSING_WINDOWS},
                    )
                elif name == "budget_band":
                    bucket.bucket("budget_band", "terms", field="budget_band", size=10)
                elif name == "sme_suitable":
                    bucket.bucket("sme_suitable", "filter", filter=Q("term", is_sme_suitable=True))
                elif name == "first_timer_friendly":
                    bucket.bucket(
                        "first_timer_friendly",
                        "filter",
                        filter=Q("term", is_first_timer_friendly=True),
                    )
                elif name == "buyer":
                    bucket.bucket("buyer", "terms", field="buyer", size=FACET_SIZE)
                elif name == "competency":
                    bucket.bucket("competency", "terms", field="competency", size=50)
                elif name == "province":
                    bucket.bucket("province", "terms", field="province", size=FACET_SIZE)
                elif name == "municipality":
                    bucket.bucket("municipality", "terms", field="municipality", size=FACET_SIZE)
                elif name == "cpv":
                    bucket.bucket("cpv", "terms", field="cpv_division", size=FACET_SIZE)

    @staticmethod
    def _read_aggs(response) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        aggs = response.aggregations.to_dict()
        for group in aggs.values():
            for name, agg in group.items():
                if not isinstance(agg, dict):
                    continue
                if name in ("sme_suitable", "first_timer_friendly"):
                    out[name] = {"true": agg["doc_count"]}
                elif isinstance(agg.get("buckets"), dict):
                    out[name] = {k: v["doc_count"] for k, v in agg["buckets"].items()}
                elif isinstance(agg.get("buckets"), list):
                    out[name] = {str(b["key"]): b["doc_count"] for b in agg["buckets"]}
        return out

    # --- type-ahead ---

    def suggest(self, prefix, *, visible: QuerySet[Opportunity], limit=5) -> list[Suggestion]:
        typed = text.words(prefix)
        if not typed or len("".join(typed)) < 2:
            return []
        result, _degraded = self._call(
            lambda: self.database.suggest(prefix, visible=visible, limit=limit),
            lambda: self._suggest(" ".join(typed), visible=visible, limit=limit),
        )
        return result

    def _suggest(self, typed: str, *, visible, limit) -> list[Suggestion]:
        from django.utils.translation import get_language

        from marketplace.core.models import Organisation

        self._ensure("opportunities")
        self._ensure("labels")
        now = clock.now()
        opportunities = self.alias("opportunities")
        titles = (
            Search(index=opportunities)
            .query(
                Q(
                    "function_score",
                    query=Q(
                        "bool",
                        must=[Q("match", title__prefix={"query": typed, "operator": "and"})],
                        filter=[Q("term", is_public=True)],
                    ),
                    functions=[{"filter": self._status("published", now).to_dict(), "weight": 2}],
                    boost_mode="multiply",
                )
            )
            .sort("_score", {"published_at": "desc"})
            .source(False)
            .extra(size=limit * 2)
        )
        buyers = (
            Search(index=opportunities)
            .query(
                Q(
                    "bool",
                    must=[Q("match", buyer_name={"query": typed, "operator": "and"})],
                    filter=[Q("term", is_public=True)],
                )
            )
            .extra(size=0)
        )
        buyers.aggs.bucket("buyers", "terms", field="buyer", size=limit)
        label_searches = [
            Search(index=self.alias("labels"))
            .query(
                Q(
                    "bool",
                    must=[Q("match", text={"query": typed, "operator": "and"})],
                    filter=[Q("term", type=kind)],
                )
            )
            .sort("rank")
            .extra(size=limit)
            for kind in ("competency", "cpv")
        ]
        from elasticsearch.dsl import MultiSearch

        ms = MultiSearch(using=self.client)
        for s in [titles, buyers, *label_searches]:
            ms = ms.add(s)
        responses = ms.execute()
        out: list[Suggestion] = []
        ids = [int(h.meta.id) for h in responses[0].hits]
        shown = dict(visible.filter(pk__in=ids).values_list("pk", "title"))
        out += [Suggestion("opportunity", shown[i], str(i)) for i in ids if i in shown][:limit]
        buyer_ids = [int(b.key) for b in responses[1].aggregations.buyers.buckets]
        names = {
            pk: (slug, name)
            for pk, slug, name in Organisation.objects.filter(pk__in=buyer_ids).values_list(
                "pk", "slug", "name"
            )
        }
        out += [Suggestion("buyer", names[b][1], names[b][0]) for b in buyer_ids if b in names]
        lang = "en" if (get_language() or "nl").startswith("en") else "nl"
        for response in responses[2:]:
            for hit in response.hits:
                out.append(
                    Suggestion(hit.type, hit.label_en if lang == "en" else hit.label_nl, hit.value)
                )
        return out

    def _fill_labels(self, index: str) -> None:
        from search.labels import all_labels

        actions = [
            {
                "_index": index,
                "_id": f"{label.type}:{label.value}",
                "_source": {
                    "type": label.type,
                    "value": label.value,
                    "label_nl": label.label_nl,
                    "label_en": label.label_en,
                    "text": f"{label.label_nl}\n{label.label_en}",
                    "rank": label.rank,
                },
            }
            for label in all_labels()
        ]
        self._bulk(actions)

    # --- percolation ---

    def _analyze(self, analyzer: str, value: str) -> list[str]:
        if not value.strip():
            return []
        key = (analyzer, value)
        if key in self._analyze_cache:
            return self._analyze_cache[key]
        response = self.client.indices.analyze(
            index=self.alias("queries"), analyzer=analyzer, text=value
        )
        tokens = list(dict.fromkeys(t["token"] for t in response["tokens"]))
        if len(value) < 500:
            if len(self._analyze_cache) > 20_000:
                self._analyze_cache.clear()
            self._analyze_cache[key] = tokens
        return tokens

    def _query_doc(self, stored: StoredQuery) -> dict:
        query = OpportunityQuery.from_json(stored.query)
        source: dict = {"key": stored.key, "has_text": False}
        for suffix, analyzer in m.TEXT_GROUPS:
            name = suffix.lstrip(".") or "nl"
            terms = self._analyze(analyzer, query.q) if query.q.strip() else []
            source[f"terms_{name}"] = terms
            source[f"required_{name}"] = len(terms)
            source["has_text"] = source["has_text"] or bool(terms)
        for field, values in (
            ("kind", query.kind),
            ("status", query.status),
            ("closing", query.closing),
            ("band", query.budget_band),
            ("competency", query.competency),
            ("cpv", sorted({cpv_prefix(c) for c in query.cpv})),
            ("region", query.region),
            ("buyer", query.buyer),
        ):
            source[field] = list(values) or [ANY]
        for field, value in (
            ("sme", query.sme_suitable),
            ("first_timer", query.first_timer_friendly),
        ):
            source[field] = [ANY] if value is None else ["true" if value else "false"]
        source["budget_min"] = float(query.budget_min) if query.budget_min is not None else None
        source["budget_max"] = float(query.budget_max) if query.budget_max is not None else None
        source["closes_after"] = _iso(query.closes_after)
        source["closes_before"] = _iso(query.closes_before)
        return source

    def _fill_queries(self, index: str, keys: Sequence[str] | None = None) -> None:
        rows = StoredQuery.objects.order_by("pk")
        if keys is not None:
            rows = rows.filter(key__in=list(keys))
        batch: list[dict] = []
        done: list[int] = []
        for stored in rows.iterator(chunk_size=1000):
            batch.append({"_index": index, "_id": stored.key, "_source": self._query_doc(stored)})
            done.append(stored.pk)
            if len(batch) >= BULK_CHUNK:
                self._bulk(batch)
                StoredQuery.objects.filter(pk__in=done).update(is_synced=True)
                batch, done = [], []
        self._bulk(batch)
        StoredQuery.objects.filter(pk__in=done).update(is_synced=True)

    def store_query(self, key: str) -> None:
        if not self._available():
            raise SearchUnavailable("Elasticsearch is down", just_failed=False)
        try:
            self._ensure("queries")
            self._fill_queries(self.alias("queries"), [key])
        except Exception as exc:
            if _unavailable_error(exc):
                self._failed(exc)
            raise

    def unstore_query(self, key: str) -> None:
        self._ensure("queries")
        with contextlib.suppress(NotFoundError):
            self.client.delete(index=self.alias("queries"), id=key)

    def sync_stored_queries(self) -> int:
        keys = list(StoredQuery.objects.filter(is_synced=False).values_list("key", flat=True))
        if keys:
            self._ensure("queries")
            self._fill_queries(self.alias("queries"), keys)
        return len(keys)

    def percolate(self, opportunity_id, *, now=None) -> list[str]:
        now = now or clock.now()
        result, _degraded = self._call(
            lambda: self.database.percolate(opportunity_id, now=now),
            lambda: self._percolate(opportunity_id, now),
        )
        return result

    def _percolate(self, opportunity_id: int, now: dt.datetime) -> list[str]:
        doc = documents.build([opportunity_id]).get(int(opportunity_id))
        if doc is None:
            return []
        self._ensure("queries")
        words = []
        for suffix, analyzer in m.TEXT_GROUPS:
            name = suffix.lstrip(".") or "nl"
            terms = self._analyze(analyzer, doc.text)
            words.append(
                Q(
                    "terms_set",
                    **{
                        f"terms_{name}": {
                            "terms": terms,
                            "minimum_should_match_field": f"required_{name}",
                        }
                    },
                )
            )
        closing = doc.closing(now)
        filters = [
            Q("bool", should=[Q("term", has_text=False), *words], minimum_should_match=1),
            Q("terms", kind=[doc.kind, ANY]),
            Q("terms", status=[doc.status(now), ANY]),
            Q("terms", closing=[closing, ANY] if closing else [ANY]),
            Q("terms", band=[doc.budget_band, ANY] if doc.budget_band else [ANY]),
            Q("terms", competency=[*doc.competencies, ANY]),
            Q("terms", cpv=[*doc.cpv, ANY]),
            Q("terms", region=[*doc.regions, ANY]),
            Q("terms", buyer=[str(doc.buyer_id), doc.buyer_slug, ANY]),
            Q("terms", sme=["true" if doc.is_sme_suitable else "false", ANY]),
            Q("terms", first_timer=["true" if doc.is_first_timer_friendly else "false", ANY]),
        ]

        def bound(field: str, op: str, value) -> Q:
            missing = ~Q("exists", field=field)
            if value is None:
                return missing
            return missing | Q("range", **{field: {op: value}})

        upper, lower = doc.budget_upper, doc.budget_lower
        filters += [
            bound("budget_min", "lte", float(upper) if upper is not None else None),
            bound("budget_max", "gte", float(lower) if lower is not None else None),
            bound("closes_after", "lte", _iso(doc.closes_at)),
            bound("closes_before", "gte", _iso(doc.closes_at)),
        ]
        keys: list[str] = []
        after = None
        while True:
            body = {
                "query": Q("bool", filter=filters).to_dict(),
                "size": MAX_WINDOW,
                "_source": False,
                "sort": [{"key": "asc"}],
                "track_total_hits": False,
            }
            if after:
                body["search_after"] = after
            response = self.client.search(index=self.alias("queries"), **body)
            hits = response["hits"]["hits"]
            keys += [h["_id"] for h in hits]
            if len(hits) < MAX_WINDOW:
                break
            after = hits[-1]["sort"]
        return sorted(keys)
