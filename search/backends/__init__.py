"""Search backends: one interface (`base.SearchBackend`), a database backend (SQLite FTS5 or
PostgreSQL full text) and an Elasticsearch backend. `search.get_backend()` builds the one the
settings name."""
