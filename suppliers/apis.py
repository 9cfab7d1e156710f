"""The `companies` and `matches` resources, and the buyer's view of matches on an opportunity.

- GET /companies/ (public profiles; filters competency, region, cpv, size), GET/PATCH
  /companies/{id}/ (PATCH: members of that company), PUT/DELETE /companies/{id}/logo/;
- GET /matches/ ("For you" of the signed-in user's company), GET /matches/{opportunity id}/
  (one match with partner suggestions), POST/DELETE /matches/{opportunity id}/feedback/;
- GET /opportunities/{id}/matches/ (suggested companies, members of the owning buyer only),
  POST /opportunities/{id}/matches/{company id}/invite/, GET /opportunities/{id}/market-scan/.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.core.errors import NotFound
from marketplace.core.models import Organisation
from suppliers import match_selectors, selectors, services
from suppliers.models import CompanyProfile, MatchInvitation
from tenders import selectors as tender_selectors
from tenders.filters import CharInFilter
from tenders.models import Opportunity
from tenders.serializers import OpportunitySummarySerializer


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# -- Companies ----------------------------------------------------------------------------------


class CompanyFilter(filters.FilterSet):
    competency = CharInFilter(
        method="filter_all",
        help_text="Competency slugs (comma-separated); a parent includes its children.",
    )
    region = CharInFilter(
        method="filter_all",
        help_text="NUTS or municipality codes: companies serving a place inside it or an area "
        "around it.",
    )
    cpv = CharInFilter(
        method="filter_all", help_text="CPV codes; a division or group includes every code below."
    )
    size = CharInFilter(
        method="filter_all",
        help_text="Size classes: startup, micro, small, medium, large (comma-separated).",
    )

    class Meta:
        model = CompanyProfile
        fields: list[str] = []

    def filter_all(self, qs, name, values):
        return selectors.company_profile_filter(qs, **{name: list(values)}) if values else qs


class CompetencyLevelSerializer(serializers.Serializer):
    slug = serializers.CharField(source="competency.slug")
    label = serializers.CharField(source="competency.label")
    level = serializers.IntegerField()
    evidence_url = serializers.CharField()
    evidence_reference = serializers.SerializerMethodField()

    def get_evidence_reference(self, obj) -> str | None:
        return obj.evidence_reference.title if obj.evidence_reference else None


class ReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    client = serializers.CharField(max_length=200, required=False, allow_blank=True)
    year = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    url = serializers.CharField(required=False, allow_blank=True)


class CompanySerializer(serializers.Serializer):
    """A company profile; the id is the company (organisation) id."""

    id = serializers.IntegerField(source="organisation_id")
    name = serializers.CharField(source="organisation.name")
    slug = serializers.CharField(source="organisation.slug")
    url = serializers.SerializerMethodField()
    size_class = serializers.CharField(source="organisation.size_class")
    city = serializers.CharField(source="organisation.city")
    website = serializers.CharField(source="organisation.website")
    description = serializers.CharField()
    main_offering = serializers.CharField()
    trl = serializers.IntegerField(allow_null=True)
    founding_year = serializers.IntegerField(allow_null=True)
    team_size = serializers.IntegerField(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())
    competencies = CompetencyLevelSerializer(many=True, source="competency_levels.all")
    cpv_codes = serializers.SerializerMethodField()
    regions = serializers.SerializerMethodField()
    references = ReferenceSerializer(many=True, source="references.all")
    logo_url = serializers.SerializerMethodField()
    is_public = serializers.BooleanField()

    def get_url(self, obj) -> str:
        return _absolute(reverse("company-public", kwargs={"slug": obj.organisation.slug}))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cpv_codes(self, obj) -> list[str]:
        return sorted(c.code for c in obj.cpv_interests.all())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_regions(self, obj) -> list[str]:
        return sorted(r.code for r in obj.regions.all())

    def get_logo_url(self, obj) -> str | None:
        if not obj.logo:
            return None
        return _absolute(reverse("company-logo", kwargs={"slug": obj.organisation.slug}))


class OwnCompanySerializer(CompanySerializer):
    completeness = serializers.SerializerMethodField()

    @extend_schema_field(
        inline_serializer(
            "Completeness",
            {"percent": serializers.IntegerField(), "next": serializers.CharField(allow_null=True)},
        )
    )
    def get_completeness(self, obj) -> dict:
        result = selectors.profile_completeness(obj, obj.organisation)
        step = result.next
        return {"percent": result.percent, "next": str(step.advice) if step else None}


class CompanyListApi(ListAPIView):
    """Companies with a public page, by name. Filters: competency, region, cpv, size."""

    serializer_class = CompanySerializer
    filterset_class = CompanyFilter
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.company_profile_with_relations(selectors.company_profile_list_public())


def _fresh(pk) -> CompanyProfile:
    return selectors.company_profile_with_relations(
        CompanyProfile.objects.filter(organisation_id=pk)
    ).get()


class CompanyDetailApi(APIView):
    """One company: public ones for everyone, your own also before it is public. PATCH changes
    your own company's profile (any member); lists given replace the old ones."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        class CompetencyInput(serializers.Serializer):
            slug = serializers.CharField()
            level = serializers.IntegerField(min_value=1, max_value=3, default=2)
            evidence_url = serializers.URLField(required=False, allow_blank=True)
            evidence_reference = serializers.CharField(
                required=False, allow_blank=True, help_text="Title of one of your references."
            )

        description = serializers.CharField(required=False, allow_blank=True)
        main_offering = serializers.CharField(required=False, allow_blank=True, max_length=200)
        trl = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=9)
        founding_year = serializers.IntegerField(required=False, allow_null=True)
        team_size = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        languages = serializers.ListField(child=serializers.CharField(), required=False)
        is_public = serializers.BooleanField(required=False)
        website = serializers.URLField(required=False, allow_blank=True)
        size_class = serializers.ChoiceField(choices=Organisation.SizeClass.choices, required=False)
        city = serializers.CharField(required=False, allow_blank=True, max_length=120)
        cpv_codes = serializers.ListField(child=serializers.CharField(), required=False)
        regions = serializers.ListField(child=serializers.CharField(), required=False)
        competencies = CompetencyInput(many=True, required=False)
        references = ReferenceSerializer(many=True, required=False)

    def _serializer(self, request, profile):
        own = (
            request.user.is_authenticated
            and profile.organisation.memberships.filter(user=request.user).exists()
        )
        return (OwnCompanySerializer if own else CompanySerializer)(profile)

    @extend_schema(responses=OwnCompanySerializer)
    def get(self, request, pk: int):
        profile = selectors.company_profile_get_visible(user=request.user, pk=pk)
        return Response(self._serializer(request, profile).data)

    @extend_schema(request=InputSerializer, responses=OwnCompanySerializer)
    def patch(self, request, pk: int):
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        company = selectors.company_get_for_member(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "competencies" in values:
            values["competencies"] = [dict(c) for c in values["competencies"]]
        if "references" in values:
            values["references"] = [dict(r) for r in values["references"]]
        services.company_profile_update(company=company, by=request.user, data=values)
        return Response(OwnCompanySerializer(_fresh(company.pk)).data)


class CompanyLogoApi(APIView):
    """PUT a PNG or JPEG (multipart field `logo`, at most 2 MB) as your company's logo;
    DELETE removes it."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "LogoUpload", {"logo": serializers.FileField()}
            )
        },
        responses=OwnCompanySerializer,
    )
    def put(self, request, pk: int):
        company = selectors.company_get_for_member(user=request.user, pk=pk)
        upload = request.FILES.get("logo")
        if upload is None:
            from marketplace.core.errors import ApplicationError

            raise ApplicationError(
                _("Choose a file."), errors={"logo": [_("Upload a PNG or JPEG in the field logo.")]}
            )
        services.company_logo_set(company=company, by=request.user, upload=upload)
        return Response(OwnCompanySerializer(_fresh(company.pk)).data)

    @extend_schema(responses=OwnCompanySerializer)
    def delete(self, request, pk: int):
        company = selectors.company_get_for_member(user=request.user, pk=pk)
        services.company_logo_remove(company=company, by=request.user)
        return Response(OwnCompanySerializer(_fresh(company.pk)).data)


# -- Matches for the signed-in company ----------------------------------------------------------


class MatchSerializer(OpportunitySummarySerializer):
    """An opportunity with how well it fits your company."""

    score = serializers.IntegerField(help_text="0 to 100.")
    reasons = serializers.ListField(child=serializers.CharField())
    feedback = serializers.BooleanField(
        allow_null=True, help_text="Your relevant (true) / not relevant (false), if given."
    )


def _match_row(row: match_selectors.OpportunityMatch) -> dict:
    data = OpportunitySummarySerializer(row.opportunity).data
    data.update({"score": row.score, "reasons": row.reasons, "feedback": row.feedback})
    return data


class MatchListApi(ListAPIView):
    """Open opportunities of all four kinds that fit your company, best first, with `score`
    (0-100) and `reasons`. Ones you marked not relevant are left out."""

    permission_classes = [IsAuthenticated]
    serializer_class = MatchSerializer
    queryset = Opportunity.objects.none()  # for the schema; rows come from matching

    def list(self, request, *args, **kwargs):
        company = selectors.user_company_or_404(user=request.user)
        rows = match_selectors.matches_for_company(company=company)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([_match_row(r) for r in page])


class PartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    covers = serializers.ListField(child=serializers.CharField())
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class MatchDetailSerializer(MatchSerializer):
    missing_competencies = serializers.ListField(child=serializers.CharField())
    partners = PartnerSerializer(many=True)


def _partners(suggestions: match_selectors.PartnerSuggestions) -> list[dict]:
    return [
        {
            "id": p.company.pk,
            "name": p.company.name,
            "url": _absolute(reverse("company-public", kwargs={"slug": p.company.slug})),
            "covers": p.covers,
            "score": p.score,
            "reasons": p.reasons,
        }
        for p in suggestions.partners
    ]


class MatchDetailApi(APIView):
    """How one opportunity fits your company, and companies that cover the competencies you
    lack (partners)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MatchDetailSerializer)
    def get(self, request, opportunity_id: int):
        company = selectors.user_company_or_404(user=request.user)
        opportunity = tender_selectors.opportunity_get_visible(user=request.user, pk=opportunity_id)
        match = match_selectors.match_for_pair(company=company, opportunity=opportunity)
        if match is None:
            raise NotFound()
        from suppliers.models import MatchFeedback

        feedback = (
            MatchFeedback.objects.filter(company=company, opportunity=opportunity)
            .values_list("is_relevant", flat=True)
            .first()
        )
        partners = match_selectors.partner_suggestions(company=company, opportunity=opportunity)
        data = OpportunitySummarySerializer(opportunity).data
        data.update(
            {
                "score": match.score if match.eligible else 0,
                "reasons": match_selectors.match_reasons(match),
                "feedback": feedback,
                "missing_competencies": partners.missing,
                "partners": _partners(partners),
            }
        )
        return Response(data)


class MatchFeedbackApi(APIView):
    """Tell us whether an opportunity is relevant for your company (`relevant`: true/false).
    Similar opportunities move up or down in your matches; DELETE takes it back."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        relevant = serializers.BooleanField()

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "MatchFeedback",
            {"relevant": serializers.BooleanField(), "score": serializers.IntegerField()},
        ),
    )
    def post(self, request, opportunity_id: int):
        company = selectors.user_company_or_404(user=request.user)
        opportunity = tender_selectors.opportunity_get_visible(user=request.user, pk=opportunity_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.match_feedback_set(
            company=company,
            opportunity=opportunity,
            by=request.user,
            is_relevant=data.validated_data["relevant"],
        )
        return Response({"relevant": feedback.is_relevant, "score": feedback.score})

    @extend_schema(responses={204: None})
    def delete(self, request, opportunity_id: int):
        company = selectors.user_company_or_404(user=request.user)
        opportunity = tender_selectors.opportunity_get_visible(user=request.user, pk=opportunity_id)
        services.match_feedback_clear(company=company, opportunity=opportunity, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- The buyer's side ---------------------------------------------------------------------------


class SuggestedCompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField()
    size_class = serializers.CharField()
    city = serializers.CharField()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    invited = serializers.BooleanField()


def suggested_rows(opportunity) -> list[match_selectors.CompanyMatch]:
    rows = match_selectors.matches_for_opportunity(opportunity=opportunity)
    invited = set(
        MatchInvitation.objects.filter(opportunity=opportunity).values_list("company_id", flat=True)
    )
    for row in rows:
        row.invited = row.company.pk in invited
    return rows


class OpportunityMatchListApi(ListAPIView):
    """Companies (with a public page) that fit this opportunity, best first, with `score` and
    `reasons`. Only for members of the buyer that owns it; 404 for everyone else."""

    permission_classes = [IsAuthenticated]
    serializer_class = SuggestedCompanySerializer
    queryset = Opportunity.objects.none()  # for the schema; rows come from matching

    def list(self, request, *args, **kwargs):
        opportunity = tender_selectors.opportunity_get_for_buyer_member(
            user=request.user, pk=kwargs["pk"]
        )
        page = self.paginate_queryset(suggested_rows(opportunity))
        return self.get_paginated_response(
            [
                {
                    "id": r.company.pk,
                    "name": r.company.name,
                    "slug": r.company.slug,
                    "url": _absolute(reverse("company-public", kwargs={"slug": r.company.slug})),
                    "size_class": r.company.size_class,
                    "city": r.company.city,
                    "score": r.score,
                    "reasons": r.reasons,
                    "invited": r.invited,
                }
                for r in page
            ]
        )


class OpportunityMatchInviteApi(APIView):
    """Invite a suggested company to apply (members of the owning buyer; the opportunity must
    be open). The company's members get an email."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "MatchInvitation",
                {
                    "company": serializers.IntegerField(),
                    "opportunity": serializers.IntegerField(),
                    "score": serializers.IntegerField(),
                    "created_at": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request, pk: int, company_id: int):
        opportunity = tender_selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
        company = Organisation.objects.filter(
            pk=company_id, kind=Organisation.Kind.COMPANY, profile__is_public=True
        ).first()
        if company is None:
            raise NotFound()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.match_invitation_create(
            opportunity=opportunity,
            company=company,
            by=request.user,
            message=data.validated_data.get("message", ""),
        )
        return Response(
            {
                "company": company.pk,
                "opportunity": opportunity.pk,
                "score": invitation.score,
                "created_at": invitation.created_at,
            },
            status=status.HTTP_201_CREATED,
        )


class MarketScanSerializer(serializers.Serializer):
    class SupplySerializer(serializers.Serializer):
        slug = serializers.CharField()
        label = serializers.CharField()
        companies = serializers.IntegerField()
        is_rare = serializers.BooleanField()

    matching_companies = serializers.IntegerField(source="matching")
    capped = serializers.BooleanField(help_text="True: at least this many.")
    competencies = SupplySerializer(many=True)


class OpportunityMarketScanApi(APIView):
    """While drafting: how many companies match the opportunity so far, and which of its
    competencies few companies have (members of the owning buyer only)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MarketScanSerializer)
    def get(self, request, pk: int):
        opportunity = tender_selectors.opportunity_get_for_buyer_member(user=request.user, pk=pk)
        scan = match_selectors.market_scan(opportunity=opportunity)
        return Response(MarketScanSerializer(scan).data)
