"""Admin for applications: read-only, and blind to sealed content. Operators see metadata;
the submitted content only once the buyer could read it too (not sealed, or the box opened
after the deadline). Drafts are never shown: they are the company's own. There is no search
on content or company, since a search would reveal what a sealed box holds."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tenders.models import Application, ApplicationQuestion, SealedBoxOpening
from tenders.selectors_applications import application_box

SEALED = _("Sealed until the deadline and the opening of the box.")
METADATA = ["opportunity", "status", "created_at", "submitted_at", "withdrawn_at"]
CONTENT = [
    "company",
    "version_number",
    "content_hash",
    "submitted_content",
    "decided_at",
    "feedback",
    "booked_starts_on",
    "booked_ends_on",
    "events",
]


def _readable(request, application: Application) -> bool:
    cache = request.__dict__.setdefault("_kansen_readable", {})
    key = application.opportunity_id
    if key not in cache:
        cache[key] = application_box(opportunity=application.opportunity).is_readable
    return cache[key]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_filter = ["status", "opportunity__kind"]
    search_fields = ["opportunity__title"]
    list_select_related = ["opportunity", "company"]
    ordering = ["-pk"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if obj is None:
            return METADATA
        if not _readable(request, obj):
            return [*METADATA, "sealed"]
        return METADATA + CONTENT

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_list_display(self, request):
        @admin.display(description=_("company"))
        def company(obj):
            return obj.company.name if _readable(request, obj) else SEALED

        return ["id", "opportunity", company, "status", "submitted_at"]

    @admin.display(description=_("sealed"))
    def sealed(self, obj):
        return SEALED

    @admin.display(description=_("version"))
    def version_number(self, obj):
        return obj.current_version.number if obj.current_version else "-"

    @admin.display(description=_("content hash (SHA-256)"))
    def content_hash(self, obj):
        return obj.current_version.content_hash if obj.current_version else "-"

    @admin.display(description=_("submitted content"))
    def submitted_content(self, obj):
        if obj.current_version is None:
            return "-"
        items = obj.current_version.content.get("items", [])
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                (
                    (i["label"], (i.get("file") or {}).get("name") or i.get("value") or "-")
                    for i in items
                ),
            ),
        )

    @admin.display(description=_("log"))
    def events(self, obj):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} {} {}</li>",
                (
                    (e.created_at, e.get_type_display(), e.actor or "")
                    for e in obj.events.select_related("actor")
                ),
            ),
        )


@admin.register(ApplicationQuestion)
class ApplicationQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "opportunity", "type", "is_required", "word_limit"]
    list_filter = ["type"]
    raw_id_fields = ["opportunity"]


@admin.register(SealedBoxOpening)
class SealedBoxOpeningAdmin(admin.ModelAdmin):
    list_display = ["opportunity", "deadline", "opened_by", "opened_at", "application_count"]
    raw_id_fields = ["opportunity"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
