from rest_framework import serializers

from clients.models import Authorization, FleetCard, WhitelistEntry


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


class FleetCardSerializer(serializers.ModelSerializer):
    fm_card_uid = serializers.CharField(source="uid", read_only=True)
    fleet_member_uid = serializers.CharField(source="member.uid", read_only=True)
    card_status = serializers.CharField(source="status", read_only=True)
    rfid = serializers.CharField(source="charging_key.uid", read_only=True, default=None)
    evco_id = serializers.CharField(
        source="charging_key.contract.evco_id", read_only=True, default=None
    )

    class Meta:
        model = FleetCard
        fields = [
            "id",
            "fm_card_uid",
            "fleet_member_uid",
            "card_status",
            "rfid",
            "evco_id",
            "visual_id",
            "issuer",
            "request_date",
            "activation_date",
            "expiration_date",
            "updated_at",
        ]
