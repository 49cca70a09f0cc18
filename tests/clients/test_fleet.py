"""fleet-post-members and fleet-post-cards through the real endpoint, and the card workflow."""

import itertools
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients import fleet
from clients.models import ChargingKey, Contract, Customer, FleetCard, FleetCardEvent, FleetMember
from core import identifiers
from oioi.deliveries import deliveries_run_due
from partners.models import Delivery, Role
from partners.services import deliveries_claim, delivery_enqueue
from tests.clients.fleet_helpers import (
    card,
    fleet_partner,
    member_payload,
    member_row,
    post_cards_direct,
)
from tests.clients.helpers import push
from tests.factories import make_key
from tests.mixins import OIOICallContract, PartnerIdentifierContract

Status = FleetCard.Status
_card_numbers = itertools.count(1000)


@pytest.fixture
def fleet_caller(db):
    return fleet_partner()


def post_members(client, caller, *members):
    return caller.post(
        client,
        "fleet-post-members",
        {"members": list(members), "partner-identifier": caller.identifier.value},
    )


def post_cards(client, caller, *cards):
    return caller.post(
        client,
        "fleet-post-cards",
        {"fleet-cards": list(cards), "partner-identifier": caller.identifier.value},
    )


def refused_230(response, field=None):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["result"]["code"] == 230
    if field:
        assert field in body["result"]["message"]
    return body


def statuses_sent():
    """The statuses our fleet-post-cards deliveries carry, in the order they were queued."""
    return [
        (c["fm-card-uid"], c["card-status"])
        for d in Delivery.objects.filter(call="fleet-post-cards").order_by("pk")
        for c in d.payload["fleet-cards"]
    ]


def fleet_rows():
    return [
        list(model.objects.order_by("pk").values())
        for model in (Customer, FleetMember, FleetCard, FleetCardEvent, Contract, ChargingKey)
    ] + [Delivery.objects.count()]


# --- Contracts ----------------------------------------------------------------------------------


class FleetCallContract(OIOICallContract, PartnerIdentifierContract):
    roles = frozenset({Role.FLEET})

    @pytest.fixture
    def caller(self, db):
        return fleet_partner()


class TestFleetPostMembersContract(FleetCallContract):
    call = "fleet-post-members"

    def payload(self, caller):
        return {"members": [member_payload()], "partner-identifier": caller.identifier.value}


class TestFleetPostCardsContract(FleetCallContract):
    call = "fleet-post-cards"

    def payload(self, caller):
        if caller.partner.is_fleet:
            fleet.fleet_members_upsert(caller.partner, [member_row()])
        return {
            "fleet-cards": [card(next(_card_numbers), "NEW_REQUEST")],
            "partner-identifier": caller.identifier.value,
        }


# --- fleet-post-members -------------------------------------------------------------------------


def test_documented_member_example_makes_a_customer_of_the_fleet(client, fleet_caller):
    response = post_members(client, fleet_caller, member_payload())

    assert response.status_code == 200, response.content
    assert response.json() == {"result": {"code": 0, "message": "Success."}}
    member = FleetMember.objects.select_related("customer").get()
    assert member.uid == "1234"  # a number, kept as text
    assert (member.first_name, member.country, member.fleet_cpo_id) == ("Jack", "DE", "NLALL")
    assert member.customer.fleet == fleet_caller.partner
    assert member.customer.name == "Jack Daniels"
    assert member.evses[0]["fm-evse-uid"] == "12345"
    assert member.evses[0]["reimbursement-fee"][0]["kwh-reimbursement"] == 10.0


def test_members_are_upserted_by_their_uid(client, fleet_caller):
    post_members(client, fleet_caller, member_payload())
    changed = member_payload(contact={"first-name": "Jim", "last-name": "Beam"})

    response = post_members(client, fleet_caller, changed, member_payload(uid="m-2"))

    assert response.json()["result"]["code"] == 0
    assert FleetMember.objects.count() == 2
    member = FleetMember.objects.get(uid="1234")
    assert (member.first_name, member.customer.name) == ("Jim", "Jim Beam")
    assert Customer.objects.filter(fleet=fleet_caller.partner).count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fleet-cpo-id": "DEXYZ"}, "members[1].fleet-cpo-id"),
        ({"fleet-cpo-id": "NL-ALL"}, "members[1].fleet-cpo-id"),
        ({"fleet-member-uid": "x" * 101}, "members[1].fleet-member-uid"),
        ({"fleet-member-uid": True}, "members[1].fleet-member-uid"),
        ({"fleet-member-uid": 1234}, "members[1].fleet-member-uid"),
        ({"default-language": "eng"}, "members[1].default-language"),
        ({"fleet-name": "n" * 51}, "members[1].fleet-name"),
        ({"contact": {"first-name": "J"}}, "members[1].contact.last-name"),
        ({"address": {"address-line-1": "a", "city": "b", "country": "DEU"}}, "country"),
        ({"evses": [{"fm-evse-uid": 1, "evse-id": "x"}]}, "reimbursement-fee"),
    ],
)
def test_a_bad_member_is_230_and_posts_none(client, fleet_caller, change, field):
    """All or nothing: the first member, valid, is not kept either."""
    before = fleet_rows()

    response = post_members(client, fleet_caller, member_payload(), member_payload(**change))

    refused_230(response, field)
    assert fleet_rows() == before


def test_another_fleets_operator_id_is_230(client, fleet_caller):
    other = fleet_partner("Other fleet")
    response = post_members(client, fleet_caller, member_payload(**{"fleet-cpo-id": "NLF2X"}))
    refused_230(response, "fleet-cpo-id")
    assert (
        post_members(client, other, member_payload(**{"fleet-cpo-id": "NL*F2X"})).json()["result"][
            "code"
        ]
        == 0
    )


def test_fleets_keep_their_own_members_apart(client, fleet_caller):
    other = fleet_partner("Other fleet")
    post_members(client, fleet_caller, member_payload())
    post_members(client, other, member_payload(**{"fleet-cpo-id": "NLF2X"}))

    assert FleetMember.objects.filter(uid="1234").count() == 2
    mine = FleetMember.objects.get(fleet=fleet_caller.partner)
    assert mine.customer.fleet == fleet_caller.partner
    # The other fleet's member is unknown to this fleet's cards.
    FleetMember.objects.filter(fleet=fleet_caller.partner).delete()
    Customer.objects.filter(fleet_member__isnull=True, fleet=fleet_caller.partner).delete()
    refused_230(post_cards(client, fleet_caller, card(1, "NEW_REQUEST")), "fleet-member-uid")


def test_member_queries_do_not_grow_with_the_members(
    client, fleet_caller, django_assert_max_num_queries
):
    few = [member_payload(uid=n) for n in range(2)]
    with CaptureQueriesContext(connection) as baseline:
        post_members(client, fleet_caller, *few)
    many = [member_payload(uid=n) for n in range(60)]
    with django_assert_max_num_queries(len(baseline.captured_queries) + 2):
        response = post_members(client, fleet_caller, *many)
    assert response.json()["result"]["code"] == 0
    assert FleetMember.objects.count() == 60


# --- fleet-post-cards ---------------------------------------------------------------------------


@pytest.fixture
def member(client, fleet_caller):
    assert (
        post_members(client, fleet_caller, member_payload(), member_payload(uid=35)).json()[
            "result"
        ]["code"]
        == 0
    )
    return FleetMember.objects.get(uid="1234")


def test_documented_card_example(client, fleet_caller, member):
    post_members(client, fleet_caller, member_payload(uid=31))
    example = [
        {
            "fm-card-uid": 23,
            "fleet-member-uid": 35,
            "card-status": "NEW_REQUEST",
            "requested-date": "2018-01-01T10:00:00+00:00",
        },
        {
            "fm-card-uid": 25,
            "fleet-member-uid": 31,
            "card-status": "EVCO_REQUEST",
            "requested-date": "2018-01-01T10:00:00+00:00",
            "rfid": "00001111",
            "issuer": "DE*8PS",
            "visual-id": "testtest",
        },
    ]

    response = post_cards(client, fleet_caller, *example)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "fleet-cards": {"processed": 2},
        "result": {"code": 0, "message": "Success."},
    }
    ordered, evco = FleetCard.objects.get(uid="23"), FleetCard.objects.get(uid="25")
    assert ordered.status == Status.REQUEST_RECEIVED
    assert ordered.request_date == datetime(2018, 1, 1, 10, tzinfo=UTC)
    assert evco.status == Status.OPERATIONAL
    key = evco.charging_key
    assert (key.uid, key.state, key.customer, evco.issuer) == (
        "00001111",
        ChargingKey.State.ACTIVE,
        evco.member.customer,
        "DE*8PS",
    )
    assert key.contract.provider is None
    assert key.customer.fleet == fleet_caller.partner
    # Our answers, in order per card: received, then the EVCO id's outcome.
    assert statuses_sent() == [
        ("23", "REQUEST_RECEIVED"),
        ("25", "REQUEST_RECEIVED"),
        ("25", "OPERATIONAL"),
    ]
    operational = Delivery.objects.filter(call="fleet-post-cards").order_by("pk").last()
    sent = operational.payload["fleet-cards"][0]
    assert sent["evco-id"] == key.contract.evco_id
    assert (sent["rfid"], sent["visual-id"]) == ("00001111", "testtest")
    assert operational.payload["partner-identifier"] == fleet_caller.identifier.value
    assert operational.partner == fleet_caller.partner
    assert [e.status for e in evco.events.all()] == [
        "EVCO_REQUEST",
        "REQUEST_RECEIVED",
        "OPERATIONAL",
    ]


def test_the_fleet_receives_our_answers_in_order(client, fleet_caller, member, partner_server):
    fleet_caller.partner.endpoint_url = partner_server.url
    fleet_caller.partner.endpoint_key = "their-key-for-us-0123456789"
    fleet_caller.partner.save()
    post_cards(client, fleet_caller, card(7, "EVCO_REQUEST", rfid="0A0B0C0D", issuer="DE8PS"))

    while deliveries_run_due():
        pass

    received = partner_server.calls("fleet-post-cards")
    assert [c.body["fleet-post-cards"]["fleet-cards"][0]["card-status"] for c in received] == [
        "REQUEST_RECEIVED",
        "OPERATIONAL",
    ]


def test_a_later_status_waits_for_the_earlier_one(fleet_caller, member):
    """The fleet's sequence: the second delivery is not claimed while the first is pending."""
    post_cards_direct(fleet_caller, card(7, "EVCO_REQUEST", rfid="0A0B0C0D", issuer="DE8PS"))
    first, second = Delivery.objects.filter(call="fleet-post-cards").order_by("pk")
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=datetime(2999, 1, 1, tzinfo=UTC))

    assert deliveries_claim(10) == []

    Delivery.objects.filter(pk=first.pk).update(state=Delivery.State.DEAD)
    assert [d.pk for d in deliveries_claim(10)] == [second.pk]


def test_deliveries_without_a_sequence_keep_no_order(fleet_caller):
    partner = fleet_caller.partner
    early = delivery_enqueue(partner, "x", {}, not_before=datetime(2999, 1, 1, tzinfo=UTC))
    later = delivery_enqueue(partner, "x", {})
    assert [d.pk for d in deliveries_claim(10)] == [later.pk]
    assert early.pk < later.pk


def test_staff_accept_then_issue_makes_the_card_operational(
    client, fleet_caller, member, admin_user
):
    post_cards(client, fleet_caller, card("c-1", "NEW_REQUEST"))
    ordered = FleetCard.objects.get(uid="c-1")

    fleet.fleet_card_accept(ordered, by=admin_user)
    expiry = datetime(2030, 1, 1, tzinfo=UTC)
    fleet.fleet_card_issue(
        ordered, uid="04a1b2c3d5e6f7", visual_id="VIS-1", expiration_date=expiry, by=admin_user
    )

    ordered.refresh_from_db()
    assert ordered.status == Status.OPERATIONAL
    key = ordered.charging_key
    assert key.uid == "04A1B2C3D5E6F7"
    evco_id = key.contract.evco_id
    assert evco_id.startswith("DE*OIP*C")
    assert identifiers.normalize_evco_id(evco_id)
    assert statuses_sent() == [
        ("c-1", "REQUEST_RECEIVED"),
        ("c-1", "REQUEST_ACCEPTED"),
        ("c-1", "OPERATIONAL"),
    ]
    last = Delivery.objects.order_by("pk").last().payload["fleet-cards"][0]
    assert last["expiration-date"] == expiry.isoformat()
    assert (last["visual-id"], last["rfid"], last["evco-id"]) == ("VIS-1", key.uid, evco_id)
    assert ordered.events.filter(by=admin_user).count() == 2


def test_staff_reject(client, fleet_caller, member, admin_user):
    post_cards(client, fleet_caller, card("c-1", "NEW_REQUEST"))
    ordered = FleetCard.objects.get(uid="c-1")
    fleet.fleet_card_reject(ordered, by=admin_user, reason="No budget.")
    ordered.refresh_from_db()
    assert ordered.status == Status.REQUEST_REJECTED
    assert statuses_sent()[-1] == ("c-1", "REQUEST_REJECTED")
    # A rejected card may be ordered again.
    assert (
        post_cards(client, fleet_caller, card("c-1", "NEW_REQUEST")).json()["result"]["code"] == 0
    )


def test_staff_decisions_from_the_wrong_state_are_refused(client, fleet_caller, member, admin_user):
    from core.errors import InvalidValue

    post_cards(client, fleet_caller, card("c-1", "NEW_REQUEST"))
    ordered = FleetCard.objects.get(uid="c-1")
    with pytest.raises(InvalidValue):
        fleet.fleet_card_issue(
            ordered, uid="0A0B0C0D", visual_id="", expiration_date=None, by=admin_user
        )
    fleet.fleet_card_accept(ordered, by=admin_user)
    with pytest.raises(InvalidValue):
        fleet.fleet_card_accept(ordered, by=admin_user)


def test_evco_request_for_a_uid_in_use_is_rejected(client, fleet_caller, member, emp):
    make_key("0A0B0C0D")
    push(client, emp, ["0000000E"])

    response = post_cards(
        client,
        fleet_caller,
        card(1, "EVCO_REQUEST", rfid="0a0b0c0d", issuer="DE8PS"),
        card(2, "EVCO_REQUEST", rfid="0000000E", issuer="DE8PS"),
        card(3, "EVCO_REQUEST", rfid="0000000F", issuer="DE8PS"),
        card(4, "EVCO_REQUEST", rfid="0000000F", issuer="DE8PS"),
    )

    assert response.json()["fleet-cards"]["processed"] == 4
    statuses = dict(FleetCard.objects.values_list("uid", "status"))
    assert statuses == {
        "1": Status.REQUEST_REJECTED,
        "2": Status.REQUEST_REJECTED,
        "3": Status.OPERATIONAL,
        "4": Status.REQUEST_REJECTED,
    }


def test_block_and_unblock_by_the_fleet(client, fleet_caller, member, cpo):
    post_cards(client, fleet_caller, card(1, "EVCO_REQUEST", rfid="0A0B0C0D", issuer="DE8PS"))

    assert (
        post_cards(client, fleet_caller, card(1, "REQUEST_TO_BLOCK")).json()["result"]["code"] == 0
    )
    key = ChargingKey.objects.get(uid="0A0B0C0D")
    assert key.state == ChargingKey.State.BLOCKED
    assert cpo.post(client, "rfid-verify", {"rfid": "0A0B0C0D"}).json()["result"]["code"] == 192

    post_cards(client, fleet_caller, card(1, "REQUEST_TO_UNBLOCK"))
    key.refresh_from_db()
    assert key.state == ChargingKey.State.ACTIVE
    assert statuses_sent()[-2:] == [("1", "BLOCKED"), ("1", "OPERATIONAL")]


def test_the_fleet_does_not_lift_a_block_by_staff(client, fleet_caller, member, admin_user):
    from clients.services import charging_key_change_state

    post_cards(client, fleet_caller, card(1, "EVCO_REQUEST", rfid="0A0B0C0D", issuer="DE8PS"))
    key = ChargingKey.objects.get(uid="0A0B0C0D")
    charging_key_change_state(key, "blocked", reason="Fraud.", by=admin_user)

    post_cards(client, fleet_caller, card(1, "REQUEST_TO_BLOCK"))
    post_cards(client, fleet_caller, card(1, "REQUEST_TO_UNBLOCK"))

    key.refresh_from_db()
    assert key.state == ChargingKey.State.BLOCKED
    assert statuses_sent()[-2:] == [("1", "BLOCKED"), ("1", "BLOCKED")]


def test_blocking_an_order_in_progress_cancels_it(client, fleet_caller, member):
    post_cards(client, fleet_caller, card(1, "NEW_REQUEST"))
    post_cards(client, fleet_caller, card(1, "REQUEST_TO_BLOCK"))
    ordered = FleetCard.objects.get(uid="1")
    assert (ordered.status, ordered.charging_key) == (Status.BLOCKED, None)
    refused_230(post_cards(client, fleet_caller, card(1, "REQUEST_TO_UNBLOCK")), "card-status")
    # A cancelled order is ordered again.
    assert post_cards(client, fleet_caller, card(1, "NEW_REQUEST")).json()["result"]["code"] == 0


@pytest.mark.parametrize(
    ("cards", "field"),
    [
        ([card(1, "OPERATIONAL")], "fleet-cards[0].card-status"),
        ([card(1, "REQUEST_RECEIVED")], "fleet-cards[0].card-status"),
        ([card(1, "FLYING")], "fleet-cards[0].card-status"),
        ([card(1, "REQUEST_TO_BLOCK")], "fleet-cards[0].card-status"),
        ([card(1, "NEW_REQUEST", member=999)], "fleet-cards[0].fleet-member-uid"),
        ([card(1, "EVCO_REQUEST", issuer="DE8PS")], "fleet-cards[0].rfid"),
        ([card(1, "EVCO_REQUEST", rfid="0A0B0C0D")], "fleet-cards[0].issuer"),
        ([card(1, "EVCO_REQUEST", rfid="0A0B0C0", issuer="DE8PS")], "rfid"),
        ([card(1, "EVCO_REQUEST", rfid="0A0B0C0D", issuer="DE*8P")], "issuer"),
        ([card(1, "NEW_REQUEST", **{"visual-id": "v" * 65})], "visual-id"),
        ([card("u" * 101, "NEW_REQUEST")], "fm-card-uid"),
        ([card(1.5, "NEW_REQUEST")], "fm-card-uid"),
        ([card(1, "NEW_REQUEST", **{"request-date": "2018-01-01T10:00:00"})], "request-date"),
        ([card(2, "NEW_REQUEST"), card(2, "NEW_REQUEST")], "fleet-cards[1].fm-card-uid"),
    ],
)
def test_bad_cards_are_230_and_change_nothing(client, fleet_caller, member, cards, field):
    before = fleet_rows()
    # A valid card beside the bad ones is not kept either.
    response = post_cards(client, fleet_caller, *cards, card(3, "NEW_REQUEST"))
    refused_230(response, field)
    assert fleet_rows() == before


def test_an_order_twice_is_230(client, fleet_caller, member):
    post_cards(client, fleet_caller, card(1, "NEW_REQUEST"))
    before = fleet_rows()
    refused_230(post_cards(client, fleet_caller, card(1, "NEW_REQUEST")), "card-status")
    assert fleet_rows() == before


def test_another_fleets_card_is_unknown(client, fleet_caller, member):
    post_cards(client, fleet_caller, card(1, "NEW_REQUEST"))
    other = fleet_partner("Other fleet")
    post_members(client, other, member_payload(**{"fleet-cpo-id": "NLF2X"}))

    # Its own card 1 is a new card; blocking this fleet's card 1 is refused as never ordered.
    refused_230(post_cards(client, other, card(1, "REQUEST_TO_BLOCK")), "never ordered")
    assert post_cards(client, other, card(1, "NEW_REQUEST")).json()["result"]["code"] == 0
    assert FleetCard.objects.filter(uid="1").count() == 2
    assert FleetCard.objects.get(uid="1", fleet=fleet_caller.partner).status == (
        Status.REQUEST_RECEIVED
    )


def test_card_queries_do_not_grow_with_the_cards(
    client, fleet_caller, member, django_assert_max_num_queries
):
    def batch(start, count):
        return [
            card(n, "EVCO_REQUEST", rfid=f"{n:08X}", issuer="DE8PS")
            for n in range(start, start + count)
        ] + [card(f"n{n}", "NEW_REQUEST") for n in range(start, start + count)]

    with CaptureQueriesContext(connection) as baseline:
        post_cards(client, fleet_caller, *batch(0, 2))
    with django_assert_max_num_queries(len(baseline.captured_queries) + 2):
        response = post_cards(client, fleet_caller, *batch(100, 40))
    assert response.json()["fleet-cards"]["processed"] == 80
    blocks = [card(n, "REQUEST_TO_BLOCK") for n in range(100, 140)]
    with django_assert_max_num_queries(len(baseline.captured_queries) + 2):
        assert post_cards(client, fleet_caller, *blocks).json()["result"]["code"] == 0
    assert ChargingKey.objects.filter(state="blocked").count() == 40


# --- EVCO ids we issue --------------------------------------------------------------------------
