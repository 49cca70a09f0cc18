"""The payloads of the `user-*` calls an OEM sends for its app users (docs/oioi.md)."""

from django.core.validators import RegexValidator
from rest_framework import serializers

from oioi.serializers import OIOISerializer, UidField

LANGUAGE = RegexValidator(r"^[a-z]{2}\Z", "Two lower-case letters (ISO 639-1), e.g. en.")
USERNAME = RegexValidator(r"^[\w.@+-]+\Z", "Letters, digits and @ . + - _ only.")
COUNTRY = RegexValidator(r"^[A-Z]{2}\Z", "Two letters (ISO 3166-1 alpha-2), e.g. DE.")
# A VAT number: its country's two letters, then 2 to 13 letters and digits. Format only.
VAT = RegexValidator(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}\Z", "A VAT number looks like DE123456789.")
IDENTIFIER_TYPES = ("token", "username", "evco-id", "rfid")


def optional_text(max_length, **kwargs):
    return serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=max_length, **kwargs
    )


class UpperCaseCharField(serializers.CharField):
    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class AddressSerializer(OIOISerializer):
    street = optional_text(200)
    street_number = optional_text(50)
    zip = optional_text(20)
    city = optional_text(100)
    country = UpperCaseCharField(max_length=2, validators=[COUNTRY])


class DetailsSerializer(OIOISerializer):
    """Only the members sent come out: present replaces, null clears, absent keeps."""

    first_name = optional_text(100)
    last_name = optional_text(100)
    address = AddressSerializer(required=False, allow_null=True)
    locale = serializers.CharField(required=False, allow_null=True, validators=[LANGUAGE])
    vat = UpperCaseCharField(required=False, allow_null=True, max_length=15, validators=[VAT])
    social_security_number = optional_text(50)
    billing_name = optional_text(200)
    billing_address = AddressSerializer(required=False, allow_null=True)
    phone = optional_text(50)


class UserSerializer(OIOISerializer):
    """OIOI's `user` object naming an app user; the calls' `details` may sit inside it."""

    identifier_type = serializers.ChoiceField(choices=IDENTIFIER_TYPES)
    identifier = serializers.CharField(max_length=254, trim_whitespace=False)
    token = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=64, default=None
    )
    details = DetailsSerializer(required=False)


class UserCallSerializer(OIOISerializer):
    user = UserSerializer()


class UserRegisterSerializer(OIOISerializer):
    username = serializers.CharField(min_length=3, max_length=150, validators=[USERNAME])
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    language = serializers.CharField(
        required=False, allow_null=True, validators=[LANGUAGE], default=None
    )
    receive_newsletters = serializers.BooleanField(required=False, default=False)


class UserVerifySerializer(OIOISerializer):
    username = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    is_token = serializers.BooleanField(required=False, default=False)
    language = serializers.CharField(
        required=False, allow_null=True, validators=[LANGUAGE], default=None
    )


class UserResetSerializer(OIOISerializer):
    identifier = serializers.CharField(max_length=254)


class UserChangePasswordSerializer(OIOISerializer):
    username = serializers.CharField(max_length=254)
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class UserPostDetailsSerializer(UserCallSerializer):
    details = DetailsSerializer(required=False)

    def validate(self, attrs):
        if "details" not in attrs and "details" not in attrs["user"]:
            raise serializers.ValidationError({"details": "This field is required."})
        return attrs


class UserRfidSerializer(UserCallSerializer):
    rfid = UidField()


class UserEvcoIdSerializer(UserCallSerializer):
    evco_id = serializers.CharField(max_length=40)


class UserGetRecentStationsSerializer(UserCallSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=50)
