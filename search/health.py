"""Search health for /readyz. The Elasticsearch backend (search issue) refines this."""

from __future__ import annotations

from django.conf import settings


def search_health() -> tuple[str, str]:
    if settings.SEARCH_BACKEND != "elasticsearch":
        return "ok", "database backend"
    from elasticsearch import Elasticsearch

    try:
        client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=2)
        info = client.info()
    except Exception as exc:
        return (
            "degraded",
            f"Elasticsearch unreachable ({type(exc).__name__}); answering from the database",
        )
    return "ok", f"Elasticsearch {info['version']['number']}"
