"""Reads of the search app: what a user searches among, and searching it."""

from __future__ import annotations

from django.db.models import QuerySet

from marketplace.core.models import User
from search import get_backend
from search.backends.base import SearchPage, Suggestion
from search.query import OpportunityQuery
from tenders.models import Opportunity
from tenders.selectors import opportunity_list_public


def search_visible_to(user: User | None) -> QuerySet[Opportunity]:
    """What search results may show: public opportunities (drafts are never indexed, so the
    buyer's own drafts are found on its own pages, not here)."""
    return opportunity_list_public()


def opportunity_search(
    *, user: User | None, query: OpportunityQuery, facets: bool = True
) -> SearchPage:
    """One page of results with facets, for `user`. Falls back to the database backend when
    Elasticsearch is down (the page says `degraded`)."""
    return get_backend().search(query, visible=search_visible_to(user), facets=facets)


def opportunity_suggest(*, user: User | None, text: str, limit: int = 5) -> list[Suggestion]:
    """Type-ahead suggestions for what was typed so far."""
    return get_backend().suggest(text[:100], visible=search_visible_to(user), limit=limit)
