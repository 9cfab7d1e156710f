"""After an opportunity changes, other apps react: search re-indexes it, alerts tell followers
and matching companies. Receivers are named here, imported lazily, and run after commit, so
`tenders` does not depend on how search or alerts work, and a failing receiver never fails the
write that triggered it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Each receiver takes (opportunity_id: int, event: str) and should only enqueue work.
OPPORTUNITY_RECEIVERS = [
    "search.tasks.opportunity_changed_receiver",
    "suppliers.tasks.opportunity_changed_receiver",
]
# The batch form of a receiver, used by `opportunities_changed`: it takes
# {opportunity_id: event} and enqueues the work for all of them at once. A receiver without
# one is called once per opportunity.
OPPORTUNITY_BATCH_RECEIVERS = {
    "search.tasks.opportunity_changed_receiver": "search.tasks.opportunities_changed_receiver",
    "suppliers.tasks.opportunity_changed_receiver": (
        "suppliers.tasks.opportunities_changed_receiver"
    ),
}


def opportunity_changed(opportunity_id: int, event: str) -> None:
    """Call every receiver after the current transaction commits."""

    def dispatch() -> None:
        for dotted in OPPORTUNITY_RECEIVERS:
            _call(dotted, opportunity_id, event)

    transaction.on_commit(dispatch)


def opportunities_changed(changes: Mapping[int, str]) -> None:
    """Like `opportunity_changed` for many opportunities at once ({opportunity_id: event}, e.g.
    a batch of imported notices): after the current transaction commits, each receiver hears of
    the whole batch in one call when it has a batch form, else once per opportunity."""
    changes = dict(changes)
    if not changes:
        return

    def dispatch() -> None:
        for dotted in OPPORTUNITY_RECEIVERS:
            batch = OPPORTUNITY_BATCH_RECEIVERS.get(dotted)
            if batch is None:
                for opportunity_id, event in changes.items():
                    _call(dotted, opportunity_id, event)
                continue
            try:
                import_string(batch)(changes)
            except Exception:
                logger.exception(
                    "Receiver %s failed for %d opportunities (%s...)",
                    batch,
                    len(changes),
                    next(iter(changes)),
                )

    transaction.on_commit(dispatch)


def _call(dotted: str, opportunity_id: int, event: str) -> None:
    try:
        import_string(dotted)(opportunity_id, event)
    except Exception:
        logger.exception(
            "Receiver %s failed for opportunity %s (%s)", dotted, opportunity_id, event
        )
