"""The portal's sessions page: the remote starts an EMP's or OEM's customers asked for."""

from django.utils.translation import gettext_lazy as _

from core.forms import PortalFilterSetMixin
from core.streaming import stream_rows
from partners.models import Role
from partners.views import Column, PortalListView
from sessions_app.filtersets import ChargingSessionFilterSet
from sessions_app.models import ChargingSession


class PortalSessionFilterSet(PortalFilterSetMixin, ChargingSessionFilterSet):
    """The REST API's session filters, with date pickers for the period."""

    left_out = ("updated_since", "station")
    labels = {
        "since": _("Requested from"),
        "until": _("Requested before"),
        "evse_id": _("EVSE id"),
        "state": _("State"),
        "cpo_session_id": _("CPO session id"),
        "result_code": _("Result code"),
    }
    date_inputs = ("since", "until")
    choice_labels = {"state": "session_state"}


class SessionListView(PortalListView):
    roles = frozenset({Role.EMP, Role.OEM})
    model = ChargingSession
    template_name = "portal/sessions.html"
    context_object_name = "sessions"
    filterset_class = PortalSessionFilterSet
    columns = (
        Column("requested", _("Requested"), ("requested_at",)),
        Column("evse", _("EVSE id"), ("evse_id",)),
        Column("station", _("Station"), ("connector__station__name",)),
        Column("customer", _("Customer"), ("user_identifier",)),
        Column("state", _("State"), ("state",)),
        Column("result", _("Result"), ("result_code",)),
        Column("started", _("Started"), ("started_at",)),
        Column("stopped", _("Stopped"), ("stopped_at",)),
    )
    default_sort = "-requested"
    export_name = "sessions"
    export_time_columns = ("requested_at", "started_at", "stopped_at")

    def partner_scope(self, queryset, partner):
        # Not the sessions run at the partner's stations: ChargingSessionQuerySet says why.
        return queryset.for_partner(partner, as_cpo=False)

    def get_queryset(self):
        return super().get_queryset().select_related("connector__station")

    def export_header(self):
        return [
            "requested_at",
            "evse_id",
            "station_name",
            "identifier_type",
            "identifier",
            "state",
            "result_code",
            "cpo_session_id",
            "started_at",
            "stopped_at",
        ]

    def export_rows(self, queryset):
        for session in stream_rows(queryset, chunk_size=2000):
            yield [
                session.requested_at,
                session.evse_id,
                session.connector.station.name,
                session.user_identifier_type,
                session.user_identifier,
                session.state,
                session.result_code,
                session.cpo_session_id,
                session.started_at,
                session.stopped_at,
            ]
