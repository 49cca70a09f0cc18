from rest_framework import serializers

from oioi_portal.models import AuditLogEntry


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
