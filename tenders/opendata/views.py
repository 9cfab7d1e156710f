"""Pages and files of open data: CSV of a filtered list, feeds, calendars, claiming a buyer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.core.errors import ApplicationError
from tenders import selectors
from tenders.models import OrganisationClaim
from tenders.opendata.calendar import calendar_response, opportunities_calendar
from tenders.opendata.exports import opportunities_csv_response
from tenders.opendata.feeds import OpportunityAtomFeed, OpportunityRssFeed, filtered_public
from tenders.services import claims


def opportunities_csv(request):
    """Everything public, filtered with the opportunity API's filter names."""
    filterset, valid = filtered_public(request.GET)
    if not valid:
        return HttpResponseBadRequest(
            _("Unknown filter value: %(errors)s") % {"errors": dict(filterset.errors)},
            content_type="text/plain; charset=utf-8",
        )
    return opportunities_csv_response(filterset.qs.order_by("-published_at", "-pk"))


def opportunities_atom(request):
    return OpportunityAtomFeed()(request)


def opportunities_rss(request):
    return OpportunityRssFeed()(request)


def opportunity_calendar(request, pk: int):
    opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk)
    calendar = opportunities_calendar([opportunity], name=opportunity.title)
    return calendar_response(calendar, filename=f"kansen-{opportunity.pk}.ics")


class ClaimForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("How are you connected to this organisation?"),
        help_text=gettext_lazy(
            "Your role there, and how we can check it (for example your work email address)."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )


@login_required
def organisation_claim(request, pk: int):
    organisation = claims.organisation_get_claimable(pk=pk)
    pending = OrganisationClaim.objects.filter(
        organisation=organisation, user=request.user, status=OrganisationClaim.Status.PENDING
    ).first()
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            claims.organisation_claim_request(
                organisation=organisation, user=request.user, message=form.cleaned_data["message"]
            )
        except ApplicationError as exc:
            form.add_error("message" if "message" in exc.errors else None, exc.message)
        else:
            messages.success(
                request,
                _("Thank you. We will check your request to claim %(name)s and email you.")
                % {"name": organisation.name},
            )
            return redirect("organisation-claim", pk=organisation.pk)
    return render(
        request,
        "tenders/organisation_claim.html",
        {"organisation": organisation, "form": form, "pending": pending},
    )
