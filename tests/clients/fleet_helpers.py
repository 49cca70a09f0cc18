"""Fleet card helpers shared by the fleet tests: the docs' example member, fleets, cards."""

from clients import fleet
from oioi.calls.fleet import card_values
from oioi.serializers.fleet import FleetCardSerializer
from partners.models import Role
from tests.factories import OperatorIdFactory
from tests.mixins import partner_with_roles


def member_payload(uid=1234, **changes):
    """The docs' fleet-post-members example member, for the operator id NL*ALL."""
    member = {
        "fleet-member-uid": uid,
        "external-id": "Member 1234",
        "address": {
            "address-line-1": "Torgauer Str.",
            "address-line-2": "12 - 15",
            "postal-code": "10829",
            "city": "Berlin",
            "state-province": "Berlin",
            "country": "DE",
        },
        "contact": {
            "first-name": "Jack",
            "last-name": "Daniels",
            "title": "Mr.",
            "job-title": "CEO",
            "phone": "+4915184512991",
            "email": "jack@daniels.com",
        },
        "default-language": "en",
        "fleet-id": "Fleet 1",
        "fleet-name": "Allego Fleet 1",
        "fleet-cpo-id": "NLALL",
        "fleet-reference-id": "ref123",
        "evses": [
            {
                "fm-evse-uid": 12345,
                "evse-id": "NL*ALL*E0008A3",
                "reimbursement-fee": [
                    {
                        "date-start": "2014-06-23T18:32:49+02:00",
                        "date-end": "2014-06-23T18:32:49+02:00",
                        "allow-reimbursement": True,
                        "reimbursement-iban": "DE89370400440532013000",
                        "reimbursement-full-name": "Jack Daniels",
                        "kwh-reimbursement": 10.0,
                        "reimbursement-currency": "EUR",
                    }
                ],
            }
        ],
    }
    return {**member, **changes}


def fleet_partner(name="Fleet"):
    caller = partner_with_roles(name, {Role.FLEET})
    OperatorIdFactory(partner=caller.partner, value="NL*ALL" if name == "Fleet" else "NL*F2X")
    return caller


def member_row(uid="1234"):
    return {
        "uid": uid,
        "first_name": "Jack",
        "last_name": "Daniels",
        "address_line_1": "Torgauer Str.",
        "city": "Berlin",
        "country": "DE",
        "default_language": "en",
        "fleet_group_id": "Fleet 1",
        "fleet_name": "Allego Fleet 1",
        "fleet_cpo_id": "NL*ALL",
        "evses": [],
    }


def post_cards_direct(caller, *cards):
    serializer = FleetCardSerializer(data=list(cards), many=True)
    assert serializer.is_valid(), serializer.errors
    return fleet.fleet_cards_post(
        caller.partner, caller.identifier, [card_values(c) for c in serializer.validated_data]
    )


def card(uid, status, member=1234, **extra):
    return {"fm-card-uid": uid, "fleet-member-uid": member, "card-status": status, **extra}
