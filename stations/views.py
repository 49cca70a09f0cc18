"""
The portal's stations page with the connectors' live status: a CPO's own stations, the stations
an EMP's, OEM's or fleet's customers can use (``Station.objects.for_partner``'s defaults).
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from core.forms import PortalFilterSetMixin
from core.streaming import stream_rows
from partners.views import Column, PortalListView
from stations.filtersets import StationFilterSet
from stations.models import Connector, Station


class PortalStationFilterSet(PortalFilterSetMixin, StationFilterSet):
    """The REST API's station filters that make sense in a form (no map box, no staff flags)."""

    left_out = ("bbox", "hidden", "deleted")
    labels = {
        "operator": _("Operator id"),
        "country": _("Country"),
        "city": _("City"),
        "external_id": _("Station id"),
        "status": _("Connector status"),
        "connector_type": _("Plug type"),
        "speed_min": _("Speed at least (kW)"),
        "speed_max": _("Speed at most (kW)"),
        "changed_since": _("Changed since"),
    }
    date_inputs = ("changed_since",)
    choice_labels = {"status": "connector_status", "connector_type": "connector_type"}


class StationListView(PortalListView):
    model = Station
    template_name = "portal/stations.html"
    context_object_name = "stations"
    filterset_class = PortalStationFilterSet
    columns = (
        Column("name", _("Station"), ("name",)),
        Column("external_id", _("Station id"), ("external_id",)),
        Column("city", _("City"), ("city", "name")),
        Column("operator", _("Operator"), ("operator__normalized",)),
        Column("connectors", _("Connectors (EVSE id, type, status)")),
        Column("changed", _("Last status change"), ("last_dynamic_change",)),
    )
    default_sort = "name"
    export_name = "stations"
    export_time_columns = ("status_changed_at",)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("operator")
            .prefetch_related(Prefetch("connectors", queryset=Connector.objects.order_by("id")))
        )

    def export_header(self):
        return [
            "station_id",
            "station_name",
            "city",
            "country",
            "operator_id",
            "evse_id",
            "connector_type",
            "speed_kw",
            "status",
            "status_changed_at",
        ]

    def export_rows(self, queryset):
        # One line per connector; the prefetch runs per chunk, so memory stays flat.
        for station in stream_rows(queryset, chunk_size=500):
            for connector in station.connectors.all():
                yield [
                    station.external_id,
                    station.name,
                    station.city,
                    station.country,
                    station.operator.value,
                    connector.evse_id,
                    connector.type,
                    connector.speed,
                    connector.status,
                    connector.status_changed_at,
                ]
