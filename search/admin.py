"""Operators look at the search tables here; they are written by the indexing tasks only."""

from django.contrib import admin

from search.models import IndexQueue, SearchDocument, StoredQuery


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdmin):
    list_display = ["opportunity_id", "kind", "title", "published_at"]
    search_fields = ["opportunity_id"]


@admin.register(IndexQueue)
class IndexQueueAdmin(ReadOnlyAdmin):
    list_display = ["opportunity_id", "queued_at", "attempts"]


@admin.register(StoredQuery)
class StoredQueryAdmin(ReadOnlyAdmin):
    list_display = ["key", "required_slots", "is_synced", "updated_at"]
    list_filter = ["is_synced"]
    search_fields = ["key"]
