from django.contrib import admin

from tenders.models import (
    Amendment,
    AvailabilityWindow,
    Award,
    AwardCriterion,
    CoCreationDetails,
    CoCreationPhase,
    FundingDetails,
    Lot,
    Opportunity,
    OpportunityEvent,
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


from tenders.opendata import admin as _opendata_admin  # noqa: E402, F401  (registers its models)
