"""Search tasks. Indexing runs after commit, takes ids and re-reads the rows; a failure is
retried and never fails the write that caused it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from celery import shared_task

from marketplace.core import clock
from search import services

logger = logging.getLogger(__name__)

# Opportunities per indexing task when a whole batch changed at once (imports).
INDEX_BATCH_SIZE = 500


def opportunity_changed_receiver(opportunity_id: int, event: str) -> None:
    """Enqueue (re-)indexing of one opportunity after it changed. Called after commit.

    A queue row is written first, so if the broker is down (or the task is lost) the catch-up
    task still finds the opportunity."""
    services.index_queue_add(ids=[opportunity_id])
    search_index_task.delay(opportunity_id)


def opportunities_changed_receiver(changes: Mapping[int, str]) -> None:
    """The batch form of `opportunity_changed_receiver` ({opportunity_id: event}): one queue
    write for all of them and one indexing task per `INDEX_BATCH_SIZE` opportunities."""
    ids = sorted(changes)
    services.index_queue_add(ids=ids)
    for start in range(0, len(ids), INDEX_BATCH_SIZE):
        search_index_many_task.delay(ids[start : start + INDEX_BATCH_SIZE])


@shared_task(bind=True, acks_late=True, max_retries=5, ignore_result=True)
def search_index_task(self, opportunity_id: int) -> None:
    """Index one opportunity (or remove it when it is no longer public). Idempotent."""
    _index(self, [opportunity_id])


@shared_task(bind=True, acks_late=True, max_retries=5, ignore_result=True)
def search_index_many_task(self, opportunity_ids: list[int]) -> None:
    """Index these opportunities in one go (removing those no longer public). Idempotent."""
    _index(self, list(opportunity_ids))


def _index(task, ids: list[int]) -> None:
    started = clock.now()
    try:
        services.search_index(ids=ids)
    except Exception as exc:
        # Imported here, on failure only: the Elasticsearch client is slow to import and not
        # needed with the database backend.
        from search.backends.elasticsearch import SearchUnavailable

        if not isinstance(exc, SearchUnavailable):
            raise
        # The database index is written already; Elasticsearch gets it on a retry or from the
        # catch-up task, which reads the queue rows that stay behind.
        if exc.just_failed and task.request.retries < task.max_retries:
            raise task.retry(exc=exc, countdown=min(300, 10 * 2**task.request.retries)) from None
        return
    services.index_queue_done(ids=ids, started_at=started)


@shared_task(ignore_result=True)
def search_catch_up_task() -> dict:
    """Bring the index back in line: index what the queue holds, then compare the index with
    the database and fix the difference. Safe to run twice."""
    from search.catch_up import search_catch_up

    return search_catch_up()
