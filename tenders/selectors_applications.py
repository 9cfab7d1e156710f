"""Reads for applications. Companies see their own; the buyer's members see what was received
for their opportunities, and only once the sealed box may be read. Accessors answer NotFound for
"missing" and "not yours" alike."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from marketplace.core import clock
from marketplace.core.errors import Forbidden, NotFound
from marketplace.core.models import Membership, Organisation, User
from marketplace.core.selectors import membership_is_admin
from tenders.models import (
    Application,
    ApplicationEvent,
    ApplicationScore,
    AwardCriterion,
    FundingDetails,
    Opportunity,
    SealedBoxOpening,
    TestLocationDetails,
)
from tenders.selectors import opportunity_list_for_buyer_member
from tenders.services.application_content import FormSpec

Status = Application.Status


def _company_ids(user: User | None) -> list[int]:
    if user is None or not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(
            user=user, organisation__kind=Organisation.Kind.COMPANY
        ).values_list("organisation_id", flat=True)
    )


def application_with_relations(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("opportunity", "opportunity__buyer", "company", "current_version")


def application_list_for_company_member(*, user: User) -> QuerySet[Application]:
    """Every application (any status) of the companies the user belongs to, newest first."""
    return application_with_relations(
        Application.objects.filter(company_id__in=_company_ids(user))
    ).order_by("-updated_at", "-pk")


def application_get_for_company_member(*, user: User, pk) -> Application:
    """The application if the user is a member of its (lead) company; NotFound otherwise."""
    try:
        return application_list_for_company_member(user=user).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def application_get_live(*, company: Organisation, opportunity: Opportunity) -> Application | None:
    """The company's live (not withdrawn) application to the opportunity, if any."""
    return (
        Application.objects.filter(company=company, opportunity=opportunity)
        .exclude(status=Status.WITHDRAWN)
        .first()
    )


def application_form_spec(opportunity: Opportunity) -> FormSpec:
    """The application form of an opportunity: criteria to answer, lots, documents, the buyer's
    questions, the funding range, the availability of a test location."""
    kind = opportunity.kind
    spec = FormSpec(
        opportunity=opportunity,
        criteria=[
            c for c in opportunity.award_criteria.all() if c.type == AwardCriterion.Type.QUALITY
        ],
        documents=list(opportunity.required_documents.all()),
        questions=list(opportunity.application_questions.all()),
    )
    if kind == Opportunity.Kind.TENDER:
        spec.lots = list(opportunity.lots.all())
    elif kind == Opportunity.Kind.FUNDING:
        spec.funding = FundingDetails.objects.filter(opportunity=opportunity).first()
    elif kind == Opportunity.Kind.TEST_LOCATION:
        spec.windows = list(opportunity.availability.all())
        details = TestLocationDetails.objects.filter(opportunity=opportunity).first()
        spec.capacity = (details.capacity if details and details.capacity else None) or 1
    return spec


def location_booked_days(
    *, opportunity: Opportunity, exclude_pk: int | None = None
) -> Counter[dt.date]:
    """How many approved bookings cover each day (other than application `exclude_pk`)."""
    booked: Counter[dt.date] = Counter()
    rows = (
        Application.objects.filter(
            opportunity=opportunity, status=Status.APPROVED, booked_starts_on__isnull=False
        )
        .exclude(pk=exclude_pk)
        .values_list("booked_starts_on", "booked_ends_on")
    )
    for start, end in rows:
        day = start
        while day <= end:
            booked[day] += 1
            day += dt.timedelta(days=1)
    return booked


def location_free_periods(
    *, spec: FormSpec, booked: Counter[dt.date], today: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """The periods still on offer: inside an availability window, from today, on days that
    are not fully booked."""
    periods: list[tuple[dt.date, dt.date]] = []
    for window in spec.windows:
        start = None
        day = max(window.starts_on, today)
        while day <= window.ends_on:
            free = booked.get(day, 0) < spec.capacity
            if free and start is None:
                start = day
            if not free and start is not None:
                periods.append((start, day - dt.timedelta(days=1)))
                start = None
            day += dt.timedelta(days=1)
        if start is not None:
            periods.append((start, window.ends_on))
    return periods


@dataclass(frozen=True)
class Box:
    """The state of an opportunity's box of applications, as the buyer sees it."""

    is_sealed: bool
    deadline_passed: bool
    opening: SealedBoxOpening | None
    received: int

    @property
    def is_readable(self) -> bool:
        return not self.is_sealed or self.opening is not None

    @property
    def can_open(self) -> bool:
        return self.is_sealed and self.deadline_passed and self.opening is None


def application_box(*, opportunity: Opportunity, now: dt.datetime | None = None) -> Box:
    """Sealed opportunities (with a deadline) can be read only after the deadline, once a
    member of the buyer has opened the box for that deadline. How many arrived is always known."""
    now = now or clock.now()
    sealed = bool(opportunity.is_sealed and opportunity.closes_at is not None)
    passed = opportunity.closes_at is not None and now >= opportunity.closes_at
    opening = None
    if sealed and passed:
        opening = SealedBoxOpening.objects.filter(
            opportunity=opportunity, deadline=opportunity.closes_at
        ).first()
    received = Application.objects.filter(
        opportunity=opportunity, status__in=Application.RECEIVED
    ).count()
    return Box(is_sealed=sealed, deadline_passed=passed, opening=opening, received=received)


def application_content_readable(*, opportunity: Opportunity, now: dt.datetime | None = None):
    return application_box(opportunity=opportunity, now=now).is_readable


def application_list_received(*, opportunity: Opportunity) -> QuerySet[Application]:
    """The applications the buyer received (submitted, not withdrawn), with what the evaluation
    shows. Callers check the box is readable first."""
    return (
        Application.objects.filter(opportunity=opportunity, status__in=Application.RECEIVED)
        .select_related("company", "current_version", "opportunity")
        .prefetch_related(
            Prefetch("scores", queryset=ApplicationScore.objects.select_related("evaluator")),
            "awarded_lots",
        )
        .order_by("current_version__submitted_at", "pk")
    )


def sealed_message(opportunity: Opportunity, box: Box) -> str:
    if not box.deadline_passed:
        return _(
            "The applications are sealed until the deadline. %(count)d have arrived so far."
        ) % {"count": box.received}
    return _(
        "The deadline has passed. Open the box to read the %(count)d applications that arrived."
    ) % {"count": box.received}


def _opportunity_for_buyer_member(*, user: User, pk) -> Opportunity:
    """Like `opportunity_get_for_buyer_member`, without the relations pages here do not show."""
    try:
        return opportunity_list_for_buyer_member(user).select_related("buyer").get(pk=pk)
    except (Opportunity.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def application_list_for_buyer_member(
    *, user: User, opportunity_pk, now: dt.datetime | None = None
) -> tuple[Opportunity, Box, QuerySet[Application]]:
    """The opportunity (NotFound unless the user is a member of its buyer), its box, and the
    received applications, or none while the box is sealed."""
    opportunity = _opportunity_for_buyer_member(user=user, pk=opportunity_pk)
    box = application_box(opportunity=opportunity, now=now)
    if not box.is_readable:
        return opportunity, box, Application.objects.none()
    return opportunity, box, application_list_received(opportunity=opportunity)


def application_get_for_buyer_member(
    *, user: User, opportunity_pk, pk, now: dt.datetime | None = None
) -> Application:
    """A received application of the user's buyer organisation. NotFound when not a member or
    not received; Forbidden while the box is sealed (for any id, so nothing is given away)."""
    opportunity, box, qs = application_list_for_buyer_member(
        user=user, opportunity_pk=opportunity_pk, now=now
    )
    if not box.is_readable:
        raise Forbidden(sealed_message(opportunity, box))
    try:
        return qs.get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def application_events_for_company(*, application: Application) -> QuerySet[ApplicationEvent]:
    """The log the company sees: everything but the buyer's internal steps (scores)."""
    return (
        ApplicationEvent.objects.filter(application=application, is_internal=False)
        .select_related("actor", "actor_organisation")
        .order_by("created_at", "pk")
    )


def application_events_for_buyer_admin(
    *, user: User, opportunity_pk, now: dt.datetime | None = None
) -> tuple[Opportunity, QuerySet[ApplicationEvent]]:
    """The log of every received application of the opportunity, for admins of its buyer.
    NotFound for non-members, Forbidden for members who are not admins or while sealed."""
    opportunity = _opportunity_for_buyer_member(user=user, pk=opportunity_pk)
    if not membership_is_admin(user=user, organisation=opportunity.buyer):
        raise Forbidden(_("Only admins of %(org)s can read the log.") % {"org": opportunity.buyer})
    box = application_box(opportunity=opportunity, now=now)
    if not box.is_readable:
        raise Forbidden(sealed_message(opportunity, box))
    events = (
        ApplicationEvent.objects.filter(
            application__opportunity=opportunity, application__status__in=Application.RECEIVED
        )
        .select_related("actor", "actor_organisation", "application__company")
        .order_by("created_at", "pk")
    )
    return opportunity, events


def box_openings(*, opportunity: Opportunity) -> QuerySet[SealedBoxOpening]:
    return SealedBoxOpening.objects.filter(opportunity=opportunity).select_related("opened_by")


@dataclass(frozen=True)
class CriterionScore:
    criterion: AwardCriterion
    mean: Decimal | None
    count: int
    mine: ApplicationScore | None


def application_score_summary(
    *, application: Application, criteria: list[AwardCriterion], user: User | None = None
) -> tuple[list[CriterionScore], Decimal | None]:
    """Per criterion: the mean score of all evaluators (0 to 10) and the user's own; and the
    weighted total out of 100 once every criterion has a score. Uses prefetched scores."""
    scores = list(application.scores.all())
    rows, total, complete = [], Decimal(0), bool(criteria)
    for c in criteria:
        mine = [s for s in scores if s.criterion_id == c.pk]
        mean = (
            (Decimal(sum(s.score for s in mine)) / len(mine)).quantize(Decimal("0.1"))
            if mine
            else None
        )
        own = next((s for s in mine if user is not None and s.evaluator_id == user.pk), None)
        rows.append(CriterionScore(criterion=c, mean=mean, count=len(mine), mine=own))
        if mean is None:
            complete = False
        else:
            total += mean / 10 * c.weight
    return rows, (total.quantize(Decimal("0.1")) if complete else None)


__all__ = [
    "Box",
    "application_box",
    "application_content_readable",
    "application_events_for_buyer_admin",
    "application_events_for_company",
    "application_form_spec",
    "application_get_for_buyer_member",
    "application_get_for_company_member",
    "application_get_live",
    "application_list_for_buyer_member",
    "application_list_for_company_member",
    "application_list_received",
    "application_score_summary",
    "box_openings",
    "location_booked_days",
    "location_free_periods",
]
