"""Supplier-side tasks: finding who should hear about an opportunity, delivering the outbox,
digests and the sweep. Tasks take ids and call one service; enqueueing never fails a write
(when the broker is down, the sweep catches up later)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from celery import shared_task
from django.db import transaction

from suppliers import delivery, outbox
from suppliers.models_alerts import Alert, Digest

logger = logging.getLogger(__name__)


def _eager() -> bool:
    from marketplace.celery import app

    return bool(app.conf.task_always_eager)


def enqueue(task, *args, countdown: int | None = None) -> bool:
    """Send a task to the broker now; False (logged) when the broker cannot be reached."""
    try:
        task.apply_async(args=args, countdown=countdown, retry=False)
    except Exception as exc:
        logger.warning(
            "Could not enqueue %s (%s); the outbox sweep will pick it up", task.name, exc
        )
        return False
    return True


def alerts_enqueue(alert_ids: list[int]) -> None:
    """Deliver these instant alerts after the current transaction commits."""
    ids = list(alert_ids)
    if ids:
        transaction.on_commit(
            lambda: [enqueue(alerts_deliver_task, batch) for batch in delivery.batches(ids)]
        )


def opportunity_changed_receiver(opportunity_id: int, event: str) -> None:
    """Called by tenders.hooks after commit: find recipients for the opportunity's new events."""
    enqueue(alerts_process_opportunity_task, opportunity_id)


# Opportunities per alerts task when many changed at once, events per transaction in it.
OPPORTUNITIES_PER_TASK = 100
EVENTS_PER_TRANSACTION = 100


def opportunities_changed_receiver(changes: Mapping[int, str]) -> None:
    """The batch form of `opportunity_changed_receiver` ({opportunity_id: event}, e.g. a batch
    of imported notices): one task per `OPPORTUNITIES_PER_TASK` opportunities, not one each."""
    for batch in delivery.batches(sorted(changes), size=OPPORTUNITIES_PER_TASK):
        enqueue(alerts_process_opportunities_task, batch)


def _process(opportunity_ids: list[int]) -> int:
    written = 0
    event_ids = outbox.pending_event_ids(opportunity_ids)
    for start in range(0, len(event_ids), EVENTS_PER_TRANSACTION):
        with transaction.atomic():
            ids = outbox.alerts_write_for_events(
                event_ids=event_ids[start : start + EVENTS_PER_TRANSACTION]
            )
            alerts_enqueue(ids)
        written += len(ids)
    return written


@shared_task(name="suppliers.tasks.alerts_process_opportunity_task")
def alerts_process_opportunity_task(opportunity_id: int) -> int:
    """Write the alerts for the opportunity's unprocessed events; returns how many."""
    return _process([opportunity_id])


@shared_task(name="suppliers.tasks.alerts_process_opportunities_task")
def alerts_process_opportunities_task(opportunity_ids: list[int]) -> int:
    """Write the alerts for the unprocessed events of these opportunities; returns how many."""
    return _process(list(opportunity_ids))


@shared_task(name="suppliers.tasks.alerts_deliver_task", acks_late=True)
def alerts_deliver_task(alert_ids: list[int]) -> dict:
    result = delivery.alerts_deliver(alert_ids=alert_ids)
    if result.retry and not _eager():
        enqueue(
            alerts_deliver_task,
            result.retry,
            countdown=delivery.retry_countdown(Alert, result.retry),
        )
    return {"sent": len(result.sent), "retry": len(result.retry), "failed": len(result.failed)}


@shared_task(name="suppliers.tasks.digests_send_task")
def digests_send_task(cadence: str) -> int:
    ids = delivery.digests_prepare(cadence=cadence)
    for batch in delivery.batches(ids):
        enqueue(digests_deliver_task, batch)
    return len(ids)


@shared_task(name="suppliers.tasks.digests_deliver_task", acks_late=True)
def digests_deliver_task(digest_ids: list[int]) -> dict:
    result = delivery.digests_deliver(digest_ids=digest_ids)
    if result.retry and not _eager():
        enqueue(
            digests_deliver_task,
            result.retry,
            countdown=delivery.retry_countdown(Digest, result.retry),
        )
    return {"sent": len(result.sent), "retry": len(result.retry), "failed": len(result.failed)}


@shared_task(name="suppliers.tasks.outbox_sweep_task")
def outbox_sweep_task() -> dict:
    """Every minute (Celery beat): recover what was lost and enqueue what is due."""
    found = delivery.outbox_sweep()
    for event_id in found.events:
        with transaction.atomic():
            alerts_enqueue(outbox.alerts_write_for_event(event_id=event_id))
    for batch in delivery.batches(found.alerts):
        enqueue(alerts_deliver_task, batch)
    for batch in delivery.batches(found.digests):
        enqueue(digests_deliver_task, batch)
    return {
        "reclaimed": found.reclaimed,
        "events": len(found.events),
        "alerts": len(found.alerts),
        "digests": len(found.digests),
    }


@shared_task(name="suppliers.tasks.reminders_send_task")
def reminders_send_task() -> int:
    """Hourly (Celery beat): deadline reminders for followers who have not applied."""
    with transaction.atomic():
        ids = outbox.reminders_write()
        alerts_enqueue(ids)
    return len(ids)
