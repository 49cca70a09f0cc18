from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stations.models import ADDRESS_FIELDS, CONTACT_FIELDS, FEATURE_FIELDS, Connector, Station
from stations.selectors import SUMMARY_PRECEDENCE, status_summary

SUMMARIES = sorted({summary.value for _, summary in SUMMARY_PRECEDENCE})


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = list(ADDRESS_FIELDS)


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = list(CONTACT_FIELDS)


class StationConnectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Connector
        fields = ["id", "evse_id", "type", "speed", "status", "status_changed_at"]


class StationSerializer(serializers.ModelSerializer):
    """A station you pushed, as we store it, with the curation our staff applied."""

    operator = serializers.CharField(source="operator.value", help_text="The `cpo-id`.")
    address = AddressSerializer(source="*")
    contact = ContactSerializer(source="*")
    status_summary = serializers.SerializerMethodField(
        help_text="What the read calls show as `dynamic-status-summary`."
    )
    connectors = StationConnectorSerializer(many=True)

    class Meta:
        model = Station
        fields = [
            "id",
            "external_id",
            "name",
            "description",
            "operator",
            "latitude",
            "longitude",
            "address",
            "contact",
            *FEATURE_FIELDS,
            "is_hidden",
            "is_validated",
            "status_summary",
            "connectors",
            "created_at",
            "last_static_change",
            "last_dynamic_change",
        ]

    @extend_schema_field({"type": "string", "enum": SUMMARIES, "nullable": True})
    def get_status_summary(self, station):
        return status_summary(connector.status for connector in station.connectors.all())


class ConnectorSerializer(serializers.ModelSerializer):
    station_external_id = serializers.CharField(source="station.external_id")

    class Meta:
        model = Connector
        fields = [
            "id",
            "station",
            "station_external_id",
            "evse_id",
            "type",
            "speed",
            "status",
            "status_changed_at",
        ]
