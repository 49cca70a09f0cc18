"""The payloads of the station calls (docs/oioi.md, station-post to station-get-by-ids)."""

from django.core.validators import RegexValidator
from rest_framework import serializers

from oioi.serializers import (
    EvseIdField,
    FiniteFloatField,
    OIOISerializer,
    OperatorIdField,
    PartnerIdentifierField,
)
from stations.models import ConnectorStatus, ConnectorType, PaymentMethod

MAX_STATION_IDS = 10
# Bounds that keep a request's SQL within every database's limits (integer size, parameters).
MAX_LIST_LENGTH = 1000


class IdField(serializers.IntegerField):
    """One of our integer ids: positive, and within a 64-bit column."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


class OptionalTextField(serializers.CharField):
    """Optional text, stored as "" when absent or null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        super().__init__(required=False, allow_blank=True, allow_null=True, default="", **kwargs)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)
        return "" if value is None else value


class NotesField(OptionalTextField):
    """A string; the public docs' own example sends a boolean, which carries no note."""

    def to_internal_value(self, data):
        return "" if isinstance(data, bool) else super().to_internal_value(data)


class FlagField(serializers.BooleanField):
    """An optional boolean: absent or null is false."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=False, **kwargs)

    def run_validation(self, data=serializers.empty):
        return bool(super().run_validation(data))


class AddressSerializer(OIOISerializer):
    street = serializers.CharField(max_length=200, allow_blank=True)
    # A string; partners send numbers too (the docs' example did), stored as text.
    street_number = serializers.CharField(max_length=50, allow_blank=True)
    city = serializers.CharField(max_length=100, allow_blank=True)
    zip = serializers.CharField(max_length=20, allow_blank=True, source="zip_code")
    country = serializers.CharField(
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "An ISO 3166-1 alpha-2 code, e.g. DE.")]
    )

    def validate_country(self, value):
        return value.upper()


class ContactSerializer(OIOISerializer):
    phone = serializers.CharField(max_length=50, allow_blank=True, allow_null=True)
    fax = OptionalTextField(max_length=50)
    website = OptionalTextField()
    # The public docs' example names the website `web`.
    web = OptionalTextField()
    email = OptionalTextField(max_length=254)

    def validate(self, attrs):
        web = attrs.pop("web", "")
        return {**attrs, "phone": attrs["phone"] or "", "website": attrs["website"] or web}


class OpeningPeriodSerializer(OIOISerializer):
    times = serializers.ListField(
        child=serializers.RegexField(r"^(([01]\d|2[0-3]):[0-5]\d|24:00|24h)$"),
        min_length=1,
        max_length=2,
    )
    days = serializers.ListField(child=serializers.ChoiceField(DAYS), min_length=1, max_length=2)


class ConnectorPostSerializer(OIOISerializer):
    id = EvseIdField(source="evse_id")
    name = serializers.ChoiceField(ConnectorType.choices, source="type")
    speed = FiniteFloatField(min_value=0)


class StationPostStationSerializer(OIOISerializer):
    id = serializers.CharField(max_length=255, source="external_id")
    name = serializers.CharField(max_length=255)
    description = OptionalTextField(max_length=5000)
    latitude = FiniteFloatField(min_value=-90, max_value=90)
    longitude = FiniteFloatField(min_value=-180, max_value=180)
    address = AddressSerializer(source="*")
    contact = ContactSerializer(source="*")
    cpo_id = OperatorIdField()
    is_open_24 = serializers.BooleanField()
    connectors = ConnectorPostSerializer(many=True, allow_empty=False, max_length=MAX_LIST_LENGTH)
    open_hour_notes = OpeningPeriodSerializer(
        many=True, required=False, allow_null=True, default=list, max_length=MAX_LIST_LENGTH
    )
    notes = NotesField(max_length=5000)
    is_reservable = FlagField()
    floor_level = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=-100, max_value=500
    )
    is_free_charge = FlagField()
    total_parking = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=100_000
    )
    is_green_power_available = FlagField()
    is_plugin_charge = FlagField()
    is_roofed = FlagField()
    is_private = FlagField()
    deleted = FlagField(source="is_deleted")

    def validate_open_hour_notes(self, value):
        return value or []


class StationPostSerializer(OIOISerializer):
    partner_identifier = PartnerIdentifierField()
    station = StationPostStationSerializer()


class ConnectorPostStatusSerializer(OIOISerializer):
    partner_identifier = PartnerIdentifierField()
    connector_id = EvseIdField()
    status = serializers.ChoiceField(ConnectorStatus.choices)


class UserSerializer(OIOISerializer):
    """The `user` object of the read calls; they answer the same whoever the user is."""

    identifier_type = serializers.ChoiceField(["evco-id", "rfid", "username", "token"])
    identifier = serializers.CharField(max_length=255)
    token = serializers.CharField(max_length=500, required=False, allow_blank=True)


class SurfaceFiltersSerializer(OIOISerializer):
    excludes = serializers.ListField(child=IdField(), required=False, max_length=MAX_LIST_LENGTH)
    company_types = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=MAX_LIST_LENGTH
    )
    connector_types = serializers.ListField(
        child=serializers.ChoiceField(ConnectorType.choices),
        required=False,
        max_length=MAX_LIST_LENGTH,
    )
    connector_speeds_greater = FiniteFloatField(required=False, allow_null=True)
    connector_speeds_less = FiniteFloatField(required=False, allow_null=True)
    operator_ids = serializers.ListField(
        child=IdField(), required=False, max_length=MAX_LIST_LENGTH
    )
    payable = serializers.ListField(
        child=serializers.ChoiceField(PaymentMethod.choices),
        required=False,
        max_length=MAX_LIST_LENGTH,
    )


class StationGetSurfaceSerializer(OIOISerializer):
    user = UserSerializer(required=False, allow_null=True)
    min_lat = FiniteFloatField(min_value=-90, max_value=90)
    max_lat = FiniteFloatField(min_value=-90, max_value=90)
    # min-long greater than max-long: the box crosses the antimeridian.
    min_long = FiniteFloatField(min_value=-180, max_value=180)
    max_long = FiniteFloatField(min_value=-180, max_value=180)
    filters = SurfaceFiltersSerializer(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs["min_lat"] > attrs["max_lat"]:
            raise serializers.ValidationError({"min-lat": "min-lat is greater than max-lat."})
        return {**attrs, "filters": attrs.get("filters") or {}}


class StationGetByIdsSerializer(OIOISerializer):
    user = UserSerializer(required=False, allow_null=True)
    station_ids = serializers.ListField(child=IdField(), max_length=MAX_STATION_IDS)
