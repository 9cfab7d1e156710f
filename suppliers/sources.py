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
    match: object  # suppliers.matching.Match, for the reasons in each recipient's language


def saved_searches_matching(opportunity: Opportunity) -> QuerySet[SavedSearch]:
    """Active saved searches whose query finds this opportunity, by percolation: the search
    backend answers from its stored queries in one go (Elasticsearch, or an indexed query on
    the database backend), without replaying each saved search."""
    from search.services import opportunity_percolate

    ids = [
        int(key.split(":", 1)[1])
        for key in opportunity_percolate(opportunity_id=opportunity.pk)
        if key.startswith("saved-search:")
    ]
    return SavedSearch.objects.filter(pk__in=ids, is_paused=False).select_related("user")


def saved_search_finds(saved_search: SavedSearch, opportunity: Opportunity) -> bool:
    """Replay one saved search against one opportunity: the slow way (one search per saved
    search), kept as the baseline that bench/alerts compares percolation with."""
    from search import get_backend
    from search.query import OpportunityQuery

    query = OpportunityQuery.from_json(saved_search.params)
    page = get_backend().search(query, visible=Opportunity.objects.filter(pk=opportunity.pk))
    return page.count > 0


def companies_matching(
    opportunity: Opportunity, *, min_score: int | None = None
) -> list[CompanyMatch]:
    """Companies whose profile matches the opportunity at least `min_score` (default: the
    lowest threshold any user has set, `match_score_floor()`), best first. The matching engine
    generates candidates with indexed queries and scores only those."""
    from suppliers.match_selectors import matching_companies_for_opportunity

    if min_score is None:
        min_score = match_score_floor()
    return [
        CompanyMatch(company_id=row.company.pk, score=row.score, match=row.match)
        for row in matching_companies_for_opportunity(
            opportunity_id=opportunity.pk, min_score=min_score
        )
    ]


def match_score_floor() -> int:
    """The lowest match score anyone wants to hear about: the lowest threshold a user with
    match alerts on has set, or the default threshold when that is lower."""
    from django.db.models import Min

    from suppliers.models_alerts import AlertPreference

    lowest = AlertPreference.objects.filter(matches_enabled=True).aggregate(
        m=Min("match_threshold")
    )["m"]
    default = AlertPreference._meta.get_field("match_threshold").default
    return min(default, lowest) if lowest is not None else default


@dataclass(frozen=True)
class Audience:
    """Who could hear of new opportunities at all, looked up once per batch of events, so a
    batch skips percolation when nobody has an active saved search and matching when no
    company has a profile."""

    saved_searches: bool
    companies: bool
    min_score: int

    @classmethod
    def now(cls) -> Audience:
        from suppliers.models import CompanyProfile

        return cls(
            saved_searches=SavedSearch.objects.filter(is_paused=False).exists(),
            companies=CompanyProfile.objects.exists(),
            min_score=match_score_floor(),
        )
