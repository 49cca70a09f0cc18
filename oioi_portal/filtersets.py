import django_filters

from oioi_portal.models import AuditLogEntry, Delivery


class AuditLogEntryFilterSet(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditLogEntry
        fields = [
            "call",
            "result_code",
            "http_status",
            "interface",
            "direction",
            "request_id",
            "correlation_id",
            "key_prefix",
        ]


class DeliveryFilterSet(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    delivered_since = django_filters.IsoDateTimeFilter(field_name="delivered_at", lookup_expr="gte")

    class Meta:
        model = Delivery
        fields = ["call", "state"]
