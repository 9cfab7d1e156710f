from django.contrib import admin

from suppliers.models import (
    CompanyCompetency,
    CompanyProfile,
    CompanyReference,
    MatchFeedback,
    MatchInvitation,
)


class CompanyCompetencyInline(admin.TabularInline):
    model = CompanyCompetency
    extra = 0
    raw_id_fields = ["competency", "evidence_reference"]


class CompanyReferenceInline(admin.StackedInline):
    model = CompanyReference
    extra = 0


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):
    inlines = [CompanyCompetencyInline, CompanyReferenceInline]
    list_display = ["organisation", "is_public", "trl", "updated_at"]
    list_filter = ["is_public"]
    search_fields = ["organisation__name"]
    raw_id_fields = ["organisation"]
    filter_horizontal = ["regions"]
    autocomplete_fields: list[str] = []
    exclude = ["cpv_interests", "match_text"]


@admin.register(MatchFeedback)
class MatchFeedbackAdmin(admin.ModelAdmin):
    list_display = [
        "company",
        "opportunity",
        "is_relevant",
        "score",
        "weights_version",
        "updated_at",
    ]
    list_filter = ["is_relevant", "weights_version"]
    raw_id_fields = ["company", "opportunity", "by"]


@admin.register(MatchInvitation)
class MatchInvitationAdmin(admin.ModelAdmin):
    list_display = ["company", "opportunity", "score", "created_at", "sent_at"]
    raw_id_fields = ["company", "opportunity", "invited_by"]


from suppliers.admin_alerts import *  # noqa: E402, F403  (saved searches, follows, the outbox)
