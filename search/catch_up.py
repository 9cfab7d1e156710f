"""Bringing the index back in line after Elasticsearch was down or tasks were lost."""

from __future__ import annotations

import logging

from search import documents, get_backend
from search.backends.base import SearchBackend
from search.models import IndexQueue

logger = logging.getLogger(__name__)


def search_reconcile(backend: SearchBackend) -> dict[str, int]:
    """Index public opportunities the index lacks and remove entries that are no longer public.
    Compares ids only (cheap); content changes reach the index through the queue."""
    public = set(documents.public_ids())
    indexed = backend.indexed_ids()
    missing = sorted(public - indexed)
    extra = sorted(indexed - public)
    for start in range(0, len(missing), 500):
        backend.index(missing[start : start + 500])
    if extra:
        backend.remove(extra)
    return {"missing": len(missing), "extra": len(extra)}


def search_catch_up() -> dict:
    """Process the index queue, sync stored queries, then reconcile ids. Safe to run twice;
    stops early (and says so) when Elasticsearch is still unreachable."""
    from marketplace.core import clock
    from search.backends.elasticsearch import ElasticsearchBackend, SearchUnavailable
    from search.services import index_queue_done

    backend = get_backend()
    result: dict = {"queued": 0}
    started = clock.now()
    queued = list(IndexQueue.objects.order_by("queued_at").values_list("opportunity_id", flat=True))
    try:
        for start in range(0, len(queued), 500):
            chunk = queued[start : start + 500]
            backend.index(chunk)
            index_queue_done(ids=chunk, started_at=started)
            result["queued"] += len(chunk)
        if isinstance(backend, ElasticsearchBackend):
            result["stored_queries"] = backend.sync_stored_queries()
            result["database"] = search_reconcile(backend.database)
        result["index"] = search_reconcile(backend)
    except SearchUnavailable:
        logger.info("Search catch-up: Elasticsearch still unreachable; will try again")
        result["status"] = "unavailable"
        return result
    result["status"] = "ok"
    return result
