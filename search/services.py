"""Writes of the search app: indexing and stored queries (for percolation).

The database row is the truth for stored queries; the Elasticsearch copy is written after
commit and, when that fails, by the catch-up task.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from marketplace.core import clock
from marketplace.core.bulk import rows_insert
from search import get_backend
from search.models import IndexQueue, StoredQuery, StoredQueryTerm
from search.query import OpportunityQuery

logger = logging.getLogger(__name__)


def search_index(*, ids: Sequence[int]) -> None:
    """Bring the index entries of these opportunities in line with the database: public ones
    are (re)indexed, the others removed. Raises `search.backends.elasticsearch.SearchUnavailable`
    when Elasticsearch cannot be written (the database index is written all the same)."""
    get_backend().index(list(ids))


def search_remove(*, ids: Sequence[int]) -> None:
    """Remove these opportunities from the index."""
    get_backend().remove(list(ids))


def index_queue_add(*, ids: Sequence[int]) -> None:
    """Note that these opportunities must be (re)indexed; the catch-up task picks up what the
    indexing task did not finish. Idempotent."""
    now = clock.now()
    rows_insert(
        IndexQueue,
        ["opportunity_id", "queued_at"],
        [(i, now) for i in dict.fromkeys(ids)],
        conflict=["opportunity_id"],
        update=["queued_at"],
    )


def index_queue_done(*, ids: Sequence[int], started_at) -> None:
    """Forget queue rows that were queued before the indexing that just succeeded started."""
    IndexQueue.objects.filter(opportunity_id__in=list(ids), queued_at__lte=started_at).delete()


@transaction.atomic
def stored_query_register(*, key: str, query: OpportunityQuery) -> StoredQuery:
    """Store `query` under `key` (e.g. "saved-search:12") so `opportunity_percolate` reports it.
    Registering the same key again replaces the query. Elasticsearch hears of it after commit."""
    if not key or len(key) > 200:
        raise ValueError("a stored query needs a key of 1 to 200 characters")
    from search.backends.database import DatabaseBackend

    database = get_backend("database")
    assert isinstance(database, DatabaseBackend)
    terms = database.stored_terms(query)
    stored, _created = StoredQuery.objects.update_or_create(
        key=key,
        defaults={
            "query": query.to_json(),
            "required_slots": len({slot for slot, _value in terms}),
            "budget_min": query.budget_min,
            "budget_max": query.budget_max,
            "closes_after": query.closes_after,
            "closes_before": query.closes_before,
            "updated_at": timezone.now(),
            "is_synced": False,
        },
    )
    stored.terms.all().delete()
    StoredQueryTerm.objects.bulk_create(
        [StoredQueryTerm(stored_query=stored, slot=slot, value=value[:80]) for slot, value in terms]
    )
    transaction.on_commit(lambda: _sync_stored_query(key))
    return stored


@transaction.atomic
def stored_query_unregister(*, key: str) -> None:
    """Forget the stored query `key` (no error when it does not exist)."""
    StoredQuery.objects.filter(key=key).delete()
    transaction.on_commit(lambda: _unsync_stored_query(key))


def _sync_stored_query(key: str) -> None:
    try:
        get_backend().store_query(key)
    except Exception:
        logger.warning("Stored query %s not yet in the search engine; catch-up will retry", key)


def _unsync_stored_query(key: str) -> None:
    try:
        get_backend().unstore_query(key)
    except Exception:
        logger.warning("Stored query %s not removed from the search engine yet", key)


def opportunity_percolate(*, opportunity_id: int, now=None) -> list[str]:
    """The keys of the stored queries that find this opportunity now (sorted). Empty for an
    opportunity that is not public."""
    return get_backend().percolate(opportunity_id, now=now)
