"""After an opportunity changes, other apps react: search re-indexes it, alerts tell followers
and matching companies. Receivers are named here, imported lazily, and run after commit, so
`tenders` does not depend on how search or alerts work, and a failing receiver never fails the
write that triggered it."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Each receiver takes (opportunity_id: int, event: str) and should only enqueue work.
OPPORTUNITY_RECEIVERS = [
    "search.tasks.opportunity_changed_receiver",
    "suppliers.tasks.opportunity_changed_receiver",
]


def opportunity_changed(opportunity_id: int, event: str) -> None:
    """Call every receiver after the current transaction commits."""

    def dispatch() -> None:
        for dotted in OPPORTUNITY_RECEIVERS:
            try:
                import_string(dotted)(opportunity_id, event)
            except Exception:
                logger.exception(
                    "Receiver %s failed for opportunity %s (%s)", dotted, opportunity_id, event
                )

    transaction.on_commit(dispatch)
