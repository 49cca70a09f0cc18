"""Staff see, block and delete the app users of OEMs; tokens are shown, never editable."""

from django.contrib import admin, messages
from django.db import transaction

from app_users import services
from app_users.models import AppUser, AppUserToken
from core.admin_bases import ReadOnlyAdminMixin


class AppUserTokenInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AppUserToken
    fields = ["created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    extra = 0


@admin.register(AppUser)
class AppUserAdmin(admin.ModelAdmin):
    list_display = ["username", "email", "oem", "contract", "is_blocked", "created_at"]
    list_filter = ["is_blocked", ("oem", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["username", "email", "contract__evco_id"]
    list_select_related = ["oem", "contract"]
    # Registration (user-register) creates the customer and the contract; staff block and
    # delete, and may correct the profile.
    fields = [
        "oem",
        "username",
        "email",
        "customer",
        "contract",
        "language",
        "receive_newsletters",
        "details",
        "is_blocked",
        "blocked_at",
        "failed_logins",
        "created_at",
    ]
    readonly_fields = [
        "oem",
        "customer",
        "contract",
        "is_blocked",
        "blocked_at",
        "failed_logins",
        "created_at",
    ]
    inlines = [AppUserTokenInline]
    actions = ["block", "unblock"]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description="Block the selected app users (their tokens die)",
        permissions=["change"],
    )
    def block(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                services.app_user_block(user, blocked=True)
        messages.success(request, f"{len(queryset)} app user(s) blocked.")

    @admin.action(description="Unblock the selected app users", permissions=["change"])
    def unblock(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                services.app_user_block(user, blocked=False)
        messages.success(request, f"{len(queryset)} app user(s) unblocked.")
