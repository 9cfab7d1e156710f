"""Pages: alert preferences, saved searches, follows, the alert inbox, unsubscribe."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.core.errors import ApplicationError
from suppliers import services_alerts as services
from suppliers.delivery import preference_for
from suppliers.forms_alerts import PreferenceForm, SavedSearchForm, SaveSearchForm
from suppliers.models_alerts import Alert, Follow, SavedSearch
from tenders import selectors as opportunity_selectors


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def preferences(request):
    pref = preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.preferences_update(user=request.user, **data)
        messages.success(request, _("Your email settings have been saved."))
        return redirect("alerts-preferences")
    return render(
        request,
        "suppliers/alerts/preferences.html",
        {
            "form": form,
            "pref": pref,
            "saved_searches": SavedSearch.objects.filter(user=request.user).order_by("name"),
            "follows": Follow.objects.filter(user=request.user)
            .select_related("opportunity__buyer")
            .order_by("-created_at"),
        },
    )


@login_required
def inbox(request):
    alerts = (
        Alert.objects.filter(user=request.user)
        .select_related("opportunity__buyer", "saved_search")
        .order_by("-created_at")[:100]
    )
    return render(request, "suppliers/alerts/inbox.html", {"alerts": alerts})


@login_required
def saved_search_create(request):
    """Save the search the user is looking at (its parameters come along in the form)."""
    from search.query import OpportunityQuery

    form = SaveSearchForm(request.POST or None)
    params = request.POST if request.method == "POST" else request.GET
    htmx = bool(getattr(request, "htmx", False))
    try:
        pairs = [
            (k, v)
            for k, v in OpportunityQuery.from_params(params).to_params()
            if k not in ("page", "sort")
        ]
    except ApplicationError as exc:
        pairs = []
        form.add_error(None, exc.message)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.saved_search_create(
                user=request.user,
                name=form.cleaned_data["name"],
                params=params,
                cadence=form.cleaned_data["cadence"],
            )
        except ApplicationError as exc:
            for errors in exc.errors.values():
                for error in errors:
                    form.add_error(None, error)
        else:
            done = _("Saved. We will email you when something new matches “%(name)s”.") % {
                "name": saved.name
            }
            if htmx:
                return render(
                    request, "suppliers/alerts/_saved_search_done.html", {"message": done}
                )
            messages.success(request, done)
            return redirect(_next(request, reverse("alerts-preferences")))
    return render(
        request,
        "suppliers/alerts/_saved_search_form.html"
        if htmx
        else "suppliers/alerts/saved_search_form.html",
        {"form": form, "pairs": pairs, "querystring": urlencode(pairs), "next": _next(request, "")},
    )


@login_required
def saved_search_edit(request, pk: int):
    saved = services.saved_search_get_for_user(user=request.user, pk=pk)
    form = SavedSearchForm(request.POST or None, instance=saved)
    if request.method == "POST":
        if "delete" in request.POST:
            services.saved_search_delete(saved_search=saved)
            messages.success(
                request, _("The saved search “%(name)s” was deleted.") % {"name": saved.name}
            )
            return redirect("alerts-preferences")
        if form.is_valid():
            services.saved_search_update(
                saved_search=saved,
                name=form.cleaned_data["name"],
                cadence=form.cleaned_data["cadence"],
                is_paused=form.cleaned_data["is_paused"],
            )
            messages.success(request, _("Saved."))
            return redirect("alerts-preferences")
    return render(
        request,
        "suppliers/alerts/saved_search_edit.html",
        {
            "form": form,
            "saved": saved,
            "querystring": urlencode(saved.params, doseq=True),
            "calendar_url": request.build_absolute_uri(saved_search_calendar_url(saved)),
        },
    )


@login_required
@require_POST
def follow_toggle(request, pk: int):
    opportunity = opportunity_selectors.opportunity_get_visible(user=request.user, pk=pk)
    following = request.POST.get("action") != "unfollow"
    if following:
        services.follow(user=request.user, opportunity=opportunity)
        note = _(
            "You follow this opportunity: we email you about changes, new documents, answers and the deadline."
        )
    else:
        services.unfollow(user=request.user, opportunity=opportunity)
        note = _("You no longer follow this opportunity.")
    if getattr(request, "htmx", False):
        # htmx swaps in the new button and announces the note; the page stays where it is.
        return render(
            request,
            "suppliers/_follow_form.html",
            {"opportunity": opportunity, "following": following, "note": note},
        )
    messages.success(request, note)
    return redirect(_next(request, opportunity.get_absolute_url()))


@csrf_exempt
def unsubscribe(request, token: str):
    """GET shows a confirmation button; POST unsubscribes. Mail programs send the one-click
    POST (RFC 8058: body `List-Unsubscribe=One-Click`) without a session, hence csrf_exempt:
    the signed token is the authorisation and the action only stops email."""
    if request.method == "POST":
        try:
            user, what = services.unsubscribe(token=token)
        except ApplicationError as exc:
            return render(
                request, "suppliers/alerts/unsubscribe.html", {"error": exc.message}, status=400
            )
        return render(
            request, "suppliers/alerts/unsubscribe.html", {"done": what, "email": user.email}
        )
    return render(request, "suppliers/alerts/unsubscribe.html", {"token": token})


CALENDAR_SALT = "kansen.saved-search-calendar"


def saved_search_calendar_url(saved: SavedSearch) -> str:
    """A private address a calendar program can subscribe to (no sign-in: the link is signed)."""
    from django.core import signing

    return reverse(
        "saved-search-calendar", kwargs={"token": signing.dumps(saved.pk, salt=CALENDAR_SALT)}
    )


def saved_search_calendar(request, token: str):
    """The deadlines of what a saved search finds now, as an iCalendar file."""
    import dataclasses

    from django.core import signing
    from django.http import Http404, HttpResponse

    from search.query import OpportunityQuery
    from search.selectors import opportunity_search
    from tenders.opendata.calendar import opportunities_calendar

    try:
        saved = SavedSearch.objects.get(pk=signing.loads(token, salt=CALENDAR_SALT))
        query = OpportunityQuery.from_json(saved.params)
    except (signing.BadSignature, SavedSearch.DoesNotExist, ApplicationError):
        raise Http404 from None
    query = dataclasses.replace(query, status=("published",), sort="closing", page=1, page_size=100)
    page = opportunity_search(user=None, query=query)
    calendar = opportunities_calendar(page.results, name=f"Kansen: {saved.name}")
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kansen-saved-search.ics"'
    return response
