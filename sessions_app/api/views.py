from rest_framework import viewsets

from partners.api.views import PartnerScopedViewSet
from sessions_app.api.serializers import ChargingSessionSerializer
from sessions_app.filtersets import ChargingSessionFilterSet
from sessions_app.models import ChargingSession


class ChargingSessionViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """Remote sessions: those you asked for (EMP, OEM) and those run at your stations (CPO)."""

    queryset = ChargingSession.objects.select_related(
        "requested_by", "cpo", "contract", "connector"
    )
    serializer_class = ChargingSessionSerializer
    filterset_class = ChargingSessionFilterSet
