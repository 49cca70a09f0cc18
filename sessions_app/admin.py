from django.contrib import admin

from core.admin_bases import COMPACT_DATETIME, ReadOnlyAdminMixin, local_time, shortened
from sessions_app.models import ChargingSession, Reservation


@admin.register(ChargingSession)
class ChargingSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Remote starts as asked and as the CPO answered: records, not data to edit."""

    list_display = [
        "requested_display",
        "requested_by",
        "cpo",
        "evse_id",
        "cpo_session_id_display",
        "state",
        "result_code",
        "is_stoppable",
        "stopped_at",
    ]
    list_filter = [
        "state",
        "requested_by",
        "cpo",
        "result_code",
        ("requested_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["requested_by", "cpo"]
    search_fields = ["=cpo_session_id", "evse_id", "contract__evco_id", "=correlation_id"]
    date_hierarchy = "requested_at"
    show_full_result_count = False

    @admin.display(description="requested", ordering="requested_at")
    def requested_display(self, session):
        return local_time(session.requested_at, COMPACT_DATETIME)

    @admin.display(description="CPO session id", ordering="cpo_session_id")
    def cpo_session_id_display(self, session):
        return shortened(session.cpo_session_id, 12)


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "requested_by",
        "cpo",
        "evse_id",
        "state",
        "end_at",
        "result_code",
    ]
    list_filter = ["state", "requested_by", "cpo", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["requested_by", "cpo"]
    search_fields = ["evse_id", "contracts__evco_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
