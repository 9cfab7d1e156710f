"""Saved searches, follows, alert preferences and unsubscribing."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, NotFound
from marketplace.core.models import User
from suppliers.emails import UNSUBSCRIBE_SALT
from suppliers.models_alerts import AlertPreference, Cadence, Follow, SavedSearch
from tenders.models import Opportunity

MAX_SAVED_SEARCHES = 50


def search_params_clean(params: dict[str, Any] | QueryDict) -> dict[str, Any]:
    """Check search parameters like the search page and API do, and return them in the stored
    (JSON) form of `OpportunityQuery`. Raises ApplicationError naming each bad parameter."""
    from search.query import OpportunityQuery

    try:
        query = OpportunityQuery.from_params(params)
    except ApplicationError as exc:
        raise ApplicationError(
            _("This search cannot be saved: some filters are not valid."),
            errors={f"params.{k}": v for k, v in exc.errors.items()},
        ) from None
    return query.to_json()


def _validate_name_cadence(name: str, cadence: str) -> dict[str, list[str]]:
    errors = {}
    if not name.strip():
        errors["name"] = [_("Give the search a name, so you recognise it in your email.")]
    if cadence not in Cadence.values:
        errors["cadence"] = [_("Choose instant, daily or weekly.")]
    return errors


@transaction.atomic
def saved_search_create(
    *, user: User, name: str, params: dict[str, Any] | QueryDict, cadence: str = Cadence.DAILY
) -> SavedSearch:
    """Save a search for alerts. Raises ApplicationError (name, cadence, invalid filters, or
    more than 50 searches)."""
    errors = _validate_name_cadence(name, cadence)
    if errors:
        raise ApplicationError(_("Please correct the errors below."), errors=errors)
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise ApplicationError(
            _("You can keep at most %(n)d saved searches. Delete one first.")
            % {"n": MAX_SAVED_SEARCHES}
        )
    saved = SavedSearch.objects.create(
        user=user, name=name.strip()[:120], params=search_params_clean(params), cadence=cadence
    )
    _percolator_sync(saved)
    return saved


def saved_search_get_for_user(*, user: User, pk) -> SavedSearch:
    """The user's own saved search; NotFound when missing or someone else's."""
    try:
        return SavedSearch.objects.get(pk=pk, user=user)
    except (SavedSearch.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@transaction.atomic
def saved_search_update(
    *,
    saved_search: SavedSearch,
    name: str | None = None,
    params=None,
    cadence: str | None = None,
    is_paused: bool | None = None,
) -> SavedSearch:
    errors = _validate_name_cadence(
        name if name is not None else saved_search.name, cadence or saved_search.cadence
    )
    if errors:
        raise ApplicationError(_("Please correct the errors below."), errors=errors)
    if name is not None:
        saved_search.name = name.strip()[:120]
    if params is not None:
        saved_search.params = search_params_clean(params)
    if cadence is not None:
        saved_search.cadence = cadence
    if is_paused is not None:
        saved_search.is_paused = is_paused
    saved_search.updated_at = clock.now()
    saved_search.save()
    _percolator_sync(saved_search)
    return saved_search


@transaction.atomic
def saved_search_delete(*, saved_search: SavedSearch) -> None:
    pk = saved_search.pk
    saved_search.delete()
    _percolator_remove(pk)


def _percolator_sync(saved: SavedSearch) -> None:
    """Active searches are registered with the search backend's stored queries (percolation);
    paused ones are taken out."""
    from search.query import OpportunityQuery
    from search.services import stored_query_register, stored_query_unregister

    if saved.is_paused:
        stored_query_unregister(key=saved.percolator_key)
    else:
        stored_query_register(
            key=saved.percolator_key, query=OpportunityQuery.from_json(saved.params)
        )


def _percolator_remove(saved_search_id: int) -> None:
    from search.services import stored_query_unregister

    stored_query_unregister(key=f"saved-search:{saved_search_id}")


def follow(*, user: User, opportunity: Opportunity) -> Follow:
    """Follow an opportunity (idempotent)."""
    try:
        with transaction.atomic():
            return Follow.objects.create(user=user, opportunity=opportunity)
    except IntegrityError:
        return Follow.objects.get(user=user, opportunity=opportunity)


def unfollow(*, user: User, opportunity: Opportunity) -> None:
    Follow.objects.filter(user=user, opportunity=opportunity).delete()


def preferences_update(*, user: User, **fields) -> AlertPreference:
    """Change a user's alert preferences; resubscribing clears 'unsubscribed from everything'."""
    pref, _created = AlertPreference.objects.get_or_create(user=user)
    allowed = {"matches_enabled", "match_threshold", "matches_cadence", "weekly_cap"}
    unknown = set(fields) - allowed - {"receive_email"}
    if unknown:
        raise ApplicationError(
            _("Unknown fields."), errors={f: [_("This field does not exist.")] for f in unknown}
        )
    for key, value in fields.items():
        if key == "receive_email":
            pref.unsubscribed_all_at = None if value else (pref.unsubscribed_all_at or clock.now())
            if value:
                pref.bouncing_since = None
                pref.bounce_count = 0
        else:
            setattr(pref, key, value)
    from django.core.exceptions import ValidationError

    try:
        pref.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise ApplicationError(
            _("Please correct the errors below."), errors=exc.message_dict
        ) from None
    pref.save()
    return pref


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Carry out a one-click unsubscribe link. Returns the user and what was stopped:
    `all`, `matches`, `search:<name>` or `follow:<title>`. Raises ApplicationError for a bad link."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"])
        scope = str(data["s"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        raise ApplicationError(
            _("This unsubscribe link is not valid. Sign in to change your email settings.")
        ) from None
    pref, _created = AlertPreference.objects.get_or_create(user=user)
    if scope == "all":
        pref.unsubscribed_all_at = pref.unsubscribed_all_at or clock.now()
        pref.save(update_fields=["unsubscribed_all_at"])
        return user, "all"
    if scope == "matches":
        pref.matches_enabled = False
        pref.save(update_fields=["matches_enabled"])
        return user, "matches"
    kind, _sep, ident = scope.partition(":")
    if kind == "search":
        saved = SavedSearch.objects.filter(pk=ident, user=user).first()
        if saved is not None:
            saved_search_update(saved_search=saved, is_paused=True)
            return user, f"search:{saved.name}"
        return user, "search:"
    if kind == "follow":
        follows = Follow.objects.filter(opportunity_id=ident, user=user).select_related(
            "opportunity"
        )
        title = follows[0].opportunity.title if follows else ""
        follows.delete()
        return user, f"follow:{title}"
    raise ApplicationError(
        _("This unsubscribe link is not valid. Sign in to change your email settings.")
    )
