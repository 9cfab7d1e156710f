"""Pages for accounts and organisations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from marketplace.core import selectors, services
from marketplace.core.errors import ApplicationError
from marketplace.core.forms import ApiTokenForm, BuyerForm, CompanyForm, InvitationForm
from marketplace.core.glossary import glossary_terms
from marketplace.core.models import Membership, Organisation


def language_set(request):
    """Django's set_language, and signed-in users keep their choice on every device."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


def glossary(request):
    """Procurement words explained in plain language, in the active language."""
    return render(
        request, "core/glossary.html", {"terms": glossary_terms(language=get_language() or "nl")}
    )


@login_required
def organisation_list(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return render(request, "core/organisation_list.html", {"memberships": memberships})


@login_required
def organisation_create(request, kind: str):
    if kind not in Organisation.Kind.values:
        raise Http404
    form_class = CompanyForm if kind == Organisation.Kind.COMPANY else BuyerForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(
                kind=kind, by=request.user, **{k: v for k, v in form.cleaned_data.items()}
            )
        except ApplicationError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request, _("%(name)s has been created. You are its admin.") % {"name": org.name}
            )
            return redirect("organisation-members", org_id=org.pk)
    return render(request, "core/organisation_form.html", {"form": form, "kind": kind})


@login_required
def organisation_members(request, org_id: int):
    org = selectors.organisation_get_for_member(user=request.user, pk=org_id)
    is_admin = selectors.membership_is_admin(user=request.user, organisation=org)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(organisation=org, by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("organisation-members", org_id=org.pk)
    return render(
        request,
        "core/organisation_members.html",
        {
            "organisation": org,
            "members": selectors.membership_list(organisation=org),
            "invitations": selectors.invitation_list_open(organisation=org),
            "is_admin": is_admin,
            "form": form,
        },
    )


@login_required
@require_POST
def organisation_member_change(request, org_id: int, user_id: int):
    org = selectors.organisation_get_for_member(user=request.user, pk=org_id)
    membership = selectors.membership_list(organisation=org).filter(user_id=user_id).first()
    try:
        if membership is None:
            raise ApplicationError(_("That person is not a member."))
        if request.POST.get("action") == "remove":
            services.membership_remove(organisation=org, user=membership.user, by=request.user)
            messages.success(
                request, _("%(email)s was removed.") % {"email": membership.user.email}
            )
        else:
            services.membership_set_role(
                organisation=org,
                user=membership.user,
                role=request.POST.get("role", ""),
                by=request.user,
            )
            messages.success(
                request, _("Role changed for %(email)s.") % {"email": membership.user.email}
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if membership and membership.user == request.user and request.POST.get("action") == "remove":
        return redirect("organisation-list")
    return redirect("organisation-members", org_id=org.pk)


@login_required
def invitation_accept(request, token: str):
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ApplicationError as exc:
            return render(
                request, "core/invitation_accept.html", {"error": exc.message}, status=400
            )
        messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organisation.name})
        return redirect("organisation-members", org_id=membership.organisation_id)
    return render(request, "core/invitation_accept.html", {"token": token})


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            try:
                services.api_token_revoke(user=request.user, token_id=int(request.POST["revoke"]))
                messages.success(request, _("The token has been revoked."))
            except (ApplicationError, ValueError):
                messages.error(
                    request,
                    _("That token no longer exists. The list below shows your active tokens."),
                )
            return HttpResponseRedirect(reverse("api-tokens"))
        if form.is_valid():
            _token, new_key = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
            form = ApiTokenForm()
    return render(
        request,
        "core/api_tokens.html",
        {"tokens": selectors.api_token_list(user=request.user), "form": form, "new_key": new_key},
    )


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _("Something went wrong on our side. Please try again later."),
                "errors": {},
            },
            status=500,
        )
    return render(request, "500.html", status=500)
