"""Search: one backend interface, a database backend and an Elasticsearch backend.

Public interface (for pages, the API, saved searches, alerts and matching):

* `search.query.OpportunityQuery`: what to search for (frozen; `from_params`, `from_json`,
  `to_json`, `to_params`).
* `search.get_backend()`: the configured backend; `backend.search(query, visible=queryset)`
  returns a `SearchPage`; `backend.suggest(text, visible=queryset)`.
* `search.services`: `stored_query_register(key=, query=)`, `stored_query_unregister(key=)`,
  `opportunity_percolate(opportunity_id=)`, `search_index(ids=)`, `search_remove(ids=)`.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_backends: dict[tuple, object] = {}


def get_backend(name: str | None = None):
    """The backend the settings name (SEARCH_BACKEND), or `name` ("database" or
    "elasticsearch"). One instance per configuration and process."""
    from django.conf import settings

    name = name or settings.SEARCH_BACKEND
    if name == "elasticsearch":
        key = (
            name,
            settings.ELASTICSEARCH_URL,
            settings.ELASTICSEARCH_INDEX_PREFIX,
            settings.ELASTICSEARCH_TIMEOUT,
        )
    elif name == "database":
        key = (name,)
    else:
        raise ValueError(f"unknown search backend {name!r}")
    with _lock:
        if key not in _backends:
            if name == "elasticsearch":
                from search.backends.elasticsearch import ElasticsearchBackend

                _backends[key] = ElasticsearchBackend(
                    url=settings.ELASTICSEARCH_URL,
                    prefix=settings.ELASTICSEARCH_INDEX_PREFIX,
                    timeout=settings.ELASTICSEARCH_TIMEOUT,
                )
            else:
                from search.backends.database import DatabaseBackend

                _backends[key] = DatabaseBackend()
        return _backends[key]
