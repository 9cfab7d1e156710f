"""Tests of the tenders app. `record` is a hook receiver tests register to see what
tenders.hooks hands to other apps after commit (see test_documents.received)."""

calls: list[tuple[int, str]] = []


def record(opportunity_id: int, event: str) -> None:
    calls.append((opportunity_id, event))
