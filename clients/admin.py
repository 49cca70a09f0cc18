"""
The back-office for customers, contracts and charging keys, the partners' whitelists and the
authorization log. Key state changes go through ``clients.services`` and into Django's admin log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from clients import (
    admin_fleet,  # noqa: F401 - registers the fleet cards' pages
    selectors,
    services,
)
from clients.models import (
    Authorization,
    ChargingKey,
    Contract,
    Customer,
    OnlineProvider,
    VerificationResult,
    Whitelist,
    WhitelistEntry,
)
from core import identifiers
from core.admin_bases import ReadOnlyAdminMixin, ResultCodeFilter
from partners.models import Partner

# --- Search by identifier -------------------------------------------------------------------------


class IdentifierSearchMixin:
    """
    A search term that is a UID (any case) or an EVCO id (any separators) is normalized with the
    shared normalizers and matched exactly, on an index; any other term searches
    ``search_fields`` as usual.
    """

    uid_search_field = None
    evco_id_search_field = None

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        matches = [
            Q(**{field: normalized})
            for field, normalizer in (
                (self.uid_search_field, identifiers.normalize_uid),
                (self.evco_id_search_field, identifiers.normalize_evco_id),
            )
            if field and (normalized := _normalized_or_none(normalizer, term))
        ]
        if not matches:
            return super().get_search_results(request, queryset, search_term)
        condition = matches[0]
        for match in matches[1:]:
            condition |= match
        return queryset.filter(condition), True


def _normalized_or_none(normalizer, term):
    try:
        return normalizer(term) if term else None
    except ValidationError:
        return None


# --- Customers and contracts ----------------------------------------------------------------------


class ProviderFilter(admin.SimpleListFilter):
    """The platform's own contracts, or one partner's; subclasses say how they reach contracts."""

    title = "provider"
    parameter_name = "provider"
    PLATFORM = "platform"
    # The filtered model's field that is in ``Contract.<contract_value>`` of matching contracts.
    field = "pk"
    contract_value = "pk"

    def lookups(self, request, model_admin):
        partners = Partner.objects.filter(Q(is_emp=True) | Q(is_oem=True))
        return [(self.PLATFORM, "the platform"), *((str(p.pk), p.name) for p in partners)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.PLATFORM:
            contracts = Contract.objects.filter(provider__isnull=True)
        elif value and value.isdigit():
            contracts = Contract.objects.filter(provider_id=int(value))
        else:
            return queryset
        # A subquery, not a join: a customer with several contracts stays one row.
        return queryset.filter(**{f"{self.field}__in": contracts.values(self.contract_value)})


class ChargingKeyProviderFilter(ProviderFilter):
    field = "contract"


class CustomerProviderFilter(ProviderFilter):
    contract_value = "customer"


class ContractInline(admin.TabularInline):
    model = Contract
    fields = ["evco_id", "provider", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


class ChargingKeyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The customer's keys; they are added, blocked and unblocked from their own pages."""

    model = ChargingKey
    fields = ["uid", "contract", "state", "state_reason", "state_changed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Customer)
class CustomerAdmin(IdentifierSearchMixin, admin.ModelAdmin):
    list_display = ["__str__", "email", "has_valid_payment_method", "key_count", "created_at"]
    list_filter = ["has_valid_payment_method", CustomerProviderFilter]
    search_fields = ["name", "email"]
    uid_search_field = "charging_keys__uid"
    evco_id_search_field = "contracts__evco_id_normalized"
    inlines = [ContractInline, ChargingKeyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(key_count=Count("charging_keys"))

    def has_delete_permission(self, request, obj=None):
        # The authorization log and CDRs keep referring to customers' contracts and keys.
        return False

    @admin.display(description="keys", ordering="key_count")
    def key_count(self, customer):
        return customer.key_count


@admin.register(Contract)
class ContractAdmin(IdentifierSearchMixin, admin.ModelAdmin):
    list_display = ["evco_id", "provider", "customer", "created_at"]
    list_filter = [ProviderFilter]
    list_select_related = ["provider", "customer"]
    search_fields = ["evco_id", "customer__name", "customer__email"]
    evco_id_search_field = "evco_id_normalized"
    raw_id_fields = ["customer"]

    def has_delete_permission(self, request, obj=None):
        return False


# --- Charging keys ----------------------------------------------------------------------------


class StateChangeForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the key and in the admin log.",
    )


# Each change a key's page offers: the state it leads to, its button and what it did.
STATE_CHANGES = {
    "block": (ChargingKey.State.BLOCKED, "Block", "Blocked"),
    "unblock": (ChargingKey.State.ACTIVE, "Unblock", "Unblocked"),
    "deactivate": (ChargingKey.State.INACTIVE, "Deactivate", "Deactivated"),
}


@admin.register(ChargingKey)
class ChargingKeyAdmin(IdentifierSearchMixin, admin.ModelAdmin):
    list_display = ["uid", "contract", "customer", "provider", "state", "state_changed_at"]
    list_filter = ["state", ChargingKeyProviderFilter]
    list_select_related = ["contract__provider", "customer"]
    search_fields = ["customer__name", "customer__email"]
    uid_search_field = "uid"
    evco_id_search_field = "contract__evco_id_normalized"
    autocomplete_fields = ["contract"]
    readonly_fields = [
        "customer",
        "state",
        "state_reason",
        "state_changed_at",
        "state_changed_by",
        "created_at",
    ]

    def get_urls(self):
        return [
            *(
                path(
                    f"<path:object_id>/{change}/",
                    self.admin_site.admin_view(self.change_state_view),
                    {"change": change},
                    name=f"clients_chargingkey_{change}",
                )
                for change in STATE_CHANGES
            ),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request, obj=None):
        # A key's UID and contract are what the card is: fixed once it exists.
        fixed = ["uid", "contract"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        # Keys are blocked or deactivated, never deleted: the authorization log names them.
        return False

    @admin.display(description="provider", ordering="contract__provider__name")
    def provider(self, key):
        return key.contract.provider or "the platform"

    def change_state_view(self, request, object_id, change):
        key = self.get_object(request, unquote(object_id))
        if key is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, key):
            raise PermissionDenied
        state, verb, done = STATE_CHANGES[change]
        form = StateChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                self._change_state(request, key, state, done, form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, f"{done} charging key {key}.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:clients_chargingkey_change", args=[key.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{verb} charging key {key}",
            "object": key,
            "verb": verb,
            "form": form,
        }
        return TemplateResponse(request, "admin/clients/chargingkey/change_state.html", context)

    @transaction.atomic
    def _change_state(self, request, key, state, done, reason):
        services.charging_key_change_state(key, state, reason=reason, by=request.user)
        self.log_change(request, key, f"{done}: {key.state_reason}")

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["state_changes"] = [
                (f"admin:clients_chargingkey_{change}", verb)
                for change, (state, verb, _) in STATE_CHANGES.items()
                if state != obj.state
            ]
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


# --- Whitelists -------------------------------------------------------------------------------


class WhitelistPartnerFilter(admin.SimpleListFilter):
    """The partners that pushed a whitelist (a handful), not a scan of the entries."""

    title = "partner"
    parameter_name = "partner"
    field = "partner_identifier__partner"

    def lookups(self, request, model_admin):
        partners = Partner.objects.filter(identifiers__whitelist__isnull=False).distinct()
        return [(str(partner.pk), partner.name) for partner in partners]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{self.field: int(self.value())})
        return queryset


class WhitelistEntryPartnerFilter(WhitelistPartnerFilter):
    field = "whitelist__partner_identifier__partner"


@admin.register(Whitelist)
class WhitelistAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What each partner pushed, per partner identifier: pushed by the partner, read by staff."""

    list_display = [
        "partner",
        "partner_identifier",
        "active_count",
        "inactive_count",
        "pushed_at",
        "last_push_display",
    ]
    list_filter = [WhitelistPartnerFilter]
    list_select_related = ["partner_identifier__partner"]
    search_fields = ["partner_identifier__value", "partner_identifier__partner__name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_count=Count("entries", filter=Q(entries__is_active=True)),
                inactive_count=Count("entries", filter=Q(entries__is_active=False)),
            )
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="partner", ordering="partner_identifier__partner__name")
    def partner(self, whitelist):
        return whitelist.partner_identifier.partner

    @admin.display(description="active UIDs", ordering="active_count")
    def active_count(self, whitelist):
        url = reverse("admin:clients_whitelistentry_changelist")
        return format_html(
            '<a href="{}?whitelist__id__exact={}&is_active__exact=1">{}</a>',
            url,
            whitelist.pk,
            whitelist.active_count,
        )

    @admin.display(description="dropped UIDs", ordering="inactive_count")
    def inactive_count(self, whitelist):
        return whitelist.inactive_count

    @admin.display(description="UIDs pushed (added −removed)")
    def last_push_display(self, whitelist):
        return (
            f"{whitelist.last_push_size} "
            f"(+{whitelist.last_push_added} −{whitelist.last_push_removed})"
        )


@admin.register(WhitelistEntry)
class WhitelistEntryAdmin(IdentifierSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["uid", "whitelist", "is_active", "added_at", "removed_at"]
    list_filter = ["is_active", WhitelistEntryPartnerFilter]
    list_select_related = ["whitelist__partner_identifier__partner"]
    uid_search_field = "uid"
    search_fields = ["uid"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Authorization log ------------------------------------------------------------------------


class VerifyAnswerFilter(ResultCodeFilter):
    """Only the answers rfid-verify gives."""

    title = "answer"

    def lookups(self, request, model_admin):
        return [
            (str(result.value), f"{result.value} {result.label}") for result in VerificationResult
        ]


class ForwardedFilter(admin.SimpleListFilter):
    title = "online authorization"
    parameter_name = "forwarded"
    CHOICES = {
        "local": ("answered locally", Q(provider__isnull=True)),
        "answered": ("the provider answered", Q(provider__isnull=False, provider_failed=False)),
        "failed": ("the provider failed (fallback)", Q(provider_failed=True)),
    }

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.CHOICES.items()]

    def queryset(self, request, queryset):
        if self.value() in self.CHOICES:
            return queryset.filter(self.CHOICES[self.value()][1])
        return queryset


@admin.register(Authorization)
class AuthorizationAdmin(IdentifierSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "partner",
        "uid",
        "result_code",
        "evco_id",
        "charging_key",
        "provider",
        "provider_answer",
    ]
    list_filter = [
        "partner",
        VerifyAnswerFilter,
        ForwardedFilter,
        ("provider", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["partner", "charging_key", "provider"]
    uid_search_field = "uid"
    evco_id_search_field = "charging_key__contract__evco_id_normalized"
    search_fields = ["=request_id"]
    date_hierarchy = "created_at"
    # The log grows without bound: spare every page a count of the whole table.
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Online authorization providers -----------------------------------------------------------


class OnlineHealthFilter(admin.SimpleListFilter):
    title = "endpoint"
    parameter_name = "health"
    FAILING = "failing"

    def lookups(self, request, model_admin):
        return [(self.FAILING, "failing (no usable answer to the last verification)")]

    def queryset(self, request, queryset):
        if self.value() == self.FAILING:
            return queryset.filter(last_failed=True)
        return queryset


HEALTH_HOURS = selectors.ONLINE_HEALTH_WINDOW.total_seconds() / 3600


@admin.register(OnlineProvider)
class OnlineProviderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The health of each online provider's endpoint; the flag is set on the partner's page."""

    list_display = [
        "partner_link",
        "endpoint_url",
        "last_forwarded_at",
        "last_answer_display",
        "failure_share",
    ]
    list_display_links = None
    list_filter = [OnlineHealthFilter]
    search_fields = ["name"]
    # The page of one shows no more than the list (never the endpoint key).
    fields = ["name", "endpoint_url", "online_authorization"]

    def get_queryset(self, request):
        return selectors.online_provider_list_with_health()

    @admin.display(description="provider", ordering="name")
    def partner_link(self, provider):
        url = reverse("admin:partners_partner_change", args=[provider.pk])
        return format_html('<a href="{}">{}</a>', url, provider.name)

    @admin.display(description="last forwarded", ordering="last_forwarded_at")
    def last_forwarded_at(self, provider):
        return provider.last_forwarded_at

    @admin.display(description="its last answer")
    def last_answer_display(self, provider):
        if provider.last_answer is None:
            return "—"
        return f"{provider.last_answer} (failed)" if provider.last_failed else provider.last_answer

    @admin.display(description=f"failed in the last {HEALTH_HOURS:.0f} h")
    def failure_share(self, provider):
        if not provider.recent_count:
            return "—"
        share = 100 * provider.recent_failed / provider.recent_count
        return f"{provider.recent_failed} of {provider.recent_count} ({share:.0f} %)"
