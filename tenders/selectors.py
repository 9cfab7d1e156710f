"""Reads for opportunities. Every list starts from what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Prefetch, Q, QuerySet

from marketplace.core import clock
from marketplace.core.errors import NotFound
from marketplace.core.models import Membership, Organisation, User
from tenders.models import (
    Amendment,
    Award,
    Document,
    DocumentVersion,
    Lot,
    Opportunity,
    Question,
)


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


def opportunity_get_visible(*, user: User | None, pk, related: bool = True) -> Opportunity:
    """The opportunity if the user may see it; NotFound when missing or a draft of someone else.
    `related=False` skips loading codes and buyer (for checks before reading something else)."""
    qs = opportunity_list_visible_to(user)
    if related:
        qs = opportunity_with_relations(qs)
    try:
        return qs.get(pk=pk)
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def opportunity_get_for_buyer_member(*, user: User, pk, related: bool = True) -> Opportunity:
    """The opportunity if the user is a member of its buyer organisation; NotFound otherwise
    (also when it is public: managing needs membership, and we do not say why)."""
    qs = opportunity_list_for_buyer_member(user)
    qs = opportunity_with_relations(qs) if related else qs.select_related("buyer")
    try:
        return qs.get(pk=pk)
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def opportunity_user_is_member(*, user: User, opportunity: Opportunity) -> bool:
    return opportunity.buyer_id in _buyer_ids(user)


def opportunity_with_details(qs: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Everything a detail page or the detail API shows, in a fixed number of queries."""
    return (
        opportunity_with_relations(qs)
        .select_related("tender", "funding", "co_creation", "test_location__municipality")
        .prefetch_related(
            Prefetch("lots", queryset=Lot.objects.prefetch_related("cpv_codes")),
            "award_criteria",
            "required_documents",
            "phases",
            "availability",
            Prefetch("awards", queryset=Award.objects.select_related("company", "lot")),
            Prefetch("amendments", queryset=Amendment.objects.order_by("version")),
            Prefetch("documents", queryset=document_list_with_versions()),
        )
    )


def opportunity_counts_by_kind(*, now: dt.datetime | None = None) -> dict[str, int]:
    """How many opportunities of each kind are open now (every kind present, zero or more)."""
    rows = (
        Opportunity.objects.open(now or clock.now())
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    counts = dict.fromkeys(Opportunity.Kind.values, 0)
    counts.update(dict(rows))
    return counts


def opportunity_list_open(
    *, kind: str | None = None, buyer: Organisation | None = None, now: dt.datetime | None = None
) -> QuerySet[Opportunity]:
    """Open opportunities, the soonest deadline first (no deadline last)."""
    qs = Opportunity.objects.open(now or clock.now())
    if kind:
        qs = qs.filter(kind=kind)
    if buyer is not None:
        qs = qs.filter(buyer=buyer)
    return opportunity_with_relations(qs).order_by(
        F("closes_at").asc(nulls_last=True), "-published_at", "pk"
    )


def opportunity_list_by_status_for_buyer_member(
    *, user: User, buyer: Organisation | None = None, now: dt.datetime | None = None
) -> dict[str, list[Opportunity]]:
    """The opportunities of the user's buyer organisations (or of one of them), grouped by
    status in lifecycle order, each with `unanswered` (open questions) counted."""
    now = now or clock.now()
    qs = opportunity_list_for_buyer_member(user)
    if buyer is not None:
        qs = qs.filter(buyer=buyer)
    qs = (
        qs.select_related("buyer")
        .annotate(
            unanswered=Count("questions", filter=Q(questions__answered_at__isnull=True)),
        )
        .order_by("-updated_at", "-pk")
    )
    groups: dict[str, list[Opportunity]] = {s: [] for s in Opportunity.Status.values}
    for opportunity in qs:
        groups[opportunity.get_status(now)].append(opportunity)
    return groups


def buyer_get_by_slug(*, slug: str) -> Organisation:
    """A buyer organisation's public page; NotFound for companies and unknown slugs."""
    try:
        return Organisation.objects.get(slug=slug, kind=Organisation.Kind.BUYER)
    except Organisation.DoesNotExist:
        raise NotFound() from None


def buyer_opportunity_counts(*, buyer: Organisation, now: dt.datetime | None = None) -> dict:
    """Public opportunities of a buyer per status (drafts never count)."""
    now = now or clock.now()
    public = Opportunity.objects.public().filter(buyer=buyer)
    return {
        status: public.with_status(status, now=now).count()
        for status in Opportunity.Status.values
        if status != Opportunity.Status.DRAFT
    }


def buyer_opportunity_list_public(*, buyer: Organisation) -> QuerySet[Opportunity]:
    return opportunity_with_relations(Opportunity.objects.public().filter(buyer=buyer)).order_by(
        "-published_at", "-pk"
    )


# Documents


def document_list_with_versions() -> QuerySet[Document]:
    return Document.objects.prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.order_by("-version"))
    )


def document_list(*, opportunity: Opportunity) -> QuerySet[Document]:
    """The documents of an opportunity the caller already may see, with their versions."""
    return document_list_with_versions().filter(opportunity=opportunity)


def document_get(*, opportunity: Opportunity, pk) -> Document:
    """A document of an opportunity the caller already may see; NotFound otherwise."""
    try:
        return document_list(opportunity=opportunity).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def document_version_get(*, document: Document, version=None) -> DocumentVersion:
    """A version of a document (the current one when `version` is None); NotFound otherwise."""
    if version in (None, ""):
        if document.current is None:
            raise NotFound()
        return document.current
    try:
        return document.versions.get(version=int(version))
    except (DocumentVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# Questions


def question_list_visible(
    *, user: User | None, opportunity: Opportunity, is_member: bool | None = None
) -> QuerySet[Question]:
    """Answered questions for everyone; unanswered ones also for the buyer's members and for
    the company that asked. The caller has already checked that the user may see the
    opportunity."""
    if is_member is None:
        is_member = bool(user) and opportunity_user_is_member(user=user, opportunity=opportunity)
    qs = Question.objects.filter(opportunity=opportunity)
    if is_member:
        return qs
    q = Q(answered_at__isnull=False)
    if user is not None and user.is_authenticated:
        companies = Membership.objects.filter(
            user=user, organisation__kind=Organisation.Kind.COMPANY
        ).values("organisation_id")
        q |= Q(asked_by_company_id__in=companies)
    return qs.filter(q)


def question_list_unanswered(*, opportunity: Opportunity) -> QuerySet[Question]:
    return Question.objects.filter(opportunity=opportunity, answered_at__isnull=True)


def question_get_for_buyer_member(*, user: User, opportunity_pk, pk) -> Question:
    """A question about one of the user's buyer organisations' opportunities; NotFound
    otherwise."""
    opportunity = opportunity_get_for_buyer_member(user=user, pk=opportunity_pk)
    try:
        return Question.objects.select_related("opportunity__buyer").get(
            opportunity=opportunity, pk=pk
        )
    except (Question.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


__all__ = [
    "buyer_get_by_slug",
    "buyer_opportunity_counts",
    "buyer_opportunity_list_public",
    "document_get",
    "document_list",
    "document_list_with_versions",
    "document_version_get",
    "opportunity_counts_by_kind",
    "opportunity_get_for_buyer_member",
    "opportunity_get_visible",
    "opportunity_list_by_status_for_buyer_member",
    "opportunity_list_for_buyer_member",
    "opportunity_list_open",
    "opportunity_list_public",
    "opportunity_list_visible_to",
    "opportunity_user_is_member",
    "opportunity_with_details",
    "opportunity_with_relations",
    "question_get_for_buyer_member",
    "question_list_unanswered",
    "question_list_visible",
]
