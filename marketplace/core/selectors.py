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
