"""
The CDR back-office: an audit view, read-only for all staff, superusers included, with each
CDR's revisions as received, totals of the filtered list, and the review of flagged CDRs.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.response import TemplateResponse

from cdrs import selectors, services
from cdrs.models import CDR, CDRRevision, IdentifierType
from clients.models import Contract
from core import identifiers
from core.admin_bases import (
    COMPACT_DATETIME,
    ReadOnlyAdminMixin,
    json_display,
    local_time,
    shortened,
)
from core.formats import energy_format, money_format
from partners.models import Partner, Role

# Offered in the currency filter: a fixed list, as listing the currencies in use would scan the
# whole table on every page. Any other code still filters by URL (`?currency=XXX`).
COMMON_CURRENCIES = ("EUR", "CHF", "GBP", "DKK", "SEK", "NOK", "PLN", "CZK", "HUF", "USD")


class PartnerFilter(admin.SimpleListFilter):
    """Partners of some roles, from the partner table: no scan of the CDRs to list them."""

    roles = ()
    field = ""

    def lookups(self, request, model_admin):
        condition = Q(pk__in=[])
        for role in self.roles:
            condition |= Q(**{Partner.ROLE_FIELDS[role]: True})
        return [(str(p.pk), p.name) for p in Partner.objects.filter(condition)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{self.field: int(self.value())})
        return queryset


class CPOFilter(PartnerFilter):
    title = "CPO"
    parameter_name = "cpo"
    roles = (Role.CPO,)
    field = "cpo"


class RecipientFilter(PartnerFilter):
    title = "recipient"
    parameter_name = "recipient"
    roles = (Role.EMP, Role.OEM, Role.FLEET)
    field = "recipient"


class FlagFilter(admin.SimpleListFilter):
    title = "review flags"
    parameter_name = "flag"
    FLAGS = {
        "needs_review": ("needs review", Q(needs_review=True)),
        "unmatched_user": ("unmatched user", Q(unmatched_user=True)),
        "unmatched_connector": ("unmatched connector", Q(unmatched_connector=True)),
        "reviewed": ("reviewed", Q(reviewed_at__isnull=False)),
    }

    def lookups(self, request, model_admin):
        return [(name, label) for name, (label, _) in self.FLAGS.items()]

    def queryset(self, request, queryset):
        if self.value() in self.FLAGS:
            return queryset.filter(self.FLAGS[self.value()][1])
        return queryset


class CurrencyFilter(admin.SimpleListFilter):
    title = "currency"
    parameter_name = "currency"

    def lookups(self, request, model_admin):
        return [(code, code) for code in COMMON_CURRENCIES]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(cost_currency=self.value().upper())
        return queryset


class CDRRevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CDRRevision
    fields = ["number", "received_at", "key_prefix", "request_id", "payload_display"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="payload as received")
    def payload_display(self, revision):
        return json_display(revision.payload)


class ReviewForm(forms.Form):
    note = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="What was checked or decided; kept with each CDR and in the admin log.",
    )


@admin.register(CDR)
class CDRAdmin(admin.ModelAdmin):
    # The user identifier and the times beyond the start are on each CDR's page.
    list_display = [
        "session_start_display",
        "session_id_display",
        "cpo",
        "recipient",
        "evse_id",
        "state",
        "energy_display",
        "cost_display",
        "flags_display",
    ]
    list_filter = [
        CPOFilter,
        RecipientFilter,
        "state",
        FlagFilter,
        ("session_start", admin.DateFieldListFilter),
        CurrencyFilter,
    ]
    list_select_related = ["cpo", "recipient"]
    # The table grows without bound: spare every page a count of the whole of it.
    show_full_result_count = False
    search_help_text = (
        "A session id, or an EVSE id, EVCO id or RFID UID written in any form (exact match)."
    )
    inlines = [CDRRevisionInline]
    actions = ["review_selected"]
    readonly_fields = [
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "final_at",
        "created_at",
        "updated_at",
    ]

    # Billing data: what the CPO posted and we forwarded is changed by nobody here, superusers
    # included (the daily totals, the revisions and what the recipient received would no longer
    # agree). CDRs are created and completed by session-post only; staff review them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        # Shown, not edited: energy and cost as people write them, not as stored.
        shown = {"energy_kwh": "energy_display", "cost_amount": "cost_display"}
        return [shown.get(field, field) for field in fields if field != "cost_currency"]

    def has_review_permission(self, request):
        return request.user.has_perm("cdrs.review_cdr")

    def get_search_fields(self, request):
        # Searched by get_search_results below; declaring one turns the search box on.
        return ["session_id"]

    def get_search_results(self, request, queryset, search_term):
        """
        Exact matches on indexed columns: the term as a session id, and, where it reads as one,
        as an EVSE id, EVCO id or UID in its normalized form.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(session_id=term)
        evse_id = _normalized_or_none(identifiers.normalize_evse_id, term)
        if evse_id:
            condition |= Q(evse_id_normalized=evse_id)
        uid = _normalized_or_none(identifiers.normalize_uid, term)
        if uid:
            condition |= Q(user_identifier_type=IdentifierType.RFID, user_identifier_normalized=uid)
        evco_id = _normalized_or_none(identifiers.normalize_evco_id, term)
        if evco_id:
            condition |= Q(
                user_identifier_type=IdentifierType.EVCO_ID, user_identifier_normalized=evco_id
            ) | Q(contract__in=Contract.objects.filter(evco_id_normalized=evco_id).values("pk"))
        return queryset.filter(condition), False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["totals"] = selectors.cdr_totals(changelist.queryset)
        return response

    @admin.display(description="session start", ordering="session_start")
    def session_start_display(self, cdr):
        return local_time(cdr.session_start, COMPACT_DATETIME)

    @admin.display(description="session id", ordering="session_id")
    def session_id_display(self, cdr):
        return shortened(cdr.session_id, 16)

    @admin.display(description="energy (kWh)", ordering="energy_kwh")
    def energy_display(self, cdr):
        return energy_format(cdr.energy_kwh, unit=False)

    @admin.display(description="cost", ordering="cost_amount")
    def cost_display(self, cdr):
        return money_format(cdr.cost_amount, cdr.cost_currency)

    @admin.display(description="flags")
    def flags_display(self, cdr):
        flags = ", ".join(cdr.flags)
        if flags and cdr.needs_review:
            return f"{flags} (to review)"
        return flags or "—"

    @admin.action(description="Review selected flagged CDRs…", permissions=["review"])
    def review_selected(self, request, queryset):
        flagged = queryset.needing_review()
        form = ReviewForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reviewed = self._review(request, flagged, form.cleaned_data["note"])
            self.message_user(request, f"{reviewed} CDR(s) marked reviewed.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Review flagged CDRs",
            "form": form,
            "cdrs": flagged.select_related("cpo"),
            "skipped": queryset.count() - flagged.count(),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cdrs/cdr/review.html", context)

    @transaction.atomic
    def _review(self, request, flagged, note):
        # Locked and filtered again: a CDR someone reviewed meanwhile is left as they left it.
        locked = CDR.objects.select_for_update().filter(
            pk__in=flagged.values("pk"), needs_review=True
        )
        reviewed = 0
        for cdr in locked:
            services.cdr_review(cdr, user=request.user, note=note)
            self.log_change(request, cdr, f"Reviewed ({', '.join(cdr.flags)}): {note}")
            reviewed += 1
        return reviewed


def _normalized_or_none(normalizer, term):
    try:
        return normalizer(term)
    except ValidationError:
        return None
