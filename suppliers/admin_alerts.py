from django.contrib import admin

from suppliers.models_alerts import (
    Alert,
    AlertPreference,
    Digest,
    Follow,
    ProcessedEvent,
    SavedSearch,
)


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "cadence", "is_paused", "created_at"]
    list_filter = ["cadence", "is_paused"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "opportunity", "created_at"]
    raw_id_fields = ["user", "opportunity"]


@admin.register(AlertPreference)
class AlertPreferenceAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "matches_enabled",
        "match_threshold",
        "weekly_cap",
        "bounce_count",
        "bouncing_since",
        "unsubscribed_all_at",
    ]
    list_filter = ["matches_enabled"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "opportunity",
        "reason",
        "cadence",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "reason", "cadence"]
    search_fields = ["user__email", "opportunity__title"]
    raw_id_fields = ["user", "opportunity", "saved_search", "digest"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["user", "period", "status", "attempts", "sent_at"]
    list_filter = ["status", "cadence"]
    raw_id_fields = ["user"]


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(admin.ModelAdmin):
    list_display = ["event", "processed_at", "alerts_written"]
    raw_id_fields = ["event"]

    def has_add_permission(self, request):
        return False
