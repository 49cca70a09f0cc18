"""The session-post payload (docs/oioi.md, session-post): a CDR as a CPO sends it."""

from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from rest_framework import serializers

from cdrs.models import COST_DIGITS, COST_PLACES, ENERGY_DIGITS, ENERGY_PLACES, IdentifierType
from core import identifiers
from oioi.serializers import EvseIdField, OIOISerializer, PartnerIdentifierField, TimestampField

# The identifier types we hold a form of; usernames and tokens are compared as sent.
USER_NORMALIZERS = {
    IdentifierType.RFID: identifiers.normalize_uid,
    IdentifierType.EVCO_ID: identifiers.normalize_evco_id,
}


class ExactDecimalField(serializers.DecimalField):
    """
    A JSON number or numeric string read as the decimal written, through its text: the envelope's
    JSON float prints back as the shortest text that is that number, so no float arithmetic
    touches it. More places than we keep are rounded half-even rather than refused: CPOs that
    compute in floats send `7.199999999999999`; the revision keeps what was sent.
    """

    def __init__(self, *, max_digits, decimal_places, **kwargs):
        super().__init__(
            max_digits=max_digits,
            decimal_places=decimal_places,
            min_value=Decimal(0),
            rounding=ROUND_HALF_EVEN,
            **kwargs,
        )
        self.quantum = Decimal(1).scaleb(-decimal_places)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)

    def validate_precision(self, value):
        # Checked before quantizing: a huge number would overflow the decimal context.
        if value.adjusted() >= self.max_whole_digits:
            self.fail("max_whole_digits", max_whole_digits=self.max_whole_digits)
        return super().validate_precision(value.quantize(self.quantum, rounding=self.rounding))


class UserSerializer(OIOISerializer):
    identifier_type = serializers.ChoiceField(IdentifierType.values)
    identifier = serializers.CharField(max_length=255)
    token = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)

    def validate(self, attrs):
        normalizer = USER_NORMALIZERS.get(attrs["identifier_type"])
        if normalizer is None:
            attrs["normalized"] = attrs["identifier"].strip()
            return attrs
        try:
            attrs["normalized"] = normalizer(attrs["identifier"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"identifier": exc.messages}) from None
        return attrs


class IntervalSerializer(OIOISerializer):
    start = TimestampField()
    stop = TimestampField(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs.get("stop") is not None and attrs["stop"] < attrs["start"]:
            raise serializers.ValidationError({"stop": "The stop lies before the start."})
        return attrs


class CostSerializer(OIOISerializer):
    amount = ExactDecimalField(max_digits=COST_DIGITS, decimal_places=COST_PLACES)
    currency = serializers.CharField(
        validators=[RegexValidator(r"^[A-Za-z]{3}$", "An ISO 4217 code, e.g. EUR.")]
    )

    def validate_currency(self, value):
        return value.upper()


class SessionPostSerializer(OIOISerializer):
    user = UserSerializer()
    session_id = serializers.CharField(max_length=255)
    connector_id = EvseIdField()
    session_interval = IntervalSerializer()
    charging_interval = IntervalSerializer(required=False, allow_null=True)
    energy_consumed = ExactDecimalField(
        max_digits=ENERGY_DIGITS, decimal_places=ENERGY_PLACES, required=False, allow_null=True
    )
    calculated_cost = CostSerializer(required=False, allow_null=True)
    partner_identifier = PartnerIdentifierField()

    def validate(self, attrs):
        # Every accepted post is kept as received: the handler gets the payload beside the data.
        # It must then be storable as JSON everywhere, and PostgreSQL stores no NUL character,
        # not even in a member we otherwise ignore.
        path = _nul_path(self.initial_data)
        if path is not None:
            raise serializers.ValidationError({path: "Null characters are not allowed."})
        attrs["raw"] = self.initial_data
        return attrs


def _nul_path(value, path=""):
    """The path of the first member or text holding a NUL character (written `\\u0000`), or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            key_path = f"{path}.{key}" if path else key
            if "\x00" in key:
                return key_path.replace("\x00", "\\u0000")
            found = _nul_path(item, key_path)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
