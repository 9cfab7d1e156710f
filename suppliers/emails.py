"""The alert and digest emails: HTML and plain text, in the user's language, with one-click
unsubscribe headers (RFC 8058)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from marketplace.core.emails import email_build
from suppliers.models_alerts import Alert, Digest

UNSUBSCRIBE_SALT = "kansen.unsubscribe"


def unsubscribe_token(*, user_id: int, scope: str) -> str:
    """Scopes: `all`, `matches`, `search:<id>`, `follow:<opportunity id>`. Tokens do not expire:
    an unsubscribe link must keep working."""
    return signing.dumps({"u": user_id, "s": scope}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user_id: int, scope: str) -> str:
    return settings.SITE_URL + reverse(
        "alerts-unsubscribe", kwargs={"token": unsubscribe_token(user_id=user_id, scope=scope)}
    )


def _headers(*, url: str, message_key: str) -> dict[str, str]:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "kansen.example"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{message_key}".encode()).hexdigest()[:16]
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": f"<{message_key}.{digest}@{domain}>",
        "Auto-Submitted": "auto-generated",
    }


def scope_for(alert: Alert) -> str:
    if alert.saved_search_id and alert.reason == Alert.Reason.SAVED_SEARCH:
        return f"search:{alert.saved_search_id}"
    if alert.reason == Alert.Reason.MATCH:
        return "matches"
    if alert.reason in (Alert.Reason.FOLLOW, Alert.Reason.REMINDER):
        return f"follow:{alert.opportunity_id}"
    return "all"


def _item(alert: Alert) -> dict:
    o = alert.opportunity
    return {
        "alert": alert,
        "opportunity": o,
        "url": settings.SITE_URL + o.get_absolute_url(),
        "closes_at": timezone.localtime(o.closes_at) if o.closes_at else None,
    }


def notice_message(alert: Alert):
    """A service message exactly as it was rendered when it happened."""
    from django.core.mail import EmailMultiAlternatives

    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "kansen.example"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:alert-{alert.pk}".encode()).hexdigest()[:16]
    message = EmailMultiAlternatives(
        subject=alert.subject,
        body=alert.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.user.email],
        headers={"Message-ID": f"<alert-{alert.pk}.{digest}@{domain}>"},
    )
    if alert.body_html:
        message.attach_alternative(alert.body_html, "text/html")
    return message


def alert_message(alert: Alert):
    if alert.subject:
        return notice_message(alert)
    user = alert.user
    scope = scope_for(alert)
    url = unsubscribe_url(user_id=user.pk, scope=scope)
    return email_build(
        to=user.email,
        template="alert",
        language=user.language,
        context={
            "item": _item(alert),
            "alert": alert,
            "user": user,
            "unsubscribe_url": url,
            "unsubscribe_all_url": unsubscribe_url(user_id=user.pk, scope="all"),
            "preferences_url": settings.SITE_URL + reverse("alerts-preferences"),
        },
        headers=_headers(url=url, message_key=f"alert-{alert.pk}"),
    )


def digest_message(digest: Digest, alerts: list[Alert]):
    user = digest.user
    ranked = sorted(
        alerts, key=lambda a: (-(a.score or 0), a.opportunity.closes_at or timezone.now())
    )
    cap = settings.ALERTS_DIGEST_CAP
    url = unsubscribe_url(user_id=user.pk, scope="all")
    searches = {a.saved_search_id: a.saved_search for a in alerts if a.saved_search_id}
    return email_build(
        to=user.email,
        template="digest",
        language=user.language,
        context={
            "digest": digest,
            "user": user,
            "items": [_item(a) for a in ranked[:cap]],
            "more": max(len(ranked) - cap, 0),
            "total": len(ranked),
            "more_url": settings.SITE_URL + reverse("alerts-inbox"),
            "searches": [
                {
                    "search": s,
                    "unsubscribe_url": unsubscribe_url(user_id=user.pk, scope=f"search:{s.pk}"),
                }
                for s in searches.values()
                if s is not None
            ],
            "unsubscribe_url": url,
            "preferences_url": settings.SITE_URL + reverse("alerts-preferences"),
        },
        headers=_headers(url=url, message_key=f"digest-{digest.pk}"),
    )
