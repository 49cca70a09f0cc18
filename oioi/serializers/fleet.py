"""The payloads of fleet-post-members and fleet-post-cards (docs/oioi.md, "Fleet cards")."""

from rest_framework import serializers

from clients.models import FLEET_UID_MAX_LENGTH, FleetCard
from oioi.serializers import (
    FiniteFloatField,
    OIOISerializer,
    OperatorIdField,
    PartnerIdentifierField,
    TimestampField,
    UidField,
)

# A request's members or cards; each is looked up in one statement of bounded parameters.
MAX_LIST_LENGTH = 1000


class FleetUidField(serializers.CharField):
    """A `*-uid`: a string or a whole number (the docs' examples send both), kept as text."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", FLEET_UID_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        return super().to_internal_value(data)


class OptionalText(serializers.CharField):
    """Optional text within the docs' length, "" when absent or null."""

    def __init__(self, max_length, **kwargs):
        super().__init__(
            max_length=max_length,
            required=False,
            allow_blank=True,
            allow_null=True,
            default="",
            **kwargs,
        )

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)
        return "" if value is None else value


class ContactSerializer(OIOISerializer):
    first_name = serializers.CharField(max_length=50)
    last_name = serializers.CharField(max_length=50)
    title = OptionalText(10)
    job_title = OptionalText(20)
    phone = OptionalText(20)
    email = serializers.EmailField(
        max_length=50, required=False, allow_blank=True, allow_null=True, default=""
    )


class AddressSerializer(OIOISerializer):
    address_line_1 = serializers.CharField(max_length=50)
    address_line_2 = OptionalText(50)
    postal_code = OptionalText(10)
    city = serializers.CharField(max_length=50)
    state_province = OptionalText(20)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", error_messages={"invalid": "An ISO 3166-1 alpha-2 code, e.g. DE."}
    )

    def validate_country(self, value):
        return value.upper()


class ReimbursementSerializer(OIOISerializer):
    date_start = TimestampField()
    date_end = TimestampField(required=False, allow_null=True)
    allow_reimbursement = serializers.BooleanField()
    reimbursement_iban = OptionalText(50)
    reimbursement_full_name = OptionalText(50)
    kwh_reimbursement = FiniteFloatField()
    reimbursement_currency = serializers.RegexField(
        r"^[A-Z]{3}$", error_messages={"invalid": "An ISO 4217 code, e.g. EUR."}
    )


class EvseSerializer(OIOISerializer):
    fm_evse_uid = FleetUidField()
    evse_id = serializers.CharField(max_length=50)
    reimbursement_fee = serializers.ListField(
        child=ReimbursementSerializer(), max_length=MAX_LIST_LENGTH
    )


class MemberSerializer(OIOISerializer):
    fleet_member_uid = FleetUidField()
    external_id = OptionalText(100)
    contact = ContactSerializer()
    address = AddressSerializer()
    default_language = serializers.RegexField(
        r"^[A-Za-z]{2}$", error_messages={"invalid": "An ISO 639-1 code, e.g. en."}
    )
    fleet_id = serializers.CharField(max_length=100)
    fleet_name = serializers.CharField(max_length=50)
    fleet_cpo_id = OperatorIdField()
    fleet_reference_id = OptionalText(100)
    evses = serializers.ListField(
        child=EvseSerializer(), required=False, default=list, max_length=MAX_LIST_LENGTH
    )


class FleetPostMembersSerializer(OIOISerializer):
    members = serializers.ListField(child=MemberSerializer(), max_length=MAX_LIST_LENGTH)
    partner_identifier = PartnerIdentifierField()


class FleetCardSerializer(OIOISerializer):
    fm_card_uid = FleetUidField()
    fleet_member_uid = FleetUidField()
    # Any status of the enum reads; which ones the fleet may send is the domain's rule.
    card_status = serializers.ChoiceField(choices=FleetCard.Status.values)
    request_date = TimestampField(required=False, allow_null=True)
    # The docs' example spells it so.
    requested_date = TimestampField(required=False, allow_null=True)
    rfid = UidField(required=False, allow_null=True)
    issuer = OperatorIdField(required=False, allow_null=True)
    visual_id = OptionalText(64)

    def validate(self, attrs):
        requested = attrs.pop("requested_date", None)
        attrs["request_date"] = attrs.get("request_date") or requested
        if attrs["card_status"] == FleetCard.Status.EVCO_REQUEST:
            for name in ("rfid", "issuer"):
                if not attrs.get(name):
                    raise serializers.ValidationError({name: "An EVCO_REQUEST names it."})
        return attrs


class FleetPostCardsSerializer(OIOISerializer):
    fleet_cards = serializers.ListField(child=FleetCardSerializer(), max_length=MAX_LIST_LENGTH)
    partner_identifier = PartnerIdentifierField()
