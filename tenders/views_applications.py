"""Pages for applying (companies) and evaluating (buyers). Thin: each view finds the object
through an accessor, calls services, and renders; errors become messages on the page."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, Forbidden, NotFound, TransitionError
from marketplace.core.models import Organisation
from marketplace.core.selectors import membership_is_admin, organisation_list_for_user
from tenders import selectors as opportunity_selectors
from tenders import selectors_applications as selectors
from tenders.forms_applications import ApplicationForm, DecisionForm, QuestionForm, ScoreForm
from tenders.models import Application, ApplicationFile, Opportunity
from tenders.services import application_content as content
from tenders.services import applications as services

Status = Application.Status

DASHBOARD_GROUPS = [
    (gettext_lazy("Drafts"), [Status.DRAFT], "drafts"),
    (gettext_lazy("Submitted"), [Status.SUBMITTED], "submitted"),
    (gettext_lazy("On the shortlist"), [Status.SHORTLISTED], "shortlisted"),
    (
        gettext_lazy("Outcome"),
        [Status.AWARDED, Status.APPROVED, Status.REJECTED, Status.DECLINED],
        "outcome",
    ),
    (gettext_lazy("Withdrawn"), [Status.WITHDRAWN], "withdrawn"),
]


def _rendered_items(application: Application) -> list[dict]:
    """The working copy as labelled rows (what the company would submit now)."""
    spec = selectors.application_form_spec(application.opportunity)
    rows = {
        f.pk: f
        for f in ApplicationFile.objects.filter(
            application=application, pk__in=list((application.draft.get("files") or {}).values())
        )
    }
    files = {
        slot: {"id": pk, "name": rows[pk].name, "size": rows[pk].size, "sha256": rows[pk].sha256}
        for slot, pk in (application.draft.get("files") or {}).items()
        if pk in rows
    }
    return content.content_items(spec, application.draft, files)


# ---------------------------------------------------------------------------------------------
# The company's pages


@login_required
def application_list(request):
    applications = list(selectors.application_list_for_company_member(user=request.user))
    groups = [
        {
            "title": title,
            "slug": slug,
            "applications": [a for a in applications if a.status in statuses],
        }
        for title, statuses, slug in DASHBOARD_GROUPS
    ]
    companies = organisation_list_for_user(user=request.user, kind=Organisation.Kind.COMPANY)
    return render(
        request,
        "tenders/applications/list.html",
        {"groups": groups, "count": len(applications), "has_company": companies.exists()},
    )


@login_required
def application_start(request, pk: int):
    opportunity = opportunity_selectors.opportunity_get_visible(user=request.user, pk=pk)
    companies = list(organisation_list_for_user(user=request.user, kind=Organisation.Kind.COMPANY))
    for company in companies:
        live = selectors.application_get_live(company=company, opportunity=opportunity)
        if live is not None and len(companies) == 1:
            return redirect(live)
    error = None
    if request.method == "POST":
        chosen = next(
            (
                c
                for c in companies
                if str(c.pk)
                == request.POST.get("company", str(companies[0].pk) if companies else "")
            ),
            None,
        )
        if chosen is None:
            error = _("Choose the company that applies.")
        else:
            try:
                application = services.application_create(
                    opportunity=opportunity, company=chosen, by=request.user
                )
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("Your draft has been started. It is saved every time you press Save."),
                )
                return redirect(application)
    spec = selectors.application_form_spec(opportunity)
    return render(
        request,
        "tenders/applications/start.html",
        {
            "opportunity": opportunity,
            "companies": companies,
            "spec": spec,
            "error": error,
            "is_open": opportunity.is_open(),
        },
        status=400 if error else 200,
    )


def _application_page(request, application: Application, form=None, status: int = 200):
    now = clock.now()
    opportunity = application.opportunity
    spec = selectors.application_form_spec(opportunity)
    editable = application.status in services.EDITABLE and (
        opportunity.is_open(now)
        or (
            application.status != Status.SUBMITTED
            and opportunity.get_status(now)
            not in (Opportunity.Status.AWARDED, Opportunity.Status.CANCELLED)
        )
    )
    periods = []
    if opportunity.kind == Opportunity.Kind.TEST_LOCATION:
        booked = selectors.location_booked_days(opportunity=opportunity, exclude_pk=application.pk)
        periods = selectors.location_free_periods(
            spec=spec, booked=booked, today=services.local_date(now)
        )
    if form is None and editable:
        form = ApplicationForm(spec=spec, application=application, periods=periods)
    missing = services.application_missing(application=application, now=now)
    missing_links = []
    for key, problems in missing.items():
        name = form.field_for(key) if form else None
        anchor = f"id_{name}" if name else ""
        missing_links.extend({"anchor": anchor, "message": m} for m in problems)
    versions = list(application.versions.order_by("-number"))
    return render(
        request,
        "tenders/applications/detail.html",
        {
            "application": application,
            "opportunity": opportunity,
            "form": form,
            "editable": editable,
            "is_open": opportunity.is_open(now),
            "missing": missing_links,
            "versions": versions,
            "items": None if editable else _rendered_items(application),
            "submitted_items": application.current_version.content["items"]
            if application.current_version
            else None,
            "events": selectors.application_events_for_company(application=application),
            "deadline": services.local_deadline(opportunity.closes_at)
            if opportunity.closes_at
            else None,
        },
        status=status,
    )


@login_required
def application_detail(request, pk: int):
    application = selectors.application_get_for_company_member(user=request.user, pk=pk)
    if request.method != "POST":
        return _application_page(request, application)
    spec = selectors.application_form_spec(application.opportunity)
    form = ApplicationForm(request.POST, request.FILES, spec=spec, application=application)
    if not form.is_valid():
        return _application_page(request, application, form, status=400)
    try:
        services.application_update(application=application, by=request.user, data=form.content())
    except TransitionError as exc:
        messages.error(request, exc.message)
        return _application_page(request, application, form, status=409)
    except ApplicationError as exc:
        form.add_service_errors(exc.errors or {"__all__": [exc.message]})
        return _application_page(request, application, form, status=400)
    refused = False
    for name, slot, upload in form.uploads():
        try:
            services.application_file_add(
                application=application, by=request.user, slot=slot, upload=upload
            )
        except ApplicationError as exc:
            refused = True
            for message in [m for ms in exc.errors.values() for m in ms] or [exc.message]:
                form.add_error(name, message)
    for name in request.POST.getlist("remove_file"):
        if name in (application.draft.get("files") or {}):
            services.application_file_remove(application=application, by=request.user, slot=name)
    application.refresh_from_db()
    if refused:
        messages.error(
            request,
            _(
                "Your answers are saved, but a file was refused. The message at the file says why: "
                "choose another file and save again."
            ),
        )
        return _application_page(request, application, form, status=400)
    if request.POST.get("action") == "submit":
        try:
            version = services.application_submit(application=application, by=request.user)
        except TransitionError as exc:
            messages.error(request, exc.message)
            return _application_page(request, application, status=409)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return _application_page(request, application, status=400)
        messages.success(
            request,
            _("Submitted. Version %(n)d has been received; we emailed you the receipt.")
            % {"n": version.number},
        )
        return redirect("application-receipt", pk=application.pk, number=version.number)
    messages.success(request, _("Saved."))
    return redirect(application)


@login_required
@require_POST
def application_withdraw(request, pk: int):
    application = selectors.application_get_for_company_member(user=request.user, pk=pk)
    try:
        services.application_withdraw(
            application=application, by=request.user, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Withdrawn. The buyer no longer receives it; you can resubmit until the deadline."),
        )
    return redirect(application)


@login_required
@require_POST
def application_delete(request, pk: int):
    application = selectors.application_get_for_company_member(user=request.user, pk=pk)
    try:
        services.application_delete(application=application, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(application)
    messages.success(request, _("The draft has been deleted."))
    return redirect("application-list")


def _download(row: ApplicationFile) -> FileResponse:
    return FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.name, content_type=row.content_type
    )


@login_required
def application_file(request, pk: int, file_id: int):
    application = selectors.application_get_for_company_member(user=request.user, pk=pk)
    row = ApplicationFile.objects.filter(application=application, pk=file_id).first()
    if row is None:
        raise Http404
    return _download(row)


def _version(request, pk: int, number: int):
    application = selectors.application_get_for_company_member(user=request.user, pk=pk)
    version = application.versions.filter(number=number).select_related("submitted_by").first()
    if version is None:
        raise Http404
    return application, version


@login_required
def application_receipt(request, pk: int, number: int):
    application, version = _version(request, pk, number)
    return render(
        request,
        "tenders/applications/receipt.html",
        {
            "application": application,
            "version": version,
            "submitted_at": services.local_deadline(version.submitted_at),
            "verified": content.content_hash(version.content) == version.content_hash,
        },
    )


@login_required
def application_receipt_text(request, pk: int, number: int):
    application, version = _version(request, pk, number)
    response = render(
        request,
        "tenders/applications/receipt.txt",
        {
            "application": application,
            "version": version,
            "submitted_at": services.local_deadline(version.submitted_at),
        },
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="kansen-receipt-{application.pk}-v{version.number}.txt"'
    )
    return response


@login_required
def application_version_json(request, pk: int, number: int):
    """The exact bytes the content hash is computed over."""
    _application, version = _version(request, pk, number)
    response = HttpResponse(
        content.canonical_json(version.content), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="kansen-application-{pk}-v{number}.json"'
    )
    return response


# ---------------------------------------------------------------------------------------------
# The buyer's pages


def _side_by_side(applications: list[Application]) -> list[dict]:
    """Rows of answers (one per form item), a cell per application, in the form's order."""
    rows: dict[str, dict] = {}
    for index, application in enumerate(applications):
        for item in application.current_version.content["items"]:
            row = rows.setdefault(
                item["key"], {"label": item["label"], "cells": [None] * len(applications)}
            )
            row["cells"][index] = item
    return list(rows.values())


@login_required
def evaluation_overview(request, pk: int):
    now = clock.now()
    opportunity, box, qs = selectors.application_list_for_buyer_member(
        user=request.user, opportunity_pk=pk, now=now
    )
    applications = list(qs)
    criteria = list(opportunity.award_criteria.all())
    summaries = {
        a.pk: selectors.application_score_summary(
            application=a, criteria=criteria, user=request.user
        )[1]
        for a in applications
    }
    problems = None
    if box.is_readable and opportunity.get_status(now) == Opportunity.Status.CLOSED:
        try:
            services.application_award_precondition(opportunity=opportunity, now=now)
        except TransitionError as exc:
            problems = [m for ms in exc.errors.values() for m in ms]
        else:
            problems = []
    return render(
        request,
        "tenders/applications/evaluation.html",
        {
            "opportunity": opportunity,
            "box": box,
            "sealed_message": selectors.sealed_message(opportunity, box)
            if not box.is_readable
            else "",
            "applications": [(a, summaries[a.pk]) for a in applications],
            "rows": _side_by_side(applications) if applications else [],
            "award_problems": problems,
            "is_admin": membership_is_admin(user=request.user, organisation=opportunity.buyer),
            "deadline": services.local_deadline(opportunity.closes_at)
            if opportunity.closes_at
            else None,
            "openings": selectors.box_openings(opportunity=opportunity),
        },
    )


@login_required
@require_POST
def evaluation_open(request, pk: int):
    opportunity = opportunity_selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
    try:
        opening = services.applications_open(opportunity=opportunity, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The box is open: %(count)d applications can now be read. The opening is logged.")
            % {"count": opening.application_count},
        )
    return redirect("application-evaluation", pk=pk)


def _evaluate_page(
    request, application: Application, *, score_form=None, decision_form=None, status=200
):
    opportunity = application.opportunity
    criteria = list(opportunity.award_criteria.all())
    rows, total = selectors.application_score_summary(
        application=application, criteria=criteria, user=request.user
    )
    mine = {r.criterion.pk: r.mine for r in rows if r.mine}
    is_admin = membership_is_admin(user=request.user, organisation=opportunity.buyer)
    version = application.current_version
    return render(
        request,
        "tenders/applications/evaluate.html",
        {
            "application": application,
            "opportunity": opportunity,
            "version": version,
            "items": version.content["items"],
            "partners": version.content.get("partners") or [],
            "requested": version.draft,
            "score_rows": rows,
            "total": total,
            "score_form": score_form or ScoreForm(criteria=criteria, mine=mine),
            "decision_form": decision_form
            or DecisionForm(
                initial={
                    "feedback": application.feedback,
                    "starts_on": application.booked_starts_on or version.draft.get("starts_on"),
                    "ends_on": application.booked_ends_on or version.draft.get("ends_on"),
                }
            ),
            "decisions": ["approve", "decline"]
            if opportunity.kind == Opportunity.Kind.TEST_LOCATION
            else ["shortlist", "award", "reject"],
            "is_admin": is_admin,
            "events": application.events.select_related("actor", "actor_organisation")
            if is_admin
            else None,
        },
        status=status,
    )


@login_required
def evaluation_detail(request, pk: int, app_pk: int):
    application = selectors.application_get_for_buyer_member(
        user=request.user, opportunity_pk=pk, pk=app_pk
    )
    if request.method != "POST":
        return _evaluate_page(request, application)
    action = request.POST.get("action", "")
    criteria = list(application.opportunity.award_criteria.all())
    try:
        if action == "score":
            form = ScoreForm(request.POST, criteria=criteria, mine={})
            if not form.is_valid():
                return _evaluate_page(request, application, score_form=form, status=400)
            services.application_score(
                application=application, by=request.user, scores=form.scores()
            )
            messages.success(request, _("Your scores are saved."))
        elif action == "feedback" or action in services.DECISIONS:
            form = DecisionForm(request.POST)
            if not form.is_valid():
                return _evaluate_page(request, application, decision_form=form, status=400)
            feedback = form.cleaned_data["feedback"]
            if action == "feedback":
                services.application_feedback_set(
                    application=application, by=request.user, feedback=feedback
                )
                messages.success(request, _("The feedback is saved and the company is told."))
            else:
                lots = None
                chosen = [v for v in request.POST.getlist("lots") if v.isdigit()]
                if action == "award" and chosen:
                    lots = list(application.opportunity.lots.filter(pk__in=chosen))
                services.application_decide(
                    application=application,
                    by=request.user,
                    decision=action,
                    feedback=feedback or None,
                    lots=lots,
                    starts_on=form.cleaned_data.get("starts_on"),
                    ends_on=form.cleaned_data.get("ends_on"),
                )
                application.refresh_from_db()
                messages.success(
                    request,
                    _("Decision saved: %(status)s.") % {"status": application.get_status_display()},
                )
        else:
            raise ApplicationError(_("Unknown action."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for problems in exc.errors.values():
            for problem in problems:
                if problem != exc.message:
                    messages.error(request, problem)
        return _evaluate_page(request, application, status=exc.status_code)
    return redirect("application-evaluate", pk=pk, app_pk=app_pk)


@login_required
def evaluation_file(request, pk: int, app_pk: int, file_id: int):
    application = selectors.application_get_for_buyer_member(
        user=request.user, opportunity_pk=pk, pk=app_pk
    )
    submitted = (application.current_version.draft.get("files") or {}).values()
    row = ApplicationFile.objects.filter(application=application, pk=file_id).first()
    if row is None or row.pk not in submitted:
        raise Http404
    return _download(row)


CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that spreadsheet programs will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = _("yes") if value else _("no")
    text = str(value)
    return "'" + text if text.startswith(CSV_RISKY) else text


@login_required
def evaluation_export(request, pk: int):
    """Every received application as one CSV row, after the deadline (and the opening)."""
    now = clock.now()
    opportunity, box, qs = selectors.application_list_for_buyer_member(
        user=request.user, opportunity_pk=pk, now=now
    )
    if not box.is_readable:
        raise Forbidden(selectors.sealed_message(opportunity, box))
    if opportunity.closes_at is not None and now < opportunity.closes_at:
        raise Forbidden(_("The export is available after the deadline."))
    applications = list(qs)
    criteria = list(opportunity.award_criteria.all())
    rows = _side_by_side(applications)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kansen-applications-{pk}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("application"),
            _("company"),
            _("KvK number"),
            _("partners"),
            _("status"),
            _("version"),
            _("submitted at (Amsterdam time)"),
            _("content hash (SHA-256)"),
            _("total score (of 100)"),
            *[row["label"] for row in rows],
            _("feedback"),
        ]
    )
    for index, a in enumerate(applications):
        version = a.current_version
        _rows, total = selectors.application_score_summary(application=a, criteria=criteria)
        partners = "; ".join(
            f"{p['name']} ({p['kvk_number']})" for p in version.content.get("partners") or []
        )
        cells = []
        for row in rows:
            item = row["cells"][index]
            value = item["value"] if item else None
            if item and item.get("file"):
                value = f"{item['file']['name']} (sha256 {item['file']['sha256']})"
            cells.append(value)
        writer.writerow(
            [
                _cell(v)
                for v in [
                    a.pk,
                    a.company.name,
                    a.company.kvk_number,
                    partners,
                    a.get_status_display(),
                    version.number,
                    version.submitted_at.astimezone(clock.AMSTERDAM).strftime("%Y-%m-%d %H:%M:%S"),
                    version.content_hash,
                    total,
                    *cells,
                    a.feedback,
                ]
            ]
        )
    return response


@login_required
@require_POST
def evaluation_award(request, pk: int):
    opportunity = opportunity_selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
    try:
        services.applications_award_publish(
            opportunity=opportunity, by=request.user, note=request.POST.get("note", "")[:5000]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("The award is published on the opportunity."))
    return redirect("application-evaluation", pk=pk)


@login_required
def evaluation_log(request, pk: int):
    opportunity, events = selectors.application_events_for_buyer_admin(
        user=request.user, opportunity_pk=pk
    )
    return render(
        request,
        "tenders/applications/log.html",
        {
            "opportunity": opportunity,
            "events": events,
            "openings": selectors.box_openings(opportunity=opportunity),
        },
    )


@login_required
def application_questions(request, pk: int):
    opportunity = opportunity_selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
    form = QuestionForm()
    status = 200
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                question = opportunity.application_questions.filter(
                    pk=request.POST.get("delete")
                ).first()
                if question is None:
                    raise NotFound()
                services.application_question_delete(question=question, by=request.user)
                messages.success(request, _("The question has been removed."))
                return redirect("application-questions", pk=pk)
            form = QuestionForm(request.POST)
            if form.is_valid():
                services.application_question_create(
                    opportunity=opportunity, by=request.user, data=form.data_for_service()
                )
                messages.success(request, _("The question has been added to the form."))
                return redirect("application-questions", pk=pk)
            status = 400
        except ApplicationError as exc:
            status = exc.status_code
            if not form.is_bound:
                messages.error(request, exc.message)
            elif exc.errors:
                for key, problems in exc.errors.items():
                    for problem in problems:
                        form.add_error(key if key in form.fields else None, problem)
            else:
                form.add_error(None, exc.message)
    return render(
        request,
        "tenders/applications/questions.html",
        {
            "opportunity": opportunity,
            "questions": opportunity.application_questions.all(),
            "form": form,
        },
        status=status,
    )
