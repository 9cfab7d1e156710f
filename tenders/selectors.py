"""Reads for opportunities. Every list starts from what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from marketplace.core.errors import NotFound
from marketplace.core.models import Membership, Organisation, User
from tenders.models import Opportunity


def _buyer_ids(user: User) -> list[int]:
    if not user or not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(
            user=user, organisation__kind=Organisation.Kind.BUYER
        ).values_list("organisation_id", flat=True)
    )


def opportunity_list_public() -> QuerySet[Opportunity]:
    """Everything that has been published and not withdrawn (open, closed, awarded, cancelled)."""
    return Opportunity.objects.public()


def opportunity_list_visible_to(user: User | None) -> QuerySet[Opportunity]:
    """Public opportunities, plus the drafts of the buyer organisations the user belongs to."""
    buyers = _buyer_ids(user)
    q = Opportunity.objects.q_public()
    if buyers:
        q |= Q(buyer_id__in=buyers)
    return Opportunity.objects.filter(q)


def opportunity_list_for_buyer_member(user: User) -> QuerySet[Opportunity]:
    """All opportunities (any status) of the buyer organisations the user belongs to."""
    return Opportunity.objects.filter(buyer_id__in=_buyer_ids(user))


def opportunity_with_relations(qs: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """What list and detail views show, in a fixed number of queries."""
    return qs.select_related("buyer", "main_cpv").prefetch_related(
        "competencies", "cpv_codes", "regions"
    )


def opportunity_get_visible(*, user: User | None, pk) -> Opportunity:
    """The opportunity if the user may see it; NotFound when missing or a draft of someone else."""
    try:
        return opportunity_with_relations(opportunity_list_visible_to(user)).get(pk=pk)
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def opportunity_get_for_buyer_member(*, user: User, pk) -> Opportunity:
    """The opportunity if the user is a member of its buyer organisation; NotFound otherwise
    (also when it is public: managing needs membership, and we do not say why)."""
    try:
        return opportunity_with_relations(opportunity_list_for_buyer_member(user)).get(pk=pk)
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def opportunity_user_is_member(*, user: User, opportunity: Opportunity) -> bool:
    return opportunity.buyer_id in _buyer_ids(user)


__all__ = [
    "opportunity_get_for_buyer_member",
    "opportunity_get_visible",
    "opportunity_list_for_buyer_member",
    "opportunity_list_public",
    "opportunity_list_visible_to",
    "opportunity_user_is_member",
    "opportunity_with_relations",
]
