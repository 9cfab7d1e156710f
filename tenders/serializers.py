"""Serializers shared by the opportunity API, search results, matches and feeds."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenders.models import (
    AvailabilityWindow,
    Award,
    AwardCriterion,
    CoCreationDetails,
    CoCreationPhase,
    DocumentVersion,
    FundingDetails,
    Lot,
    Opportunity,
    Question,
    RequiredDocument,
    TenderDetails,
    TestLocationDetails,
)


class BuyerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class OpportunitySummarySerializer(serializers.Serializer):
    """The list shape: the stable API field names from DESIGN.md."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Opportunity.Kind.choices)
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.ChoiceField(choices=Opportunity.Status.choices)
    buyer = BuyerSerializer()
    closes_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    competencies = serializers.SerializerMethodField()
    cpv_codes = serializers.SerializerMethodField()
    regions = serializers.SerializerMethodField()
    budget_min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    budget_max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    is_sme_suitable = serializers.BooleanField()
    is_first_timer_friendly = serializers.BooleanField()
    source = serializers.CharField()
    source_url = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_competencies(self, obj) -> list[str]:
        return sorted(c.slug for c in obj.competencies.all())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cpv_codes(self, obj) -> list[str]:
        return sorted(c.code for c in obj.cpv_codes.all())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_regions(self, obj) -> list[str]:
        return sorted(r.code for r in obj.regions.all())

    def get_url(self, obj) -> str:
        return f"{settings.SITE_URL}{obj.get_absolute_url()}"


def _model_serializer(model_cls, exclude=("id", "opportunity")):
    meta = type("Meta", (), {"model": model_cls, "exclude": exclude})
    return type(f"{model_cls.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


TenderDetailsSerializer = _model_serializer(TenderDetails)
FundingDetailsSerializer = _model_serializer(FundingDetails)
CoCreationDetailsSerializer = _model_serializer(CoCreationDetails)
TestLocationDetailsSerializer = _model_serializer(TestLocationDetails)
AwardCriterionSerializer = _model_serializer(AwardCriterion)
RequiredDocumentSerializer = _model_serializer(RequiredDocument)
CoCreationPhaseSerializer = _model_serializer(CoCreationPhase)
AvailabilityWindowSerializer = _model_serializer(AvailabilityWindow)

DETAILS_SERIALIZERS = {
    Opportunity.Kind.TENDER: ("tender", TenderDetailsSerializer),
    Opportunity.Kind.FUNDING: ("funding", FundingDetailsSerializer),
    Opportunity.Kind.CO_CREATION: ("co_creation", CoCreationDetailsSerializer),
    Opportunity.Kind.TEST_LOCATION: ("test_location", TestLocationDetailsSerializer),
}


class LotSerializer(serializers.ModelSerializer):
    cpv_codes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Lot
        fields = ["number", "title", "description", "cpv_codes", "estimated_value"]


class AwardSerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company.name", allow_null=True, default=None)
    lot = serializers.CharField(source="lot.number", allow_null=True, default=None)

    class Meta:
        model = Award
        fields = ["is_awarded", "company", "supplier_name", "value", "lot", "awarded_at", "note"]


class AmendmentSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    changed_at = serializers.DateTimeField()
    reason = serializers.CharField()
    changed_fields = serializers.SerializerMethodField()

    def get_changed_fields(self, obj) -> list[str]:
        return sorted(obj.changes)


class DocumentVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    name = serializers.CharField(help_text="The file name (made safe).")
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField()
    note = serializers.CharField(help_text="What changed in this version.")
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj: DocumentVersion) -> str:
        document = obj.document
        path = reverse(
            "api-opportunity-document-download",
            kwargs={"pk": document.opportunity_id, "document_id": document.pk},
        )
        return f"{settings.SITE_URL}{path}?version={obj.version}"


class DocumentSerializer(serializers.Serializer):
    """A document with its current version first in `versions` (older versions follow)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()
    current = serializers.SerializerMethodField()
    versions = DocumentVersionSerializer(many=True)

    @extend_schema_field(DocumentVersionSerializer(allow_null=True))
    def get_current(self, obj) -> dict | None:
        current = obj.latest  # from the prefetched versions, which know their document
        return DocumentVersionSerializer(current).data if current else None


class QuestionSerializer(serializers.Serializer):
    """A question and, once given, its public answer. Who asked is never shown."""

    id = serializers.IntegerField()
    question = serializers.CharField(source="shown_text")
    answer = serializers.CharField()
    is_answered = serializers.BooleanField()
    asked_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    is_yours = serializers.SerializerMethodField(
        help_text="True when your company asked it (only you see your unanswered questions)."
    )

    def get_is_yours(self, obj: Question) -> bool:
        return obj.asked_by_company_id in self.context.get("company_ids", ())


class OpportunityDetailSerializer(OpportunitySummarySerializer):
    description = serializers.CharField()
    main_cpv = serializers.CharField(source="main_cpv_id", allow_null=True)
    opens_at = serializers.DateTimeField(allow_null=True)
    question_deadline = serializers.DateTimeField(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())
    apply_checklist = serializers.ListField(child=serializers.CharField())
    is_sealed = serializers.BooleanField()
    version = serializers.IntegerField()
    cancel_reason = serializers.CharField()
    details = serializers.SerializerMethodField()
    lots = LotSerializer(many=True)
    award_criteria = AwardCriterionSerializer(many=True)
    required_documents = RequiredDocumentSerializer(many=True)
    phases = CoCreationPhaseSerializer(many=True)
    availability = AvailabilityWindowSerializer(many=True)
    awards = AwardSerializer(many=True)
    amendments = AmendmentSerializer(many=True)
    documents = DocumentSerializer(many=True)

    @extend_schema_field(serializers.DictField())
    def get_details(self, obj) -> dict:
        attr, serializer = DETAILS_SERIALIZERS[obj.kind]
        details = getattr(obj, attr, None) if hasattr(obj, attr) else None
        return serializer(details).data if details is not None else {}


class ErrorSerializer(serializers.Serializer):
    """Every error answer (DESIGN.md): a message and the problems per field."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


_ERROR_TEXT = {
    400: "The request cannot be carried out as sent; `errors` names each field.",
    401: "Sign in (session) or send `Authorization: Token <key>`.",
    403: "You are signed in but may not do this.",
    404: "Not found, or not yours (the two look the same).",
    409: "Not allowed in the opportunity's current status.",
}


def errors(*codes: int, **texts: str) -> dict:
    """OpenAPI responses for the given error codes, e.g. `errors(400, 404, s409="...")`."""
    from drf_spectacular.utils import OpenApiResponse

    out = {}
    for code in codes:
        text = texts.get(f"s{code}", _ERROR_TEXT[code])
        out[code] = OpenApiResponse(ErrorSerializer, description=text)
    return out
