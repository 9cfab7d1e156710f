"""Supplier-side tasks: alerts and digests (the alerts issue fills these in)."""

from __future__ import annotations


def opportunity_changed_receiver(opportunity_id: int, event: str) -> None:
    """Enqueue alerts for a changed opportunity (new, amended, withdrawn ...). Called after commit."""
