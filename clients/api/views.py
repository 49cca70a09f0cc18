from rest_framework import viewsets

from clients.api.serializers import (
    AuthorizationSerializer,
    FleetCardSerializer,
    WhitelistEntrySerializer,
)
from clients.filtersets import AuthorizationFilterSet, FleetCardFilterSet, WhitelistEntryFilterSet
from clients.models import Authorization, FleetCard, WhitelistEntry
from partners.api.views import PartnerScopedViewSet


class ChargingKeyViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """
    The charging keys (UIDs) you pushed with rfid-post, under each of your partner identifiers:
    those on your current whitelist (`active=true`) and those you dropped from it.
    """

    queryset = WhitelistEntry.objects.select_related("whitelist__partner_identifier")
    serializer_class = WhitelistEntrySerializer
    filterset_class = WhitelistEntryFilterSet


class AuthorizationViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """Your rfid-verify requests and our answers, newest first."""

    queryset = Authorization.objects.all()
    serializer_class = AuthorizationSerializer
    filterset_class = AuthorizationFilterSet


class FleetCardViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """
    Your fleet's cards (fleet-post-cards) and where each order stands, most recently changed
    first: the same statuses we send you, with the UID and EVCO id once the card is issued.
    """

    queryset = FleetCard.objects.select_related("member", "charging_key__contract")
    serializer_class = FleetCardSerializer
    filterset_class = FleetCardFilterSet
