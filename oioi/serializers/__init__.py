"""Serializer base and fields for OIOI payloads, whose field names are hyphenated."""

import math
from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from core import identifiers


class OIOISerializer(serializers.Serializer):
    """
    Fields are declared in Python style and exchanged hyphenated: a field declared
    ``partner_identifier`` reads and writes ``partner-identifier``, and ``validated_data``
    uses the Python name. Unknown members are ignored, as OIOI promises new optional fields.
    """

    def get_fields(self):
        fields = {}
        for name, field in super().get_fields().items():
            wire_name = name.replace("_", "-")
            if wire_name != name and field.source is None:
                field.source = name
            fields[wire_name] = field
        return fields


class EmptySerializer(OIOISerializer):
    """For calls that take no fields (`{}`)."""


class PartnerIdentifierField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", identifiers.PARTNER_IDENTIFIER_MAX_LENGTH)
        super().__init__(**kwargs)


def first_error(detail, path=""):
    """The first (field path, message) of a DRF error tree, e.g. ("station.connectors[0].id", …)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", serializers.api_settings.NON_FIELD_ERRORS_KEY):
                key_path = path
            elif isinstance(key, int):
                key_path = f"{path}[{key}]"
            else:
                key_path = f"{path}.{key}" if path else str(key)
            found = first_error(value, key_path)
            if found:
                return found
        return None
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                found = first_error(value, f"{path}[{index}]")
                if found:
                    return found
            elif value:
                return path, str(value)
        return None
    return path, str(detail)


class IdentifierField(serializers.CharField):
    """
    A string checked by one of ``core.identifiers``' normalizers. ``keep`` says what
    ``validated_data`` holds: the value as sent (``"sent"``) or its normalized form.
    """

    normalizer = None
    keep = "sent"

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            normalized = type(self).normalizer(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return normalized if self.keep == "normalized" else value


class EvseIdField(IdentifierField):
    """An EVSE id, kept as sent (stored so); compare with ``normalize_evse_id``."""

    normalizer = staticmethod(identifiers.normalize_evse_id)


class EvcoIdField(IdentifierField):
    """An EVCO id, kept as sent; compare with ``normalize_evco_id``."""

    normalizer = staticmethod(identifiers.normalize_evco_id)


class OperatorIdField(IdentifierField):
    """A CPO / operator id, kept as sent; compare with ``normalize_operator_id``."""

    normalizer = staticmethod(identifiers.normalize_operator_id)


class UidField(IdentifierField):
    """An RFID UID, normalized to upper case."""

    normalizer = staticmethod(identifiers.normalize_uid)
    keep = "normalized"


class TimestampField(serializers.DateTimeField):
    """RFC 3339 with an offset (``...+00:00`` or ``...Z``); a time without one is refused."""

    default_error_messages = {
        "naive": "A timestamp needs a UTC offset, e.g. 2024-01-01T11:00:00+00:00.",
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)

    def to_representation(self, value):
        return value.astimezone(UTC).isoformat() if value else None


class FiniteFloatField(serializers.FloatField):
    """A JSON number or a numeric string (`"22"`, `"3.7"`); never NaN or infinite."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value
