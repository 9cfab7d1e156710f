"""Public pages: the overview of open opportunities (four kinds side by side), a detail page per
kind, document downloads, asking a question, and a buyer organisation's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.core import clock
from marketplace.core.errors import ApplicationError, Forbidden
from marketplace.core.models import Membership, Organisation
from tenders import plain, selectors
from tenders.downloads import document_response
from tenders.forms import QuestionForm
from tenders.models import Opportunity
from tenders.services import questions as question_services

Kind = Opportunity.Kind
KIND_TITLES = {
    Kind.TENDER: gettext_lazy("Tenders"),
    Kind.FUNDING: gettext_lazy("Funding calls"),
    Kind.CO_CREATION: gettext_lazy("Co-creation calls"),
    Kind.TEST_LOCATION: gettext_lazy("Test locations"),
}
KIND_INTROS = {
    Kind.TENDER: gettext_lazy("Contracts to bid on."),
    Kind.FUNDING: gettext_lazy("Grants and subsidies for your plans."),
    Kind.CO_CREATION: gettext_lazy("Challenges to solve together with a public party."),
    Kind.TEST_LOCATION: gettext_lazy("Places where you can pilot your product."),
}
PAGE_SIZE = 20


def _kind_columns(*, now, per_kind: int = 3, newest: bool = False) -> list[dict]:
    counts = selectors.opportunity_counts_by_kind(now=now)

    def items(kind):
        qs = selectors.opportunity_list_open(kind=kind, now=now)
        if newest:
            qs = qs.order_by("-published_at", "-pk")
        return list(qs[:per_kind]) if per_kind else []

    return [
        {
            "kind": kind,
            "title": KIND_TITLES[kind],
            "intro": KIND_INTROS[kind],
            "count": counts[kind],
            "items": items(kind),
        }
        for kind in Kind.values
    ]


def home(request):
    """The home page is the one easy overview: the four kinds side by side with their counts
    and newest opportunities, a search box, and for a signed-in company its best matches and
    coming deadlines (suppliers' `for_you_panels` tag)."""
    columns = _kind_columns(now=clock.now(), newest=True)
    return render(
        request,
        "home.html",
        {"columns": columns, "total_open": sum(c["count"] for c in columns)},
    )


def opportunity_list(request):
    """Every open opportunity, the soonest deadline first; `?kind=` shows one kind."""
    now = clock.now()
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        kind = ""
    columns = _kind_columns(now=now, per_kind=0)
    page = Paginator(selectors.opportunity_list_open(kind=kind or None, now=now), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    return render(
        request,
        "tenders/opportunity_list.html",
        {
            "columns": columns,
            "total_open": sum(c["count"] for c in columns),
            "kind": kind,
            "kind_title": KIND_TITLES.get(kind, ""),
            "page_obj": page_obj,
            "opportunities": page_obj.object_list,
        },
    )


def _company_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(
            user=user, organisation__kind=Organisation.Kind.COMPANY
        ).values_list("organisation_id", flat=True)
    )


def detail_context(request, opportunity: Opportunity, *, preview: bool = False, **extra) -> dict:
    """What the detail page shows; also used for the buyer's preview of a draft."""
    now = clock.now()
    user = request.user
    is_member = user.is_authenticated and selectors.opportunity_user_is_member(
        user=user, opportunity=opportunity
    )
    company_ids = _company_ids(user)
    questions = list(
        selectors.question_list_visible(user=user, opportunity=opportunity, is_member=is_member)
    )
    questions_open = question_services.questions_are_open(opportunity, now=now)
    can_ask = questions_open and bool(company_ids) and not is_member and not preview
    details = getattr(opportunity, _DETAIL_ATTR[opportunity.kind], None)
    context = {
        "opportunity": opportunity,
        "status": opportunity.get_status(now),
        "details": details,
        "one_minute": plain.one_minute(opportunity, details),
        "usually_needed": plain.usually_needed(opportunity),
        "tips": plain.tips_for(opportunity),
        "kind_template": f"tenders/includes/details_{opportunity.kind}.html",
        "is_member": is_member,
        "preview": preview,
        "answered": [q for q in questions if q.is_answered],
        "my_open_questions": [
            q for q in questions if not q.is_answered and q.asked_by_company_id in company_ids
        ],
        "unanswered_count": sum(1 for q in questions if not q.is_answered) if is_member else 0,
        "questions_open": questions_open,
        "question_deadline": question_services.question_deadline(opportunity),
        "can_ask": can_ask,
        "question_form": QuestionForm() if can_ask else None,
        "now": now,
        "amendments": [
            (a, field_labels(opportunity.kind, sorted(a.changes)))
            for a in sorted(opportunity.amendments.all(), key=lambda a: -a.version)
        ],
    }
    context.update(extra)
    return context


_DETAIL_ATTR = {
    Kind.TENDER: "tender",
    Kind.FUNDING: "funding",
    Kind.CO_CREATION: "co_creation",
    Kind.TEST_LOCATION: "test_location",
}


def field_labels(kind: str, names) -> list[str]:
    """Readable names for the fields an amendment changed (`summary`, `details.challenge`,
    `lots` ...)."""
    from tenders.forms import ROWS
    from tenders.services.opportunities import DETAILS

    details_model = DETAILS[kind][1]
    labels = []
    for name in names:
        try:
            if name.startswith("details."):
                label = details_model._meta.get_field(name.split(".", 1)[1]).verbose_name
            elif name in ROWS:
                label = ROWS[name].title
            else:
                label = Opportunity._meta.get_field(name).verbose_name
        except Exception:
            label = name
        labels.append(str(label))
    return labels


def _detail(opportunity_pk) -> Opportunity:
    return selectors.opportunity_with_details(Opportunity.objects.filter(pk=opportunity_pk)).get()


def opportunity_detail(request, pk: int):
    opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk, related=False)
    opportunity = _detail(opportunity.pk)
    return render(request, "tenders/opportunity_detail.html", detail_context(request, opportunity))


@require_POST
def question_ask(request, pk: int):
    """A supplier asks a question from the detail page."""
    opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk, related=False)
    if not request.user.is_authenticated:
        return redirect_to_login(opportunity.get_absolute_url())
    form = QuestionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            question_services.question_ask(
                opportunity=opportunity, by=request.user, text=form.cleaned_data["text"]
            )
        except ApplicationError as exc:
            status = 403 if isinstance(exc, Forbidden) else exc.status_code
            for message in exc.errors.get("text", []) or [exc.message]:
                form.add_error("text" if "text" in exc.errors else None, message)
        else:
            messages.success(
                request,
                _("Your question has been sent. The answer will appear on this page for everyone."),
            )
            return redirect(f"{opportunity.get_absolute_url()}#questions")
    opportunity = _detail(opportunity.pk)
    context = detail_context(request, opportunity)
    context.update({"question_form": form, "can_ask": True})
    return render(request, "tenders/opportunity_detail.html", context, status=status)


def document_download(request, pk: int, document_id: int, version: int | None = None):
    """A document of an opportunity the visitor may see, always as an attachment."""
    opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk, related=False)
    document = selectors.document_get(opportunity=opportunity, pk=document_id)
    return document_response(selectors.document_version_get(document=document, version=version))


def buyer_detail(request, slug: str):
    """A buyer organisation's public page: who they are and what they publish."""
    buyer = selectors.buyer_get_by_slug(slug=slug)
    now = clock.now()
    counts = selectors.buyer_opportunity_counts(buyer=buyer, now=now)
    open_items = list(selectors.opportunity_list_open(buyer=buyer, now=now)[:50])
    earlier = [
        o
        for o in selectors.buyer_opportunity_list_public(buyer=buyer)[:50]
        if o.get_status(now) != Opportunity.Status.PUBLISHED
    ]
    return render(
        request,
        "tenders/buyer_detail.html",
        {"buyer": buyer, "counts": counts, "open_items": open_items, "earlier": earlier},
    )
