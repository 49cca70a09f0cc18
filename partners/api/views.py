from rest_framework import viewsets

from partners.api.serializers import AuditLogEntrySerializer, DeliverySerializer
from partners.filtersets import AuditLogEntryFilterSet, DeliveryFilterSet
from partners.models import AuditLogEntry, Delivery


class PartnerScopedViewSet(viewsets.GenericViewSet):
    """
    Base of every REST viewset. PartnerScopeFilterBackend applies ``partner_scope`` to every
    list and detail: the model's own rule, ``for_partner`` on its queryset, which the portal and
    OIOI apply too. A viewset overrides it only to pass the options its model's rule names.
    """

    def partner_scope(self, queryset, partner):
        return queryset.for_partner(partner)


class RequestViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """Your own requests to the platform as the audit log recorded them, newest first."""

    queryset = AuditLogEntry.objects.all()
    serializer_class = AuditLogEntrySerializer
    filterset_class = AuditLogEntryFilterSet


class DeliveryViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """What we send you without waiting (CDRs, whitelists) and how each delivery went."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
