from rest_framework import serializers

from partners.models import AuditLogEntry, Delivery


class AuditLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLogEntry
        fields = [
            "id",
            "created_at",
            "request_id",
            "correlation_id",
            "direction",
            "interface",
            "key_prefix",
            "call",
            "method",
            "path",
            "http_status",
            "result_code",
            "message",
            "duration_ms",
            "client_address",
        ]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "created_at",
            "call",
            "subject",
            "state",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_http_status",
            "last_result_code",
            "last_error",
            "payload",
        ]
