from rest_framework import serializers

from clients.models import Authorization, WhitelistEntry


class WhitelistEntrySerializer(serializers.ModelSerializer):
    partner_identifier = serializers.CharField(
        source="whitelist.partner_identifier.value", read_only=True
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = WhitelistEntry
        fields = ["id", "uid", "partner_identifier", "active", "added_at", "removed_at"]


class AuthorizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Authorization
        fields = ["id", "created_at", "uid", "result_code", "evco_id", "request_id"]
