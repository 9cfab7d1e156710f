"""Background work for opportunities."""

from __future__ import annotations

from celery import shared_task

from tenders.services.opportunities import opportunity_close_sweep


@shared_task(acks_late=True)
def opportunity_close_sweep_task() -> int:
    """Record `closed` for every opportunity whose deadline has passed (scheduled by beat).
    Idempotent: an opportunity is closed once, however often this runs."""
    return opportunity_close_sweep()
