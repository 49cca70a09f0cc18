"""
The back-office for stations: what CPOs pushed is shown, never edited (their next post would
overwrite it); staff curate on top of it (hide from reads, validate, owner and service
providers). Hiding and showing go through ``stations.services`` and into the admin log.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from core import identifiers
from core.admin_bases import ReadOnlyAdminMixin
from stations import services
from stations.models import (
    Company,
    CompanyImage,
    Connector,
    ConnectorStatus,
    ConnectorStatusChange,
    ConnectorType,
    Station,
    Vehicle,
)
from stations.selectors import status_summary

CURATION_FIELDS = [
    "is_validated",
    "owner_company",
    "service_providers",
    "accepts_app",
    "accepts_rfid",
]


class CompanyImageInline(admin.TabularInline):
    """The images company-get-images answers with, in order."""

    model = CompanyImage
    fields = ["url", "position"]
    extra = 0
    # A URL typed without its scheme is taken as HTTPS, the only scheme allowed.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "operator", "partner", "city"]
    list_filter = ["type"]
    list_select_related = ["operator", "partner"]
    search_fields = ["name", "operator__value", "operator__normalized"]
    autocomplete_fields = ["partner"]
    inlines = [CompanyImageInline]


class VehicleForm(forms.ModelForm):
    connector_types = forms.MultipleChoiceField(
        choices=ConnectorType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Vehicle
        fields = ["brand", "model", "max_speed", "connector_types"]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    """The catalogue vehicle-get-all answers with."""

    form = VehicleForm
    list_display = ["brand", "model", "max_speed", "connector_types_display"]
    search_fields = ["brand", "model"]

    @admin.display(description="connector types")
    def connector_types_display(self, vehicle):
        return ", ".join(vehicle.connector_types) or "—"


class ConnectorInline(admin.TabularInline):
    model = Connector
    fields = ["evse_id", "type", "speed", "status", "status_changed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class ConnectorStatusFilter(admin.SimpleListFilter):
    title = "connector status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ConnectorStatus.choices

    def queryset(self, request, queryset):
        if self.value() in ConnectorStatus.values:
            statuses = Connector.objects.filter(station=OuterRef("pk"), status=self.value())
            return queryset.filter(Exists(statuses))
        return queryset


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "external_id",
        "owner",
        "operator",
        "city",
        "summary_display",
        "curation_display",
        "last_static_change",
    ]
    list_filter = [
        ("operator", admin.RelatedOnlyFieldListFilter),
        ConnectorStatusFilter,
        "is_deleted",
        "is_hidden",
        "is_validated",
        "country",
    ]
    list_select_related = ["owner", "operator"]
    search_fields = ["name", "external_id", "city", "connectors__evse_id"]
    autocomplete_fields = ["owner_company", "service_providers"]
    inlines = [ConnectorInline]
    actions = ["hide_selected", "unhide_selected"]
    show_full_result_count = False
    fieldsets = [
        (
            "As the CPO pushed it",
            {
                "fields": [
                    ("external_id", "owner", "partner_identifier"),
                    ("operator", "operator_company"),
                    "name",
                    "description",
                    ("latitude", "longitude"),
                    ("street", "street_number", "zip_code", "city", "country"),
                    ("phone", "fax", "website", "email"),
                    ("is_open_24", "opening_hours_display"),
                    "notes",
                    ("floor_level", "total_parking"),
                    ("is_reservable", "is_free_charge", "is_green_power_available"),
                    ("is_plugin_charge", "is_roofed", "is_private", "is_deleted"),
                    ("created_at", "last_static_change", "last_dynamic_change"),
                ]
            },
        ),
        (
            "Curation",
            {
                "fields": [("is_hidden", "hidden_at", "hidden_by"), *CURATION_FIELDS],
                "description": "Hide or show a station with the actions of the station list.",
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [
            *(
                field.name
                for field in Station._meta.get_fields()
                if field.concrete and field.name not in CURATION_FIELDS
            ),
            "opening_hours_display",
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("connectors", queryset=Connector.objects.only("station_id", "status"))
            )
        )

    def get_search_results(self, request, queryset, search_term):
        searched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            evse_id = identifiers.normalize_evse_id(search_term)
        except ValidationError:
            return searched, may_have_duplicates
        # An EVSE id is found in any written form (`de8pse1` finds `DE*8PS*E1`).
        return searched | queryset.filter(connectors__evse_id_normalized=evse_id), True

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A station is the CPO's: it deletes it with station-post; staff hide it.
        return False

    @admin.display(description="opening hours")
    def opening_hours_display(self, station):
        # As pushed: [{"days": ["Mo", "Fr"], "times": ["07:30", "19:00"]}], each pair a range.
        periods = (
            (" – ".join(period.get("days", [])), " – ".join(period.get("times", [])))
            for period in station.open_hour_notes or []
        )
        return format_html_join(mark_safe("<br>"), "{} {}", periods) or "—"

    @admin.display(description="shown")
    def curation_display(self, station):
        # One column for both flags: the list must fit 1366 pixels.
        if station.is_deleted:
            return "deleted"
        return "hidden" if station.is_hidden else "—"

    @admin.display(description="status")
    def summary_display(self, station):
        return status_summary(c.status for c in station.connectors.all()) or "—"

    @admin.action(description="Hide selected stations from the read calls", permissions=["change"])
    def hide_selected(self, request, queryset):
        self._curate(request, queryset, services.station_hide, "Hidden from the read calls.")

    @admin.action(description="Show selected stations in the read calls", permissions=["change"])
    def unhide_selected(self, request, queryset):
        self._curate(request, queryset, services.station_unhide, "Shown in the read calls.")

    def _curate(self, request, queryset, service, message):
        changed = 0
        for station in queryset:
            with transaction.atomic():
                if service(station, user=request.user):
                    self.log_change(request, station, message)
                    changed += 1
        self.message_user(request, f"{changed} station(s): {message}", messages.SUCCESS)


@admin.register(ConnectorStatusChange)
class ConnectorStatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "changed_at",
        "evse_display",
        "station_display",
        "previous_status",
        "status",
        "source",
        "request_id",
    ]
    list_filter = ["status", "source"]
    list_select_related = ["connector__station"]
    search_fields = ["connector__evse_id", "connector__station__external_id", "=request_id"]
    date_hierarchy = "changed_at"
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="EVSE id", ordering="connector__evse_id")
    def evse_display(self, change):
        return change.connector.evse_id

    @admin.display(description="station")
    def station_display(self, change):
        return change.connector.station
