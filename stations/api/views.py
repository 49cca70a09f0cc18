from django.db.models import Prefetch
from rest_framework import viewsets

from partners.api.views import PartnerScopedViewSet
from stations.api.serializers import ConnectorSerializer, StationSerializer
from stations.filtersets import ConnectorFilterSet, StationFilterSet
from stations.models import Connector, Station


class StationViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """
    The stations you pushed with station-post, deleted ones included, with their connectors
    and what our staff's curation did to them (`is_hidden`, `is_validated`).
    """

    queryset = Station.objects.select_related("operator").prefetch_related(
        Prefetch("connectors", queryset=Connector.objects.order_by("id"))
    )
    serializer_class = StationSerializer
    filterset_class = StationFilterSet

    def partner_scope(self, queryset, partner):
        # What the partner pushed, deleted stations included (``station_scope`` says why).
        return queryset.for_partner(partner, usable=False, include_deleted=True)


class ConnectorViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """The connectors of the stations you pushed, with their current status."""

    queryset = Connector.objects.select_related("station")
    serializer_class = ConnectorSerializer
    filterset_class = ConnectorFilterSet

    def partner_scope(self, queryset, partner):
        return queryset.for_partner(partner, usable=False, include_deleted=True)
