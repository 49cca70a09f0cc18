from rest_framework import viewsets

from clients.api.serializers import AuthorizationSerializer, WhitelistEntrySerializer
from clients.filtersets import AuthorizationFilterSet, WhitelistEntryFilterSet
from clients.models import Authorization, WhitelistEntry
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
