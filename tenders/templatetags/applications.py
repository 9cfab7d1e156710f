"""Template helpers for application pages, and the application box on the opportunity page:
`{% load applications %}{% application_box opportunity %}`."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from marketplace.core.models import Organisation
from marketplace.core.selectors import organisation_list_for_user
from tenders import selectors as opportunity_selectors
from tenders import selectors_applications as selectors

register = template.Library()


@register.filter
def answer(value) -> str:
    """An answer as a person reads it."""
    if value is None or value == "":
        return _("(not answered)")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


@register.inclusion_tag("tenders/applications/_opportunity_box.html", takes_context=True)
def application_box(context, opportunity):
    """What the signed-in user can do with applications on this opportunity: apply or continue
    (company members), see what arrived (members of the buyer), or sign in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {"opportunity": opportunity, "user": user, "request": request}
    if user is None or not user.is_authenticated:
        return data
    if opportunity_selectors.opportunity_user_is_member(user=user, opportunity=opportunity):
        data["box"] = selectors.application_box(opportunity=opportunity)
        return data
    companies = list(organisation_list_for_user(user=user, kind=Organisation.Kind.COMPANY))
    data["companies"] = companies
    data["live"] = [
        a
        for a in (
            selectors.application_get_live(company=c, opportunity=opportunity) for c in companies
        )
        if a is not None
    ]
    data["is_open"] = opportunity.is_open()
    return data


@register.filter
def get_field(form, name: str):
    """The bound field `name` of a form (for forms built field by field)."""
    return form[name]


@register.filter
def amsterdam_time(value) -> str:
    """A moment in Amsterdam time with its zone, in the active language:
    '29 March 2026, 12:00:00 CEST'."""
    from tenders.services.applications import local_deadline

    return local_deadline(value) if value else ""
