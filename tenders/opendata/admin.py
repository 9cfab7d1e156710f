"""Admin for imports: import records, imported notices, and claims of imported buyers (with the
actions that approve or reject them)."""

from __future__ import annotations

from django.contrib import admin, messages

from marketplace.core.errors import ApplicationError
from tenders.models import ImportedNotice, ImportRecord, OrganisationClaim
from tenders.services import claims


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["procedure_id", "source", "opportunity", "primary_language", "last_imported_at"]
    list_filter = ["source", "primary_language"]
    search_fields = ["procedure_id", "opportunity__title"]
    raw_id_fields = ["opportunity"]
    readonly_fields = ["first_imported_at", "last_imported_at", "content_hash"]


@admin.register(ImportedNotice)
class ImportedNoticeAdmin(admin.ModelAdmin):
    list_display = [
        "notice_id",
        "source",
        "publication_number",
        "outcome",
        "issued_at",
        "imported_at",
    ]
    list_filter = ["source", "outcome", "notice_type"]
    search_fields = ["notice_id", "publication_number", "file_name"]
    raw_id_fields = ["record"]


@admin.register(OrganisationClaim)
class OrganisationClaimAdmin(admin.ModelAdmin):
    list_display = ["organisation", "user", "status", "created_at", "decided_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "user__email"]
    raw_id_fields = ["organisation", "user"]
    readonly_fields = ["status", "decided_at", "decided_by", "created_at"]
    actions = ["approve", "reject"]

    def _decide(self, request, queryset, service, done: str) -> None:
        count = 0
        for claim in queryset:
            try:
                service(claim=claim, by=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{claim}: {exc.message}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} claim(s) {done}.", messages.SUCCESS)

    @admin.action(description="Approve: make the requester an admin of the organisation")
    def approve(self, request, queryset):
        self._decide(request, queryset, claims.organisation_claim_approve, "approved")

    @admin.action(description="Reject the selected claims")
    def reject(self, request, queryset):
        self._decide(request, queryset, claims.organisation_claim_reject, "rejected")
