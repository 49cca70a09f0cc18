from rest_framework import viewsets

from partners.api.serializers import AuditLogEntrySerializer, DeliverySerializer
from partners.filtersets import AuditLogEntryFilterSet, DeliveryFilterSet
from partners.models import AuditLogEntry, Delivery


class PartnerScopedViewSet(viewsets.GenericViewSet):
    """
    Base of every REST viewset. Subclasses say how their model reaches a partner in
    ``partner_scope``; PartnerScopeFilterBackend applies it to every list and detail.
    """

    partner_field = "partner"

    def partner_scope(self, queryset, partner):
        return queryset.filter(**{self.partner_field: partner})


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
