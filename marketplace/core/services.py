"""Writes for accounts, organisations, memberships, invitations and API tokens."""

from __future__ import annotations

import secrets

from django.core import signing
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from marketplace.core import clock
from marketplace.core.emails import email_send
from marketplace.core.errors import ApplicationError, Forbidden, NotFound
from marketplace.core.models import ApiToken, Invitation, Membership, Organisation, User
from marketplace.core.selectors import membership_is_admin

INVITATION_SALT = "kansen.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organisatie"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(*, kind: str, name: str, by: User | None = None, **fields) -> Organisation:
    """Create a buyer organisation or a company; `by` becomes its first admin.

    Validates every field (KvK is 8 digits, OIN 20) and raises ApplicationError with field
    messages; nothing is saved then.
    """
    from django.core.exceptions import ValidationError

    org = Organisation(kind=kind, name=name.strip(), slug=_unique_slug(name), **fields)
    try:
        org.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Please correct the errors below."), errors=exc.message_dict
        ) from None
    org.save()
    if by is not None:
        Membership.objects.create(user=by, organisation=org, role=Membership.Role.ADMIN)
    return org


def _require_admin(*, organisation: Organisation, by: User) -> None:
    if not membership_is_admin(user=by, organisation=organisation):
        raise Forbidden(_("Only admins of %(org)s can do this.") % {"org": organisation.name})


@transaction.atomic
def membership_set_role(
    *, organisation: Organisation, user: User, role: str, by: User
) -> Membership:
    """Change a member's role. Only admins may; the last admin cannot step down."""
    _require_admin(organisation=organisation, by=by)
    if role not in Membership.Role.values:
        raise ApplicationError(_("Unknown role."), errors={"role": [_("Choose admin or member.")]})
    membership = (
        Membership.objects.select_for_update().filter(organisation=organisation, user=user).first()
    )
    if membership is None:
        raise NotFound()
    if membership.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
        _ensure_other_admin(organisation=organisation, leaving=user)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def _ensure_other_admin(*, organisation: Organisation, leaving: User) -> None:
    others = (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
        .exclude(user=leaving)
        .exists()
    )
    if not others:
        raise ApplicationError(
            _("An organisation needs at least one admin. Make someone else admin first.")
        )


@transaction.atomic
def membership_remove(*, organisation: Organisation, user: User, by: User) -> None:
    """Remove a member (admins only; anyone may remove themselves). Keeps at least one admin."""
    if by != user:
        _require_admin(organisation=organisation, by=by)
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        raise NotFound()
    if membership.role == Membership.Role.ADMIN:
        _ensure_other_admin(organisation=organisation, leaving=user)
    membership.delete()


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, role: str = Membership.Role.MEMBER, by: User
) -> Invitation:
    """Invite someone by email to join the organisation (admins only). The email is sent after
    commit; the link in it is signed and valid for 14 days."""
    _require_admin(organisation=organisation, by=by)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ApplicationError(
            _("%(email)s is already a member.") % {"email": email},
            errors={"email": [_("Already a member.")]},
        )
    if role not in Membership.Role.values:
        raise ApplicationError(_("Unknown role."), errors={"role": [_("Choose admin or member.")]})
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=by
    )
    from django.urls import reverse

    link = reverse("invitation-accept", kwargs={"token": invitation_token(invitation)})
    transaction.on_commit(
        lambda: email_send(
            to=email,
            template="invitation",
            context={
                "invitation": invitation,
                "organisation": organisation,
                "by": by,
                "path": link,
            },
            language=by.language,
        )
    )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Accept an invitation for the signed-in user. Raises ApplicationError when the link is
    invalid, expired, already used, or meant for another address."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ApplicationError(_("This invitation has expired. Ask for a new one.")) from None
    except signing.BadSignature:
        raise ApplicationError(_("This invitation link is not valid.")) from None
    invitation = Invitation.objects.select_for_update().filter(pk=pk).first()
    if invitation is None or invitation.accepted_at is not None:
        raise ApplicationError(_("This invitation has already been used."))
    if invitation.email.lower() != user.email.lower():
        raise ApplicationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    invitation.accepted_at = clock.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a personal API token. Returns the row and the key; the key is not stored."""
    key = "kns_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=ApiToken.hash_key(key), prefix=key[:8]
    )
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens. Someone else's token answers NotFound, like a missing one."""
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    if not updated:
        raise NotFound()


def user_set_language(*, user: User, language: str) -> None:
    if language in User.Language.values and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
