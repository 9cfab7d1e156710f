"""Supplier parts shown on other areas' pages:
`{% load suppliers_tags %}{% follow_button opportunity %}` on the opportunity page and
`{% for_you_panels %}` (best matches and coming deadlines) on the home page."""

from __future__ import annotations

from django import template

from marketplace.core.selectors import user_company
from suppliers import match_selectors
from suppliers.matching import reasons_sentence
from suppliers.models_alerts import Follow
from suppliers.selectors import coming_deadlines

register = template.Library()


@register.inclusion_tag("suppliers/_follow_button.html", takes_context=True)
def follow_button(context, opportunity):
    """Follow or stop following an opportunity (signed in), or sign in to follow."""
    request = context.get("request")
    user = getattr(request, "user", None)
    following = bool(
        user is not None
        and user.is_authenticated
        and Follow.objects.filter(user=user, opportunity=opportunity).exists()
    )
    return {"opportunity": opportunity, "following": following, "request": request, "user": user}


@register.inclusion_tag("suppliers/_for_you_panels.html", takes_context=True)
def for_you_panels(context, limit: int = 3):
    """For a signed-in user with a company: its best matches and its coming deadlines."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    company = user_company(user=user)
    rows = match_selectors.matches_for_company(company=company, limit=limit) if company else []
    return {
        "show": True,
        "company": company,
        "matches": [(row, reasons_sentence(row.reasons)) for row in rows],
        "deadlines": coming_deadlines(user=user, company=company),
        "request": request,
    }
