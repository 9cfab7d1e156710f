"""Rendering and sending emails: a plain-text and an HTML part, in the recipient's language."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def email_build(
    *,
    to: str,
    template: str,
    context: Mapping,
    language: str = "nl",
    headers: Mapping[str, str] | None = None,
    connection=None,
) -> EmailMultiAlternatives:
    """Build the message from templates/emails/<template>.{subject.txt,txt,html}."""
    ctx = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}.subject.txt", ctx).split())
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=dict(headers or {}),
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def email_send(**kwargs) -> None:
    """Build and send one message now. Raises on SMTP errors; callers that retry catch them."""
    email_build(**kwargs).send(fail_silently=False)
