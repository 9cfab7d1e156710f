"""Search tasks. Indexing runs after commit, takes ids and re-reads the rows; a failure is
retried and never fails the write that caused it."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace.core import clock
from search import services

logger = logging.getLogger(__name__)


def opportunity_changed_receiver(opportunity_id: int, event: str) -> None:
    """Enqueue (re-)indexing of one opportunity after it changed. Called after commit.

    A queue row is written first, so if the broker is down (or the task is lost) the catch-up
    task still finds the opportunity."""
    services.index_queue_add(ids=[opportunity_id])
    search_index_task.delay(opportunity_id)


@shared_task(bind=True, acks_late=True, max_retries=5, ignore_result=True)
def search_index_task(self, opportunity_id: int) -> None:
    """Index one opportunity (or remove it when it is no longer public). Idempotent."""
    from search.backends.elasticsearch import SearchUnavailable

    started = clock.now()
    try:
        services.search_index(ids=[opportunity_id])
    except SearchUnavailable as exc:
        # The database index is written already; Elasticsearch gets it on a retry or from the
        # catch-up task, which reads the queue row that stays behind.
        if exc.just_failed and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from None
        return
    services.index_queue_done(ids=[opportunity_id], started_at=started)


@shared_task(ignore_result=True)
def search_catch_up_task() -> dict:
    """Bring the index back in line: index what the queue holds, then compare the index with
    the database and fix the difference. Safe to run twice."""
    from search.catch_up import search_catch_up

    return search_catch_up()
