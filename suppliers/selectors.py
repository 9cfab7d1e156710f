"""Reads for company profiles. Accessors answer 404 for "missing" and "not yours" alike.

Matching reads (candidates, ranked matches, partners, market scan) are in
suppliers.match_selectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from marketplace.core.errors import NotFound
from marketplace.core.models import Organisation, User
from marketplace.core.selectors import (
    competency_slugs_within,
    cpv_prefix,
    region_ancestors,
    region_codes_within,
    user_company,
)
from suppliers.models import CompanyCompetency, CompanyProfile


def company_profile_with_relations(qs: QuerySet[CompanyProfile]) -> QuerySet[CompanyProfile]:
    """What profile pages and the API show, in a fixed number of queries."""
    return qs.select_related("organisation").prefetch_related(
        Prefetch(
            "competency_levels",
            queryset=CompanyCompetency.objects.select_related(
                "competency", "evidence_reference"
            ).order_by("-level", "competency__position"),
        ),
        "cpv_interests",
        "regions",
        "references",
    )


def company_profile_list_public() -> QuerySet[CompanyProfile]:
    """Profiles of companies that opted in to a public page, by name."""
    return CompanyProfile.objects.filter(
        is_public=True, organisation__kind=Organisation.Kind.COMPANY
    ).order_by("organisation__name", "pk")


def company_profile_get_public(*, slug: str, user: User | None = None) -> CompanyProfile:
    """The public profile of the company `slug`; its own members also see it before it is
    public. NotFound otherwise."""
    qs = CompanyProfile.objects.filter(organisation__slug=slug)
    visible = Q(is_public=True)
    if user is not None and user.is_authenticated:
        visible |= Q(organisation__memberships__user=user)
    try:
        return company_profile_with_relations(qs.filter(visible).distinct()).get()
    except (CompanyProfile.DoesNotExist, CompanyProfile.MultipleObjectsReturned):
        raise NotFound() from None


def company_profile_get_visible(*, user: User | None, pk) -> CompanyProfile:
    """The profile of company `pk` (organisation id) if it is public or the user's own."""
    qs = CompanyProfile.objects.filter(organisation_id=pk)
    visible = Q(is_public=True)
    if user is not None and user.is_authenticated:
        visible |= Q(organisation__memberships__user=user)
    try:
        return company_profile_with_relations(qs.filter(visible).distinct()).get()
    except (CompanyProfile.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def company_get_for_member(*, user: User, pk) -> Organisation:
    """The company `pk` if the user is one of its members; NotFound otherwise."""
    if not user or not user.is_authenticated:
        raise NotFound()
    try:
        return Organisation.objects.get(
            pk=pk, kind=Organisation.Kind.COMPANY, memberships__user=user
        )
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def user_company_or_404(*, user: User) -> Organisation:
    """The signed-in user's company; NotFound when they belong to none."""
    company = user_company(user=user) if user and user.is_authenticated else None
    if company is None:
        raise NotFound(str(_("You are not a member of a company.")))
    return company


def company_profile_filter(
    qs: QuerySet[CompanyProfile],
    *,
    competency: list[str] | None = None,
    region: list[str] | None = None,
    cpv: list[str] | None = None,
    size: list[str] | None = None,
) -> QuerySet[CompanyProfile]:
    """Filters of the `companies` resource. A competency includes its children; a region
    includes companies serving a place inside it or an area around it; a CPV code includes
    every code below it."""
    if competency:
        slugs = [s for v in competency for s in competency_slugs_within(v)]
        qs = qs.filter(competency_levels__competency__slug__in=slugs)
    if region:
        codes: set[str] = set()
        for value in region:
            codes.update(region_codes_within(value))
            codes.update(region_ancestors(value.strip().upper()))
        qs = qs.filter(regions__code__in=codes)
    if cpv:
        q = Q()
        for value in cpv:
            q |= Q(cpv_interests__code__startswith=cpv_prefix(value))
        qs = qs.filter(q)
    if size:
        qs = qs.filter(organisation__size_class__in=size)
    return qs.distinct() if (competency or region or cpv) else qs


# -- Completeness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    points: int
    done: bool
    advice: str


@dataclass(frozen=True)
class Completeness:
    percent: int
    steps: tuple[Step, ...]

    @property
    def next(self) -> Step | None:
        """The most useful thing still to add."""
        return next((s for s in self.steps if not s.done), None)


def profile_completeness(profile: CompanyProfile | None, company: Organisation) -> Completeness:
    """How complete a profile is (0-100) and, in order of usefulness for matching and for
    buyers, what to add. Works on a profile loaded with company_profile_with_relations."""
    competencies = list(profile.competency_levels.all()) if profile else []
    references = list(profile.references.all()) if profile else []
    steps = (
        Step(
            "competencies",
            25,
            bool(competencies),
            _("Add your competencies: matching and buyers look for them first."),
        ),
        Step(
            "description",
            15,
            bool(profile and len(profile.description.strip()) >= 150),
            _("Describe what your company does in a few sentences (at least 150 characters)."),
        ),
        Step(
            "references",
            15,
            bool(references),
            _("Add a reference project: buyers trust what you have done before."),
        ),
        Step(
            "regions",
            10,
            bool(profile and profile.regions.all()),
            _("Say which regions you serve, so you see opportunities near you."),
        ),
        Step(
            "cpv_interests",
            10,
            bool(profile and profile.cpv_interests.all()),
            _("Choose the CPV codes of what you sell, so tenders find you."),
        ),
        Step(
            "size_class",
            5,
            bool(company.size_class),
            _("Give your company size: some calls are only for start-ups or SMEs."),
        ),
        Step(
            "evidence",
            5,
            any(c.evidence_url or c.evidence_reference_id for c in competencies),
            _("Back a competency with evidence: a reference project or a link."),
        ),
        Step(
            "trl",
            5,
            bool(profile and profile.trl and profile.main_offering),
            _("Name your main offering and how ready it is (TRL)."),
        ),
        Step("logo", 3, bool(profile and profile.logo), _("Upload your logo.")),
        Step("website", 3, bool(company.website), _("Add your website.")),
        Step(
            "founding_year",
            2,
            bool(profile and profile.founding_year),
            _("Say when your company was founded."),
        ),
        Step(
            "team_size", 1, bool(profile and profile.team_size), _("Say how many people you are.")
        ),
        Step(
            "languages",
            1,
            bool(profile and profile.languages),
            _("Say in which languages you work."),
        ),
    )
    percent = sum(s.points for s in steps if s.done)
    return Completeness(percent=percent, steps=steps)


# -- Coming deadlines (the home page) -------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    opportunity: object  # tenders.models.Opportunity
    closes_at: object  # datetime
    application: object | None  # a draft application of the user's company, if any
    is_followed: bool


def coming_deadlines(
    *, user: User, company: Organisation | None, now=None, limit: int = 6
) -> list[Deadline]:
    """Deadlines still to come that concern the user, soonest first: opportunities the user
    follows and opportunities the user's company has a draft application for (one row per
    opportunity, at most `limit`)."""
    from marketplace.core import clock
    from suppliers.models_alerts import Follow
    from tenders.models import Application, Opportunity

    now = now or clock.now()
    open_ = Opportunity.objects.open(now).filter(closes_at__isnull=False)
    followed = set(
        Follow.objects.filter(user=user, opportunity__in=open_).values_list(
            "opportunity_id", flat=True
        )
    )
    drafts = {}
    if company is not None:
        for app in Application.objects.filter(
            company=company, status=Application.Status.DRAFT, opportunity__in=open_
        ).order_by("pk"):
            drafts.setdefault(app.opportunity_id, app)
    ids = followed | set(drafts)
    if not ids:
        return []
    opportunities = (
        open_.filter(pk__in=ids).select_related("buyer").order_by("closes_at", "pk")[:limit]
    )
    return [
        Deadline(
            opportunity=o,
            closes_at=o.closes_at,
            application=drafts.get(o.pk),
            is_followed=o.pk in followed,
        )
        for o in opportunities
    ]
