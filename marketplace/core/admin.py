from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from marketplace.core.models import (
    ApiToken,
    Competency,
    CpvCode,
    Invitation,
    Membership,
    Organisation,
    Region,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "language", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "language")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    list_filter = ["is_staff", "is_active", "language"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "buyer_type", "size_class", "kvk_number", "oin", "is_claimed"]
    list_filter = ["kind", "buyer_type", "size_class", "is_claimed"]
    search_fields = ["name", "kvk_number", "oin", "external_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "accepted_at"]
    search_fields = ["email", "organisation__name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix"]
    search_fields = ["user__email", "prefix"]


@admin.register(CpvCode)
class CpvCodeAdmin(admin.ModelAdmin):
    list_display = ["code_with_check_digit", "label_en", "label_nl", "level"]
    list_filter = ["level", "contract_type"]
    search_fields = ["code", "label_en", "label_nl"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "label_nl", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    search_fields = ["code", "label_nl", "label_en"]


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ["slug", "label_en", "label_nl", "parent", "position"]
    search_fields = ["slug", "label_en", "label_nl"]
