"""Pages: the public company page, editing your profile, "For you" and the buyer's
"Suggested companies"."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.core.errors import ApplicationError
from marketplace.core.models import Competency, Organisation
from marketplace.core.selectors import user_company
from suppliers import match_selectors, selectors, services
from suppliers.apis import suggested_rows
from suppliers.forms import CompetenciesForm, InviteForm, ProfileForm, ReferenceForm
from suppliers.matching import reasons_sentence
from suppliers.models import CompanyProfile, MatchFeedback
from tenders import selectors as tender_selectors


def _form_errors(form, exc: ApplicationError) -> None:
    for field, errors in exc.errors.items():
        name = field.split(".")[0]
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    if not exc.errors:
        form.add_error(None, exc.message)


def company_public(request, slug: str):
    profile = selectors.company_profile_get_public(slug=slug, user=request.user)
    own = (
        request.user.is_authenticated
        and profile.organisation.memberships.filter(user=request.user).exists()
    )
    return render(
        request,
        "suppliers/company_public.html",
        {"profile": profile, "company": profile.organisation, "own": own},
    )


def company_logo(request, slug: str):
    profile = selectors.company_profile_get_public(slug=slug, user=request.user)
    if not profile.logo:
        raise Http404
    content_type = mimetypes.guess_type(profile.logo.name)[0] or "application/octet-stream"
    response = FileResponse(profile.logo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def _own_company(request) -> Organisation | None:
    company = user_company(user=request.user)
    if company is None:
        messages.info(request, _("Add your company first; then you can fill in its profile."))
    return company


def _profile(company: Organisation) -> CompanyProfile | None:
    return (
        selectors.company_profile_with_relations(
            CompanyProfile.objects.filter(organisation=company)
        )
        .filter()
        .first()
    )


@login_required
def profile_edit(request):
    company = _own_company(request)
    if company is None:
        return redirect("organisation-create", kind="company")
    profile = _profile(company)
    initial = {
        "size_class": company.size_class,
        "city": company.city,
        "website": company.website,
    }
    if profile:
        initial.update(
            {
                "description": profile.description,
                "main_offering": profile.main_offering,
                "trl": profile.trl,
                "founding_year": profile.founding_year,
                "team_size": profile.team_size,
                "languages": ", ".join(profile.languages or []),
                "regions": ", ".join(r.code for r in profile.regions.all()),
                "cpv_codes": ", ".join(c.code for c in profile.cpv_interests.all()),
                "is_public": profile.is_public,
            }
        )
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_profile_update(
                company=company, by=request.user, data=form.profile_data()
            )
            if form.cleaned_data.get("logo"):
                services.company_logo_set(
                    company=company, by=request.user, upload=form.cleaned_data["logo"]
                )
            elif form.cleaned_data.get("remove_logo"):
                services.company_logo_remove(company=company, by=request.user)
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("profile-edit")
    completeness = selectors.profile_completeness(profile, company)
    return render(
        request,
        "suppliers/profile_edit.html",
        {
            "form": form,
            "company": company,
            "profile": profile,
            "completeness": completeness,
        },
    )


@login_required
def profile_competencies(request):
    company = _own_company(request)
    if company is None:
        return redirect("organisation-create", kind="company")
    profile = _profile(company)
    references = list(profile.references.all()) if profile else []
    competencies = Competency.objects.select_related("parent").order_by("position")
    initial = {}
    for cc in profile.competency_levels.all() if profile else []:
        slug = cc.competency.slug
        initial[f"level_{slug}"] = cc.level
        initial[f"evidence_{slug}"] = cc.evidence_url
        initial[f"reference_{slug}"] = cc.evidence_reference_id
    form = CompetenciesForm(
        request.POST or None, initial=initial, competencies=competencies, references=references
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.company_profile_update(
                company=company,
                by=request.user,
                data={"competencies": form.competency_data()},
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your competencies have been saved."))
            return redirect("profile-edit")
    return render(
        request,
        "suppliers/profile_competencies.html",
        {"form": form, "company": company},
    )


@login_required
def profile_references(request):
    company = _own_company(request)
    if company is None:
        return redirect("organisation-create", kind="company")
    form = ReferenceForm(request.POST or None)
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                services.company_reference_delete(
                    company=company, by=request.user, reference_id=int(request.POST["delete"])
                )
                messages.success(request, _("The reference project has been removed."))
            except (ApplicationError, ValueError):
                messages.error(
                    request,
                    _("That reference project no longer exists. The list below is up to date."),
                )
            return redirect("profile-references")
        if form.is_valid():
            try:
                services.company_reference_add(
                    company=company, by=request.user, data=form.cleaned_data
                )
            except ApplicationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The reference project has been added."))
                return redirect("profile-references")
    profile = _profile(company)
    return render(
        request,
        "suppliers/profile_references.html",
        {
            "form": form,
            "company": company,
            "references": list(profile.references.all()) if profile else [],
        },
    )


# -- For you ------------------------------------------------------------------------------------


@login_required
def for_you(request):
    company = user_company(user=request.user)
    rows = match_selectors.matches_for_company(company=company, limit=50) if company else []
    profile = _profile(company) if company else None
    completeness = selectors.profile_completeness(profile, company) if company else None
    return render(
        request,
        "suppliers/for_you.html",
        {
            "company": company,
            "rows": [(row, reasons_sentence(row.reasons)) for row in rows],
            "completeness": completeness,
        },
    )


@login_required
def for_you_detail(request, pk: int):
    company = selectors.user_company_or_404(user=request.user)
    opportunity = tender_selectors.opportunity_get_visible(user=request.user, pk=pk)
    match = match_selectors.match_for_pair(company=company, opportunity=opportunity)
    if match is None:
        messages.info(request, _("Fill in your profile to see how this opportunity fits you."))
        return redirect("profile-edit")
    feedback = (
        MatchFeedback.objects.filter(company=company, opportunity=opportunity)
        .values_list("is_relevant", flat=True)
        .first()
    )
    return render(
        request,
        "suppliers/for_you_detail.html",
        {
            "company": company,
            "opportunity": opportunity,
            "match": match,
            "reasons": match_selectors.match_reasons(match),
            "feedback": feedback,
            "partners": match_selectors.partner_suggestions(
                company=company, opportunity=opportunity
            ),
        },
    )


@login_required
@require_POST
def for_you_feedback(request, pk: int):
    company = selectors.user_company_or_404(user=request.user)
    opportunity = tender_selectors.opportunity_get_visible(user=request.user, pk=pk)
    choice = request.POST.get("relevant")
    level, feedback = messages.SUCCESS, None
    if choice == "undo":
        services.match_feedback_clear(company=company, opportunity=opportunity, by=request.user)
        note = _("Your feedback has been taken back.")
    elif choice in ("yes", "no"):
        feedback = choice == "yes"
        services.match_feedback_set(
            company=company, opportunity=opportunity, by=request.user, is_relevant=feedback
        )
        if feedback:
            note = _("Thank you. We will show you more opportunities like this one.")
        else:
            note = _("Thank you. We hid it and will show you fewer opportunities like this one.")
    else:
        level, note = messages.ERROR, _("Choose relevant or not relevant.")
    target = request.POST.get("next") or reverse("for-you")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("for-you")
    if getattr(request, "htmx", False):
        # htmx swaps in the new buttons and announces the note; the list stays where it is.
        return render(
            request,
            "suppliers/_feedback_buttons.html",
            {"opportunity": opportunity, "feedback": feedback, "note": note, "next_url": target},
        )
    messages.add_message(request, level, note)
    return redirect(target)


# -- Suggested companies ------------------------------------------------------------------------


@login_required
def suggested_companies(request, pk: int):
    opportunity = tender_selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
    rows = suggested_rows(opportunity)[:50]
    return render(
        request,
        "suppliers/suggested_companies.html",
        {
            "opportunity": opportunity,
            "rows": [(row, reasons_sentence(row.reasons)) for row in rows],
            "scan": match_selectors.market_scan(opportunity=opportunity),
            "is_open": opportunity.is_open(),
            "form": InviteForm(),
        },
    )


@login_required
@require_POST
def suggested_invite(request, pk: int, company_id: int):
    opportunity = tender_selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
    company = Organisation.objects.filter(
        pk=company_id, kind=Organisation.Kind.COMPANY, profile__is_public=True
    ).first()
    if company is None:
        raise Http404
    form = InviteForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        services.match_invitation_create(
            opportunity=opportunity, company=company, by=request.user, message=message
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(company)s has been invited to apply. Its members get an email.")
            % {"company": company.name},
        )
    return redirect("suggested-companies", pk=opportunity.pk)
