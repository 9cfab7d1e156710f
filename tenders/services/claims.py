"""Claiming imported buyer organisations: a signed-in person asks, an operator decides.

Imported buyers are created unclaimed (`Organisation.is_claimed=False`). Someone who works
there asks to claim it; an operator checks and approves in the admin; the person becomes an
admin of the organisation, which is then claimed (and other open requests are rejected)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, NotFound, TransitionError
from marketplace.core.models import Membership, Organisation, User
from tenders.models import OrganisationClaim

Status = OrganisationClaim.Status


def organisation_get_claimable(*, pk) -> Organisation:
    """An unclaimed buyer organisation; NotFound for anything else."""
    org = (
        Organisation.objects.filter(pk=pk, kind=Organisation.Kind.BUYER, is_claimed=False).first()
        if str(pk).isdigit()
        else None
    )
    if org is None:
        raise NotFound()
    return org


@transaction.atomic
def organisation_claim_request(
    *, organisation: Organisation, user: User, message: str, now: dt.datetime | None = None
) -> OrganisationClaim:
    """Ask to claim an unclaimed buyer organisation. Raises ApplicationError when it is
    claimed already, when the message is empty, or when this user already waits for an answer."""
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if org.kind != Organisation.Kind.BUYER or org.is_claimed:
        raise ApplicationError(_("%(name)s has already been claimed.") % {"name": org.name})
    message = (message or "").strip()
    if not message:
        raise ApplicationError(
            _("Tell us how you are connected to this organisation."),
            errors={"message": [_("This field is required.")]},
        )
    if OrganisationClaim.objects.filter(
        organisation=org, user=user, status=Status.PENDING
    ).exists():
        raise ApplicationError(
            _("Your request to claim %(name)s is already waiting for approval.")
            % {"name": org.name}
        )
    return OrganisationClaim.objects.create(
        organisation=org, user=user, message=message[:5000], created_at=now or clock.now()
    )


@transaction.atomic
def organisation_claim_approve(
    *, claim: OrganisationClaim, by: User | None, now: dt.datetime | None = None
) -> OrganisationClaim:
    """Approve a waiting claim: the requester becomes an admin of the organisation, which is
    claimed from now on; other waiting claims for it are rejected. TransitionError when the
    claim was decided before or the organisation is claimed already."""
    now = now or clock.now()
    claim = (
        OrganisationClaim.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=claim.pk)
    )
    org = Organisation.objects.select_for_update().get(pk=claim.organisation_id)
    if claim.status != Status.PENDING:
        raise TransitionError(_("This claim has already been decided."))
    if org.is_claimed:
        raise TransitionError(_("%(name)s has already been claimed.") % {"name": org.name})
    Membership.objects.update_or_create(
        user=claim.user, organisation=org, defaults={"role": Membership.Role.ADMIN}
    )
    org.is_claimed = True
    org.save(update_fields=["is_claimed"])
    claim.status, claim.decided_at, claim.decided_by = Status.APPROVED, now, by
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    OrganisationClaim.objects.filter(organisation=org, status=Status.PENDING).update(
        status=Status.REJECTED, decided_at=now, decided_by=by
    )
    return claim


@transaction.atomic
def organisation_claim_reject(
    *, claim: OrganisationClaim, by: User | None, now: dt.datetime | None = None
) -> OrganisationClaim:
    """Reject a waiting claim. TransitionError when it was decided before."""
    claim = OrganisationClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != Status.PENDING:
        raise TransitionError(_("This claim has already been decided."))
    claim.status, claim.decided_at, claim.decided_by = Status.REJECTED, now or clock.now(), by
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    return claim
