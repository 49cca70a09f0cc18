from core.filtersets import DateTimeFilter, FilterSet
from partners.models import AuditLogEntry, Delivery


class AuditLogEntryFilterSet(FilterSet):
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = DateTimeFilter(field_name="created_at", lookup_expr="lt")

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


class DeliveryFilterSet(FilterSet):
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    delivered_since = DateTimeFilter(field_name="delivered_at", lookup_expr="gte")

    class Meta:
        model = Delivery
        fields = ["call", "state"]
