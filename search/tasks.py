"""Search tasks (the search issue fills these in)."""

from __future__ import annotations


def opportunity_changed_receiver(opportunity_id: int, event: str) -> None:
    """Enqueue (re-)indexing of one opportunity after it changed. Called after commit."""
