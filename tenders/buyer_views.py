"""The buyer's pages: the organisation's opportunities by status, create and edit per kind,
preview, publish, withdraw, close early, award, cancel, documents and answering questions.

Every page starts from `opportunity_get_for_buyer_member`: anyone but a member of the owning
buyer organisation gets a 404, also for published opportunities."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.core import clock
from marketplace.core.errors import ApplicationError
from marketplace.core.models import Organisation
from marketplace.core.selectors import organisation_get_for_member, user_buyer_organisations
from tenders import selectors
from tenders.forms import (
    AnswerForm,
    AwardForm,
    DocumentReplaceForm,
    DocumentUploadForm,
    OpportunityFormSet,
    OptionalReasonForm,
    ReasonForm,
)
from tenders.models import Opportunity, Question
from tenders.services import documents as document_services
from tenders.services import opportunities as services
from tenders.services import questions as question_services
from tenders.views import KIND_INTROS, KIND_TITLES, detail_context

Status = Opportunity.Status
STATUS_TITLES = {
    Status.DRAFT: gettext_lazy("Drafts"),
    Status.PUBLISHED: gettext_lazy("Open"),
    Status.CLOSED: gettext_lazy("Closed, to be awarded"),
    Status.AWARDED: gettext_lazy("Awarded"),
    Status.CANCELLED: gettext_lazy("Cancelled"),
}


def _manage_url(opportunity, anchor: str = "") -> str:
    url = reverse("opportunity-manage", kwargs={"pk": opportunity.pk})
    return f"{url}#{anchor}" if anchor else url


def _flash_error(request, exc: ApplicationError) -> None:
    details = [m for messages_ in exc.errors.values() for m in messages_]
    text = exc.message
    if details and details != [exc.message]:
        text = f"{exc.message} " + " ".join(details)
    messages.error(request, text)


def _datalists() -> dict:
    from marketplace.core.models import CpvCode, Region

    return {
        "cpv_options": CpvCode.objects.filter(level__lte=CpvCode.Level.GROUP).order_by("code"),
        "region_options": Region.objects.filter(country="NL").order_by("kind", "code"),
        "municipality_options": Region.objects.filter(kind=Region.Kind.MUNICIPALITY).order_by(
            "label_nl"
        ),
    }


@login_required
def buyer_dashboard(request):
    """The opportunities of the user's buyer organisations, grouped by status."""
    buyers = list(user_buyer_organisations(user=request.user))
    groups = selectors.opportunity_list_by_status_for_buyer_member(user=request.user)
    sections = [
        {"status": status, "title": STATUS_TITLES[status], "items": items}
        for status, items in groups.items()
    ]
    return render(
        request,
        "tenders/manage/dashboard.html",
        {"buyers": buyers, "sections": sections, "total": sum(len(s["items"]) for s in sections)},
    )


@login_required
def opportunity_create_choose(request):
    buyers = list(user_buyer_organisations(user=request.user))
    if not buyers:
        messages.info(request, _("Register your buyer organisation first."))
        return redirect("organisation-create", kind=Organisation.Kind.BUYER)
    kinds = [
        {"kind": kind, "title": KIND_TITLES[kind], "intro": KIND_INTROS[kind]}
        for kind in Opportunity.Kind.values
    ]
    return render(request, "tenders/manage/choose_kind.html", {"kinds": kinds})


@login_required
def opportunity_create(request, kind: str):
    if kind not in Opportunity.Kind.values:
        raise Http404
    buyers = list(user_buyer_organisations(user=request.user))
    if not buyers:
        messages.info(request, _("Register your buyer organisation first."))
        return redirect("organisation-create", kind=Organisation.Kind.BUYER)
    bundle = OpportunityFormSet(
        kind=kind, data=request.POST if request.method == "POST" else None, buyers=buyers
    )
    status = 200
    if request.method == "POST":
        status = 400
        if bundle.is_valid():
            buyer = buyers[0]
            if "buyer" in bundle.main.cleaned_data:
                buyer = organisation_get_for_member(
                    user=request.user,
                    pk=bundle.main.cleaned_data["buyer"],
                    kind=Organisation.Kind.BUYER,
                )
            try:
                opportunity = services.opportunity_create(
                    buyer=buyer, by=request.user, kind=kind, data=bundle.to_data()
                )
            except ApplicationError as exc:
                bundle.add_service_errors(exc.errors, exc.message)
            else:
                messages.success(
                    request,
                    _("The draft has been saved. Check what is still missing, then publish it."),
                )
                return redirect(_manage_url(opportunity))
    return render(
        request,
        "tenders/manage/form.html",
        {
            "bundle": bundle,
            "kind": kind,
            "kind_title": Opportunity.Kind(kind).label,
            "opportunity": None,
            **_datalists(),
        },
        status=status,
    )


@login_required
def opportunity_edit(request, pk: int):
    opportunity = selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
    status_now = opportunity.get_status(clock.now())
    if status_now in (Status.AWARDED, Status.CANCELLED):
        messages.error(
            request,
            _(
                "This opportunity is %(status)s and can no longer be changed. You can still read "
                "it and its applications."
            )
            % {"status": opportunity.get_status_display()},
        )
        return redirect(_manage_url(opportunity))
    amending = status_now != Status.DRAFT
    bundle = OpportunityFormSet(
        kind=opportunity.kind,
        data=request.POST if request.method == "POST" else None,
        opportunity=opportunity,
        with_reason=amending,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if bundle.is_valid():
            try:
                services.opportunity_update(
                    opportunity=opportunity,
                    by=request.user,
                    data=bundle.to_data(),
                    reason=bundle.main.cleaned_data.get("reason", ""),
                )
            except ApplicationError as exc:
                bundle.add_service_errors(exc.errors, exc.message)
            else:
                messages.success(
                    request,
                    _("The changes are published; followers are told.")
                    if amending
                    else _("The draft has been saved."),
                )
                return redirect(_manage_url(opportunity))
    return render(
        request,
        "tenders/manage/form.html",
        {
            "bundle": bundle,
            "kind": opportunity.kind,
            "kind_title": opportunity.get_kind_display(),
            "opportunity": opportunity,
            "amending": amending,
            **_datalists(),
        },
        status=status,
    )


def _manage_context(request, opportunity: Opportunity, **forms) -> dict:
    now = clock.now()
    status = opportunity.get_status(now)
    ended = status in (Status.AWARDED, Status.CANCELLED)
    questions = list(
        Question.objects.filter(opportunity=opportunity).order_by("answered_at", "asked_at")
    )
    documents = list(selectors.document_list(opportunity=opportunity))
    replace_forms = forms.get("replace_forms", {})
    answer_forms = forms.get("answer_forms", {})
    for document in documents:
        document.replace_form = replace_forms.get(document.pk) or DocumentReplaceForm(
            prefix=f"replace-{document.pk}"
        )
    for question in questions:
        question.answer_form = answer_forms.get(question.pk) or AnswerForm(
            prefix=f"answer-{question.pk}",
            initial={"question": question.shown_text, "answer": question.answer},
        )
    return {
        "opportunity": opportunity,
        "status": status,
        "missing": services.opportunity_missing_fields(opportunity, now=now)
        if status == Status.DRAFT
        else {},
        "documents": documents,
        "upload_form": forms.get("upload_form") or (None if ended else DocumentUploadForm()),
        "unanswered": [q for q in questions if not q.is_answered],
        "answered": [q for q in questions if q.is_answered],
        "can_answer": status in (Status.PUBLISHED, Status.CLOSED),
        "amendments": list(opportunity.amendments.order_by("-version")),
        "awards": list(opportunity.awards.select_related("company", "lot")),
        "close_form": OptionalReasonForm(prefix="close"),
        "withdraw_form": OptionalReasonForm(prefix="withdraw"),
        "ended": ended,
        "can_delete": opportunity.published_at is None,
    }


@login_required
def opportunity_manage(request, pk: int):
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    return render(request, "tenders/manage/manage.html", _manage_context(request, opportunity))


@login_required
def opportunity_preview(request, pk: int):
    """The public page as it will look, also for a draft."""
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    opportunity = selectors.opportunity_with_details(Opportunity.objects.filter(pk=pk)).get()
    return render(
        request,
        "tenders/opportunity_detail.html",
        detail_context(request, opportunity, preview=True),
    )


def _action(request, pk: int, run, success: str):
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    try:
        run(opportunity)
    except ApplicationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, success)
    return redirect(_manage_url(opportunity))


@login_required
@require_POST
def opportunity_publish(request, pk: int):
    return _action(
        request,
        pk,
        lambda o: services.opportunity_publish(opportunity=o, by=request.user),
        _("It is published. Companies can find it now."),
    )


@login_required
@require_POST
def opportunity_withdraw(request, pk: int):
    form = OptionalReasonForm(request.POST, prefix="withdraw")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _action(
        request,
        pk,
        lambda o: services.opportunity_withdraw(opportunity=o, by=request.user, reason=reason),
        _("It is withdrawn and back to draft; only your organisation can see it."),
    )


@login_required
@require_POST
def opportunity_close(request, pk: int):
    form = OptionalReasonForm(request.POST, prefix="close")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _action(
        request,
        pk,
        lambda o: services.opportunity_close_early(opportunity=o, by=request.user, reason=reason),
        _("It is closed. No more applications can come in."),
    )


@login_required
@require_POST
def opportunity_delete(request, pk: int):
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    try:
        services.opportunity_delete_draft(opportunity=opportunity, by=request.user)
    except ApplicationError as exc:
        _flash_error(request, exc)
        return redirect(_manage_url(opportunity))
    messages.success(request, _("The draft has been deleted."))
    return redirect("buyer-dashboard")


@login_required
def opportunity_award(request, pk: int):
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    form = AwardForm(request.POST or None, opportunity=opportunity)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            not_awarded = data["outcome"] == "not_awarded"
            winners = []
            if not not_awarded:
                lot = None
                if data.get("lot"):
                    lot = opportunity.lots.filter(number=data["lot"]).first()
                winners.append(
                    {
                        "company": data.get("company"),
                        "supplier_name": data.get("supplier_name", ""),
                        "value": data.get("value"),
                        "lot": lot,
                    }
                )
            try:
                services.opportunity_award(
                    opportunity=opportunity,
                    by=request.user,
                    winners=winners,
                    not_awarded=not_awarded,
                    note=data.get("note", ""),
                )
            except ApplicationError as exc:
                status = exc.status_code
                for key, texts in exc.errors.items():
                    for text in texts:
                        form.add_error("company" if key == "winners" else None, text)
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("The outcome is recorded and published."))
                return redirect(_manage_url(opportunity))
    companies = Organisation.objects.filter(kind=Organisation.Kind.COMPANY).order_by("name")[:500]
    return render(
        request,
        "tenders/manage/award.html",
        {"opportunity": opportunity, "form": form, "companies": companies},
        status=status,
    )


@login_required
def opportunity_cancel(request, pk: int):
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.opportunity_cancel(
                    opportunity=opportunity, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ApplicationError as exc:
                status = exc.status_code
                form.add_error("reason" if "reason" in exc.errors else None, exc.message)
            else:
                messages.success(request, _("It is cancelled. Applicants and followers are told."))
                return redirect(_manage_url(opportunity))
    return render(
        request,
        "tenders/manage/cancel.html",
        {"opportunity": opportunity, "form": form},
        status=status,
    )


@login_required
@require_POST
def document_upload(request, pk: int):
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_services.document_add(
                opportunity=opportunity,
                by=request.user,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ApplicationError as exc:
            for key, texts in (exc.errors or {"file": [exc.message]}).items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(request, _("The document has been added."))
            return redirect(_manage_url(opportunity, "documents"))
    context = _manage_context(request, opportunity, upload_form=form)
    return render(request, "tenders/manage/manage.html", context, status=400)


@login_required
@require_POST
def document_replace(request, pk: int, document_id: int):
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    document = selectors.document_get(opportunity=opportunity, pk=document_id)
    form = DocumentReplaceForm(request.POST, request.FILES, prefix=f"replace-{document.pk}")
    if form.is_valid():
        try:
            document_services.document_replace(
                document=document,
                by=request.user,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            for key, texts in (exc.errors or {"file": [exc.message]}).items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(request, _("The new version has been added; the old one is kept."))
            return redirect(_manage_url(opportunity, "documents"))
    context = _manage_context(request, opportunity, replace_forms={document.pk: form})
    return render(request, "tenders/manage/manage.html", context, status=400)


@login_required
@require_POST
def document_delete(request, pk: int, document_id: int):
    opportunity = selectors.opportunity_get_for_buyer_member(
        user=request.user, pk=pk, related=False
    )
    document = selectors.document_get(opportunity=opportunity, pk=document_id)
    return _action(
        request,
        opportunity.pk,
        lambda o: document_services.document_delete(document=document, by=request.user),
        _("The document has been deleted."),
    )


@login_required
@require_POST
def question_answer(request, pk: int, question_id: int):
    question = selectors.question_get_for_buyer_member(
        user=request.user, opportunity_pk=pk, pk=question_id
    )
    opportunity = question.opportunity
    form = AnswerForm(request.POST, prefix=f"answer-{question.pk}")
    if form.is_valid():
        try:
            question_services.question_answer(
                question=question,
                by=request.user,
                answer=form.cleaned_data["answer"],
                public_text=form.cleaned_data["question"],
            )
        except ApplicationError as exc:
            form.add_error("answer" if "answer" in exc.errors else None, exc.message)
        else:
            messages.success(request, _("The answer is published."))
            return redirect(_manage_url(opportunity, "questions"))
    context = _manage_context(request, opportunity, answer_forms={question.pk: form})
    return render(request, "tenders/manage/manage.html", context, status=400)
