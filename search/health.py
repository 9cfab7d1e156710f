"""Search health for /readyz: "ok", or "degraded" when Elasticsearch is configured but cannot
be reached (search then answers from the database backend)."""

from __future__ import annotations


def search_health() -> tuple[str, str]:
    from search import get_backend

    try:
        return get_backend().health()
    except Exception as exc:  # never let a health check raise
        return "degraded", f"search health unknown ({type(exc).__name__})"
