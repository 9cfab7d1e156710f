from django.contrib import admin

from tenders.models import (
    Amendment,
    AvailabilityWindow,
    Award,
    AwardCriterion,
    CoCreationDetails,
    CoCreationPhase,
    Document,
    DocumentVersion,
    FundingDetails,
    Lot,
    Opportunity,
    OpportunityEvent,
    Question,
    RequiredDocument,
    TenderDetails,
    TestLocationDetails,
)


class TenderDetailsInline(admin.StackedInline):
    model = TenderDetails
    extra = 0


class FundingDetailsInline(admin.StackedInline):
    model = FundingDetails
    extra = 0


class CoCreationDetailsInline(admin.StackedInline):
    model = CoCreationDetails
    extra = 0


class TestLocationDetailsInline(admin.StackedInline):
    model = TestLocationDetails
    extra = 0
    autocomplete_fields = ["municipality"]


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    autocomplete_fields = ["cpv_codes"]


class AwardCriterionInline(admin.TabularInline):
    model = AwardCriterion
    extra = 0


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class PhaseInline(admin.TabularInline):
    model = CoCreationPhase
    extra = 0


class AvailabilityInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0
    autocomplete_fields = ["company"]


class AmendmentInline(admin.TabularInline):
    model = Amendment
    extra = 0
    readonly_fields = ["version", "changed_by", "changed_at", "reason", "changes"]
    can_delete = False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    """Operators moderate here. Lifecycle timestamps are read-only: status changes go through
    the services (the buyer's pages or the API)."""

    list_display = ["title", "kind", "buyer", "status_display", "closes_at", "source"]
    list_filter = ["kind", "source", "is_sme_suitable", "is_first_timer_friendly"]
    search_fields = ["title", "summary", "source_id", "buyer__name"]
    autocomplete_fields = ["buyer", "competencies", "cpv_codes", "regions", "main_cpv"]
    readonly_fields = [
        "published_at",
        "withdrawn_at",
        "cancelled_at",
        "awarded_at",
        "version",
        "created_at",
        "updated_at",
        "created_by",
    ]
    inlines = [
        TenderDetailsInline,
        FundingDetailsInline,
        CoCreationDetailsInline,
        TestLocationDetailsInline,
        LotInline,
        AwardCriterionInline,
        RequiredDocumentInline,
        PhaseInline,
        AvailabilityInline,
        AwardInline,
        AmendmentInline,
    ]

    @admin.display(description="status")
    def status_display(self, obj):
        return obj.get_status_display()


@admin.register(OpportunityEvent)
class OpportunityEventAdmin(admin.ModelAdmin):
    list_display = ["opportunity", "type", "created_at"]
    list_filter = ["type"]
    raw_id_fields = ["opportunity"]


# Applications and evaluation (issue 7).
from tenders import admin_applications  # noqa: E402, F401


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    fields = [
        "version",
        "name",
        "content_type",
        "size",
        "sha256",
        "note",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Files are added and replaced through the buyer's pages or the API (checked by content);
    here operators only look."""

    list_display = ["title", "opportunity", "created_at"]
    raw_id_fields = ["opportunity", "current", "created_by"]
    readonly_fields = ["current", "created_by", "created_at"]
    inlines = [DocumentVersionInline]

    def has_add_permission(self, request):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """For moderation: operators see who asked; nobody else does."""

    list_display = ["__str__", "opportunity", "asked_at", "answered_at"]
    list_filter = [("answered_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "answer", "opportunity__title"]
    raw_id_fields = ["opportunity", "asked_by", "asked_by_company", "answered_by"]
    readonly_fields = ["asked_by", "asked_by_company", "asked_at", "answered_by", "answered_at"]


from tenders.opendata import admin as _opendata_admin  # noqa: E402, F401  (registers its models)
