"""
The back-office of fleet cards (docs/oioi.md, "Fleet cards"): the members and cards the fleets
posted, each card's status history, and staff's decisions on orders (accept, reject, issue),
which go through ``clients.fleet`` and into Django's admin log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from clients import fleet
from clients.models import FleetCard, FleetCardEvent, FleetMember
from core.admin_bases import ReadOnlyAdminMixin
from core.errors import DomainError

Status = FleetCard.Status


@admin.register(FleetMember)
class FleetMemberAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """As the fleet posted them: the fleet's data, changed by its next fleet-post-members."""

    list_display = ["uid", "__str__", "fleet", "fleet_group_id", "city", "country", "updated_at"]
    list_filter = ["fleet"]
    list_select_related = ["fleet"]
    search_fields = ["uid", "first_name", "last_name", "email", "external_id"]


class FleetCardEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The card's status history: the fleet's requests and our answers."""

    model = FleetCardEvent
    fields = ["created_at", "status", "from_fleet", "by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class IssueForm(forms.Form):
    uid = forms.CharField(label="UID", max_length=20, help_text="Hexadecimal, 8, 14 or 20 digits.")
    visual_id = forms.CharField(
        label="visual id", max_length=64, required=False, help_text="As printed on the card."
    )
    expiration_date = forms.DateTimeField(
        label="expires", required=False, help_text="YYYY-MM-DD HH:MM; empty for never."
    )


@admin.register(FleetCard)
class FleetCardAdmin(admin.ModelAdmin):
    list_display = [
        "uid",
        "member",
        "fleet",
        "status",
        "charging_key",
        "request_date",
        "updated_at",
    ]
    list_filter = ["status", "fleet"]
    list_select_related = ["member", "fleet", "charging_key"]
    search_fields = ["uid", "member__uid", "member__last_name", "charging_key__uid"]
    readonly_fields = [
        "fleet",
        "partner_identifier",
        "uid",
        "member",
        "status",
        "request_date",
        "requested_rfid",
        "issuer",
        "visual_id",
        "charging_key",
        "activation_date",
        "expiration_date",
        "deliveries",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [FleetCardEventInline]
    actions = ["accept", "reject"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/issue/",
                self.admin_site.admin_view(self.issue_view),
                name="clients_fleetcard_issue",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="our answers")
    def deliveries(self, card):
        url = reverse("admin:partners_delivery_changelist")
        query = urlencode({"q": card.uid, "partner__id__exact": card.fleet_id})
        return format_html('<a href="{}?{}">fleet-post-cards to {}</a>', url, query, card.fleet)

    def _decide(self, request, queryset, decide, done):
        decided = 0
        for card in queryset:
            try:
                decide(card)
            except DomainError as exc:
                self.message_user(request, f"Card {card.uid}: {exc.message}", messages.WARNING)
            else:
                self.log_change(request, card, done)
                decided += 1
        if decided:
            self.message_user(request, f"{done}: {decided} card(s).", messages.SUCCESS)

    @admin.action(description="Accept the selected orders", permissions=["change"])
    def accept(self, request, queryset):
        self._decide(
            request, queryset, lambda c: fleet.fleet_card_accept(c, by=request.user), "Accepted"
        )

    @admin.action(description="Reject the selected orders", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda c: fleet.fleet_card_reject(c, by=request.user, reason="Rejected by staff."),
            "Rejected",
        )

    def issue_view(self, request, object_id):
        card = self.get_object(request, unquote(object_id))
        if card is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, card):
            raise PermissionDenied
        form = IssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                card = fleet.fleet_card_issue(card, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error("uid" if exc.field == "uid" else None, exc.message)
            except ValidationError as exc:
                form.add_error("uid", exc)
            else:
                self.log_change(request, card, f"Issued: key {card.charging_key}.")
                self.message_user(
                    request,
                    f"Card {card.uid} is operational: key {card.charging_key}, "
                    f"EVCO id {card.charging_key.contract}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:clients_fleetcard_change", args=[card.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Issue fleet card {card.uid}",
            "object": card,
            "form": form,
        }
        return TemplateResponse(request, "admin/clients/fleetcard/issue.html", context)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_issue"] = obj is not None and obj.status == Status.REQUEST_ACCEPTED
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)
