"""
The staff back-office for partners, their API keys, the request audit log and Django's own
admin log. Writes with rules of their own (issuing, revoking keys) go through
``partners.services``.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Now
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from core.admin_bases import (
    COMPACT_DATETIME,
    HttpStatusFilter,
    ReadOnlyAdminMixin,
    ResultCodeFilter,
    json_display,
    local_time,
    shortened,
)
from partners import selectors, services
from partners.forms import (
    ApiKeyChangeForm,
    ApiKeyIssueForm,
    OperatorIdForm,
    OperatorIdFormSet,
    PartnerAdminForm,
)
from partners.models import (
    ApiKey,
    AuditLogEntry,
    Delivery,
    DeliveryAttempt,
    OperatorId,
    Partner,
    PartnerIdentifier,
    PartnerMembership,
    Role,
)

# --- Partners ---------------------------------------------------------------------------------


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() in Role.values:
            return queryset.with_role(self.value())
        return queryset


class EndpointFilter(admin.SimpleListFilter):
    title = "OIOI endpoint"
    parameter_name = "endpoint"
    FAILING = "failing"

    def lookups(self, request, model_admin):
        return [(self.FAILING, "failing (undelivered after an attempt)")]

    def queryset(self, request, queryset):
        if self.value() == self.FAILING:
            return queryset.filter(pk__in=selectors.partner_list_endpoint_failing().values("pk"))
        return queryset


class PartnerIdentifierInline(admin.TabularInline):
    model = PartnerIdentifier
    fields = ["value", "description", "is_active"]
    extra = 1


class OperatorIdInline(admin.TabularInline):
    model = OperatorId
    form = OperatorIdForm
    formset = OperatorIdFormSet
    fields = ["value", "name"]
    extra = 1


class ApiKeyInline(admin.TabularInline):
    """The partner's keys at a glance; they are issued and revoked from their own pages."""

    model = ApiKey
    fields = ["prefix", "label", "state_display", "expires_at", "last_used_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "API keys"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="state")
    def state_display(self, api_key):
        return api_key.state()


class PortalUserInline(ReadOnlyAdminMixin, admin.TabularInline):
    """On a partner's page: its portal users at a glance, each linking to its user page."""

    model = PartnerMembership
    fields = ["user_link", "email", "is_partner_admin", "active", "last_login"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "portal users (add one from Users, with partner portal access)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description="user")
    def user_link(self, membership):
        url = reverse("admin:auth_user_change", args=[membership.user_id])
        return format_html('<a href="{}">{}</a>', url, membership.user.get_username())

    @admin.display(description="e-mail")
    def email(self, membership):
        return membership.user.email

    @admin.display(description="active", boolean=True)
    def active(self, membership):
        return membership.user.is_active

    @admin.display(description="last sign-in")
    def last_login(self, membership):
        return local_time(membership.user.last_login)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerAdminForm
    list_display = ["name", "roles_display", "is_active", "keys_display", "created_at"]
    list_filter = [RoleFilter, "is_active", EndpointFilter]
    search_fields = [
        "name",
        "slug",
        "identifiers__value",
        "operator_ids__value",
        "operator_ids__normalized",
    ]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["endpoint_key_stored", "created_at", "updated_at"]
    inlines = [PartnerIdentifierInline, OperatorIdInline, ApiKeyInline, PortalUserInline]

    def get_queryset(self, request):
        usable = Q(api_keys__revoked_at__isnull=True) & (
            Q(api_keys__expires_at__isnull=True) | Q(api_keys__expires_at__gt=Now())
        )
        # Counted in the list's own query, so the list costs the same for 3 or 300 partners.
        return (
            super()
            .get_queryset(request)
            .annotate(
                key_count=Count("api_keys"), active_key_count=Count("api_keys", filter=usable)
            )
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            endpoint = ["endpoint_url", "endpoint_key"]
        elif self.has_change_permission(request, obj):
            endpoint = ["endpoint_url", "endpoint_key_stored", "endpoint_key", "clear_endpoint_key"]
        else:
            # View-only pages display every form field's stored value: keep the key out.
            endpoint = ["endpoint_url", "endpoint_key_stored"]
        fieldsets = [
            (None, {"fields": ["name", "slug", "is_active"]}),
            (
                "Roles",
                {
                    "fields": [("is_cpo", "is_emp", "is_oem", "is_fleet")],
                    "description": "A partner holds at least one role.",
                },
            ),
            ("Contact", {"fields": ["contact_name", "contact_email", "contact_phone"]}),
            (
                "OIOI endpoint",
                {"fields": [*endpoint, "offline_authorization", "online_authorization"]},
            ),
            ("Limits", {"fields": ["rate_limit_per_minute"]}),
            (None, {"fields": ["notes"]}),
        ]
        if obj is not None:
            fieldsets.append(("History", {"fields": ["created_at", "updated_at"]}))
        return fieldsets

    def get_inlines(self, request, obj):
        if obj is None:
            return [PartnerIdentifierInline, OperatorIdInline]
        return self.inlines

    @admin.display(description="roles")
    def roles_display(self, partner):
        return ", ".join(label for role, label in Role.choices if partner.has_role(role)) or "—"

    @admin.display(description="API keys", ordering="key_count")
    def keys_display(self, partner):
        return f"{partner.key_count} ({partner.active_key_count} active)"

    @admin.display(description="stored endpoint key")
    def endpoint_key_stored(self, partner):
        return partner.endpoint_key_hint or "none"


# --- API keys ---------------------------------------------------------------------------------


# The session entry holding issued keys' plaintexts until their page shows them: {pk: key}.
ISSUED_SESSION_KEY = "partners.issued_api_keys"


class ApiKeyStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return ApiKey.State.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == ApiKey.State.ACTIVE:
            return queryset.usable()
        if value == ApiKey.State.EXPIRED:
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=Now())
        if value == ApiKey.State.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class ApiKeyExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"
    SOON = "soon"

    def lookups(self, request, model_admin):
        return [(self.SOON, f"usable, expiring within {selectors.KEY_EXPIRY_WARNING.days} days")]

    def queryset(self, request, queryset):
        if self.value() == self.SOON:
            return queryset.filter(pk__in=selectors.api_key_list_expiring().values("pk"))
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyChangeForm
    list_display = [
        "prefix",
        "partner",
        "label",
        "state_display",
        "created_at",
        "expires_display",
        "last_used_display",
    ]
    list_filter = ["partner", ApiKeyStateFilter, ApiKeyExpiryFilter]
    list_select_related = ["partner"]
    search_fields = ["prefix", "label", "partner__name"]
    # The secret hash is in no list: it is of no use to staff and must not leave the database.
    fieldsets = [
        (None, {"fields": ["partner", "prefix", "state_display", "label", "expires_at"]}),
        ("Restrictions", {"fields": ["partner_identifiers", "allowed_networks"]}),
        (
            "History",
            {"fields": ["created_at", "created_by", "revoked_at", "revoked_by", "last_used_at"]},
        ),
    ]
    readonly_fields = [
        "partner",
        "prefix",
        "state_display",
        "created_at",
        "created_by",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]
    actions = ["revoke_selected"]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "issue/",
                self.admin_site.admin_view(self.issue_view),
                name="{}_{}_issue".format(*info),
            ),
            path(
                "<path:object_id>/issued/",
                self.admin_site.admin_view(self.issued_view),
                name="{}_{}_issued".format(*info),
            ),
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="{}_{}_revoke".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_delete_permission(self, request, obj=None):
        # Keys are revoked, never deleted: the audit log keeps naming them.
        return False

    @admin.display(description="state")
    def state_display(self, api_key):
        return api_key.state()

    @admin.display(description="expires", ordering="expires_at")
    def expires_display(self, api_key):
        return local_time(api_key.expires_at) if api_key.expires_at else "never"

    @admin.display(description="last used", ordering="last_used_at")
    def last_used_display(self, api_key):
        return local_time(api_key.last_used_at) if api_key.last_used_at else "never"

    def add_view(self, request, form_url="", extra_context=None):
        # A key is issued, not added: its secret exists only in the issue view's answer.
        url = reverse("admin:partners_apikey_issue")
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    def issue_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ApiKeyIssueForm(request.POST)
            if form.is_valid():
                try:
                    issued = self._issue(request, form.cleaned_data)
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    # POST-redirect-GET: a reload of the page that shows the key issues nothing.
                    pending = request.session.get(ISSUED_SESSION_KEY, {})
                    pending[str(issued.api_key.pk)] = issued.plaintext
                    request.session[ISSUED_SESSION_KEY] = pending
                    return HttpResponseRedirect(
                        reverse("admin:partners_apikey_issued", args=[issued.api_key.pk])
                    )
        else:
            form = ApiKeyIssueForm(initial={"partner": request.GET.get("partner")})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Issue a new API key",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/partners/apikey/issue_form.html", context)

    @transaction.atomic
    def _issue(self, request, data):
        issued = services.api_key_issue(
            data["partner"],
            label=data["label"],
            expires_at=data["expires_at"],
            partner_identifiers=list(data["partner_identifiers"]),
            allowed_networks=data["allowed_networks"],
            created_by=request.user,
        )
        # The log names the key by its prefix (its str); the plaintext goes nowhere but the page.
        self.log_addition(request, issued.api_key, f"Issued an API key for {data['partner']}.")
        return issued

    def issued_view(self, request, object_id):
        """
        The new key's plaintext, once: it waits in the issuer's session (stored server-side)
        until this page's first answer takes it out; a reload says it was shown already.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        api_key = self.get_object(request, unquote(object_id))
        if api_key is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        pending = request.session.get(ISSUED_SESSION_KEY, {})
        plaintext = pending.pop(str(api_key.pk), None)
        if plaintext is not None:
            request.session[ISSUED_SESSION_KEY] = pending
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "New API key",
            "api_key": api_key,
            "plaintext": plaintext,
        }
        # Nothing may keep this answer (the admin adds no-store to every page already; this
        # page must not rely on it).
        response = TemplateResponse(request, "admin/partners/apikey/issued.html", context)
        add_never_cache_headers(response)
        return response

    def revoke_view(self, request, object_id):
        api_key = self.get_object(request, unquote(object_id))
        if api_key is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, api_key):
            raise PermissionDenied
        if request.method == "POST":
            if self._revoke(request, api_key):
                self.message_user(request, f"API key {api_key} revoked.", messages.SUCCESS)
            else:
                self.message_user(request, f"API key {api_key} was already revoked.")
            return HttpResponseRedirect(reverse("admin:partners_apikey_change", args=[api_key.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revoke API key {api_key}",
            "object": api_key,
        }
        return TemplateResponse(request, "admin/partners/apikey/revoke_confirmation.html", context)

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = sum(self._revoke(request, api_key) for api_key in queryset)
        self.message_user(request, f"{revoked} API key(s) revoked.", messages.SUCCESS)

    def _revoke(self, request, api_key):
        """Revoke and log; False if the key was already revoked (nothing to log)."""
        if api_key.revoked_at is not None:
            return False
        with transaction.atomic():
            services.api_key_revoke(api_key, revoked_by=request.user)
            self.log_change(request, api_key, "Revoked.")
        return True


def _add_errors(form, exc):
    """Put a service's ValidationError on the form, on the field it names when the form has it."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, field_messages in errors.items():
        form.add_error(field if field in form.fields else None, field_messages)


# --- Audit log --------------------------------------------------------------------------------


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # What staff scan for; the key, the address and the path are on each entry's page.
    list_display = [
        "time_display",
        "channel_display",
        "partner",
        "call_display",
        "http_status",
        "result_code",
        "duration_ms",
        "request_id_display",
    ]
    list_filter = [
        "partner",
        "call",
        ResultCodeFilter,
        HttpStatusFilter,
        "interface",
        "direction",
        ("created_at", admin.DateFieldListFilter),
    ]
    # Exact matches on the ids use their indexes; only the path is a substring search.
    search_fields = ["=request_id", "=correlation_id", "=key_prefix", "path"]
    date_hierarchy = "created_at"
    list_select_related = ["partner"]
    # The log grows without bound: spare every page a count of the whole table.
    show_full_result_count = False

    @admin.display(description="time", ordering="created_at")
    def time_display(self, entry):
        return local_time(entry.created_at, COMPACT_DATETIME)

    @admin.display(description="via", ordering="interface")
    def channel_display(self, entry):
        return f"{entry.get_interface_display()} {entry.get_direction_display()}"

    @admin.display(description="call", ordering="call")
    def call_display(self, entry):
        return entry.call or shortened(entry.path, 24)

    @admin.display(description="request id", ordering="request_id")
    def request_id_display(self, entry):
        return shortened(entry.request_id)


# --- Django's admin log -----------------------------------------------------------------------


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who did what in this back-office."""

    list_display = [
        "action_time",
        "user",
        "content_type",
        "object_link",
        "action_flag",
        "change_message_display",
    ]
    list_filter = [
        ("user", admin.RelatedOnlyFieldListFilter),
        "action_flag",
        ("content_type", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="object", ordering="object_repr")
    def object_link(self, entry):
        url = entry.get_admin_url() if entry.action_flag != DELETION else None
        if url:
            return format_html('<a href="{}">{}</a>', url, entry.object_repr)
        return entry.object_repr

    @admin.display(description="change message")
    def change_message_display(self, entry):
        return entry.get_change_message()


# --- Deliveries -------------------------------------------------------------------------------


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = [
        "number",
        "started_at",
        "duration_ms",
        "http_status",
        "result_code",
        "outcome",
        "error",
        "request_id",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Calls we send without waiting; staff watch them and send dead letters again."""

    list_display = [
        "created_display",
        "partner",
        "call",
        "subject",
        "state",
        "attempts",
        "next_attempt_display",
        "last_answer_display",
    ]
    list_filter = ["state", "call", "partner", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["partner"]
    search_fields = ["subject", "dedupe_key", "=attempt_log__request_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [DeliveryAttemptInline]
    actions = ["retry_selected"]
    fields = [
        ("partner", "call", "subject"),
        ("state", "attempts", "max_attempts", "next_attempt_at"),
        ("last_http_status", "last_result_code", "last_error"),
        ("created_at", "delivered_at"),
        "dedupe_key",
        "payload_display",
    ]
    readonly_fields = ["payload_display"]

    def get_queryset(self, request):
        # Its title names the partner.
        return super().get_queryset(request).select_related("partner")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="created", ordering="created_at")
    def created_display(self, delivery):
        return local_time(delivery.created_at, COMPACT_DATETIME)

    @admin.display(description="next attempt", ordering="next_attempt_at")
    def next_attempt_display(self, delivery):
        # Delivered and dead deliveries keep a time no attempt will be made at.
        if delivery.state in (Delivery.State.PENDING, Delivery.State.SENDING):
            return local_time(delivery.next_attempt_at, COMPACT_DATETIME)
        return "—"

    @admin.display(description="last answer")
    def last_answer_display(self, delivery):
        parts = [
            str(value)
            for value in (delivery.last_http_status, delivery.last_result_code)
            if value is not None
        ]
        if delivery.last_error:
            parts.append(delivery.last_error)
        return shortened(" · ".join(parts), 30)

    @admin.display(description="payload")
    def payload_display(self, delivery):
        return json_display(delivery.payload)

    @admin.action(description="Send selected dead deliveries again", permissions=["retry"])
    def retry_selected(self, request, queryset):
        retried = 0
        for delivery in queryset.filter(state=Delivery.State.DEAD):
            with transaction.atomic():
                services.delivery_retry(delivery)
                self.log_change(request, delivery, "Sent again from the dead letter.")
            retried += 1
        self.message_user(request, f"{retried} dead deliveries queued again.", messages.SUCCESS)

    def has_retry_permission(self, request):
        return request.user.has_perm("partners.retry_delivery")


# --- Portal users -----------------------------------------------------------------------------


class PartnerMembershipInline(admin.StackedInline):
    """On a user's page: makes the user a portal user of one partner."""

    model = PartnerMembership
    fk_name = "user"
    fields = ["partner", "is_partner_admin"]
    autocomplete_fields = ["partner"]
    can_delete = True
    verbose_name = "partner portal access"
    verbose_name_plural = "partner portal access"


class PortalUserPartnerFilter(admin.SimpleListFilter):
    title = "portal partner"
    parameter_name = "portal_partner"

    def lookups(self, request, model_admin):
        return [("none", "not a portal user"), *Partner.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(partner_membership__isnull=True)
        if self.value():
            return queryset.filter(partner_membership__partner_id=self.value())
        return queryset


admin.site.unregister(User)


@admin.register(User)
class PortalAwareUserAdmin(UserAdmin):
    """Django's user admin, where staff also give a user portal access to one partner."""

    inlines = [*UserAdmin.inlines, PartnerMembershipInline]
    list_display = [*UserAdmin.list_display, "portal_partner"]
    list_filter = [*UserAdmin.list_filter, PortalUserPartnerFilter]
    list_select_related = ["partner_membership__partner"]

    @admin.display(description="portal partner", ordering="partner_membership__partner__name")
    def portal_partner(self, user):
        membership = getattr(user, "partner_membership", None)
        return membership.partner.name if membership else "—"
