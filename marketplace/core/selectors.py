"""Reads for accounts and organisations. Accessors answer 404 for "missing" and "not yours" alike."""

from __future__ import annotations

from django.db.models import QuerySet

from marketplace.core.errors import NotFound
from marketplace.core.models import ApiToken, Invitation, Membership, Organisation, User


def organisation_list_for_user(*, user: User, kind: str | None = None) -> QuerySet[Organisation]:
    """The organisations the user is a member of, optionally of one kind."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    qs = Organisation.objects.filter(memberships__user=user)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name").distinct()


def organisation_get_for_member(*, user: User, pk: int, kind: str | None = None) -> Organisation:
    """The organisation `pk` if `user` is a member of it; NotFound otherwise (also when missing)."""
    try:
        return organisation_list_for_user(user=user, kind=kind).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def organisation_get_for_admin(*, user: User, pk: int) -> Organisation:
    """The organisation `pk` if `user` is one of its admins; NotFound otherwise."""
    org = organisation_get_for_member(user=user, pk=pk)
    if not membership_is_admin(user=user, organisation=org):
        raise NotFound()
    return org


def membership_role(*, user: User, organisation: Organisation) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def membership_is_admin(*, user: User, organisation: Organisation) -> bool:
    return membership_role(user=user, organisation=organisation) == Membership.Role.ADMIN


def membership_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__email")
    )


def user_buyer_organisations(*, user: User) -> QuerySet[Organisation]:
    return organisation_list_for_user(user=user, kind=Organisation.Kind.BUYER)


def user_company(*, user: User) -> Organisation | None:
    """The user's company (a supplier belongs to one company in practice; the first by name)."""
    return organisation_list_for_user(user=user, kind=Organisation.Kind.COMPANY).first()


def invitation_list_open(*, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True)


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def region_codes_within(code: str) -> list[str]:
    """The region and everything inside it: NUTS codes below it and the municipalities of the
    provinces inside it (NL32 gives NL32, NL321 ... NL32B and GM0363 Amsterdam ...)."""
    from marketplace.core.models import Region

    code = code.strip().upper()
    nuts = list(
        Region.objects.filter(code__startswith=code)
        .exclude(kind=Region.Kind.MUNICIPALITY)
        .values_list("code", flat=True)
    )
    if code.startswith("GM"):
        return [code]
    municipalities = Region.objects.filter(
        kind=Region.Kind.MUNICIPALITY, parent_id__in=nuts
    ).values_list("code", flat=True)
    return nuts + list(municipalities)


def region_ancestors(code: str) -> list[str]:
    """The region and every region above it (GM0363 gives GM0363, NL32, NL3, NL)."""
    from marketplace.core.models import Region

    out, current = [], Region.objects.filter(code=code).first()
    while current is not None:
        out.append(current.code)
        current = current.parent
    return out


def cpv_prefix(code: str) -> str:
    """The significant digits of a CPV code: every code below it starts with these
    (72200000 gives 722, 72000000 gives 72)."""
    digits = code.split("-")[0].strip()
    significant = digits.rstrip("0")
    return significant if len(significant) >= 2 else digits[:2]


def competency_slugs_within(slug: str) -> list[str]:
    """The competency and its children."""
    from marketplace.core.models import Competency

    return [slug, *Competency.objects.filter(parent__slug=slug).values_list("slug", flat=True)]
