"""A fleet's cards in the partner portal and at /api/v1/fleet-cards/: its own, and only those."""

import itertools

import pytest

from clients.models import ChargingKey, Customer, FleetCard, FleetMember
from partners.models import PartnerIdentifier, Role
from tests.factories import PartnerIdentifierFactory, make_key
from tests.mixins import (
    PortalPageContract,
    RestEndpointContract,
    partner_with_roles,
    portal_partner,
    portal_user,
)

URL = "/api/v1/fleet-cards/"
_numbers = itertools.count(1)


def fleet_cards(partner, count, **fields):
    """``count`` cards of one member of ``partner``, the first operational with a key."""
    identifier = PartnerIdentifier.objects.filter(
        partner=partner
    ).first() or PartnerIdentifierFactory(partner=partner)
    member = FleetMember.objects.filter(fleet=partner).first() or FleetMember.objects.create(
        fleet=partner,
        uid=f"member-{partner.pk}",
        customer=Customer.objects.create(fleet=partner),
        first_name="Ann",
        last_name="Fleet",
        address_line_1="Street 1",
        city="Berlin",
        country="DE",
        default_language="en",
        fleet_group_id="F1",
        fleet_name="Fleet one",
        fleet_cpo_id="NLALL",
    )
    cards = []
    for _ in range(count):
        number = next(_numbers)
        cards.append(
            FleetCard.objects.create(
                fleet=partner,
                partner_identifier=identifier,
                uid=f"fc-{number:05d}-x",
                member=member,
                status=FleetCard.Status.REQUEST_RECEIVED,
                **fields,
            )
        )
    return cards


class TestFleetCardsPage(PortalPageContract):
    roles = frozenset({Role.FLEET})
    exports = True

    def make_rows(self, partner, count):
        return fleet_cards(partner, count)

    def url(self, rows):
        return "/portal/fleet-cards/"

    def row_text(self, row):
        return row.uid


def test_the_page_shows_the_key_and_filters_by_status(client, db):
    owner = portal_partner("Fleet owner", {Role.FLEET})
    key = make_key("0A0B0C0D", "DE*OIP*C12345678*5")
    issued = fleet_cards(owner, 1, charging_key=key)[0]
    FleetCard.objects.filter(pk=issued.pk).update(status=FleetCard.Status.OPERATIONAL)
    waiting = fleet_cards(owner, 1)[0]
    client.force_login(portal_user(owner, "fleet-user"))

    page = client.get("/portal/fleet-cards/", {"status": "OPERATIONAL"}).content.decode()

    assert issued.uid in page and "0A0B0C0D" in page and "DE*OIP*C12345678*5" in page
    assert waiting.uid not in page
    assert "Fleet cards" in client.get("/portal/").content.decode()


class TestFleetCardsRestContract(RestEndpointContract):
    url = URL

    @pytest.fixture
    def caller(self, db):
        return partner_with_roles("Caller fleet", {Role.FLEET})

    @pytest.fixture
    def stranger(self, db):
        return partner_with_roles("Stranger fleet", {Role.FLEET})

    def make_object(self, caller):
        return fleet_cards(caller.partner, 1)[0]


def test_rest_list_shows_the_card_as_sent_and_costs_constant_queries(
    client, db, django_assert_max_num_queries
):
    caller = partner_with_roles("Fleet", {Role.FLEET})
    key = make_key("0A0B0C0D")
    fleet_cards(caller.partner, 1, charging_key=key)
    caller.get(client, URL)
    fleet_cards(caller.partner, 20)
    with django_assert_max_num_queries(3):
        body = caller.get(client, URL, data={"rfid": "0a0b0c0d"}).json()
    assert [item["rfid"] for item in body["results"]] == ["0A0B0C0D"]
    item = body["results"][0]
    assert item["evco_id"] == key.contract.evco_id
    assert item["fleet_member_uid"] == f"member-{caller.partner.pk}"
    assert len(caller.get(client, URL).json()["results"]) == 21
    assert ChargingKey.objects.count() == 1
