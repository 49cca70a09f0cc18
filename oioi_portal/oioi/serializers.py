"""Serializer base and fields for OIOI payloads, whose field names are hyphenated."""

from rest_framework import serializers

from oioi_portal import identifiers


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
