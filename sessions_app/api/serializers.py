from rest_framework import serializers

from sessions_app.models import ChargingSession


class ChargingSessionSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.name", read_only=True)
    cpo = serializers.CharField(source="cpo.name", read_only=True)
    evco_id = serializers.CharField(source="contract.evco_id", read_only=True, default=None)
    station = serializers.IntegerField(source="connector.station_id", read_only=True)

    class Meta:
        model = ChargingSession
        fields = [
            "id",
            "requested_by",
            "cpo",
            "station",
            "evse_id",
            "evco_id",
            "cpo_session_id",
            "state",
            "is_stoppable",
            "result_code",
            "result_message",
            "requested_at",
            "started_at",
            "stopped_at",
            "updated_at",
        ]
