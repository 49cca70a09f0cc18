"""Fleet cards in the back-office: members, cards, status history, and staff's decisions."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from clients import fleet
from clients.models import ChargingKey, FleetCard
from partners import groups
from partners.models import Delivery
from tests.clients.fleet_helpers import fleet_partner, member_row, post_cards_direct
from tests.clients.helpers import staff_client

CARDS_URL = reverse("admin:clients_fleetcard_changelist")
MEMBERS_URL = reverse("admin:clients_fleetmember_changelist")
Status = FleetCard.Status


def card_url(card, view="change"):
    return reverse(f"admin:clients_fleetcard_{view}", args=[card.pk])


@pytest.fixture
def cards(db):
    """A fleet's cards: an order received, one accepted, one operational."""
    caller = fleet_partner()
    fleet.fleet_members_upsert(caller.partner, [member_row()])
    post_cards_direct(
        caller,
        {"fm-card-uid": "received", "fleet-member-uid": "1234", "card-status": "NEW_REQUEST"},
        {"fm-card-uid": "accepted", "fleet-member-uid": "1234", "card-status": "NEW_REQUEST"},
        {
            "fm-card-uid": "working",
            "fleet-member-uid": "1234",
            "card-status": "EVCO_REQUEST",
            "rfid": "0A0B0C0D",
            "issuer": "DE8PS",
        },
    )
    fleet.fleet_card_accept(FleetCard.objects.get(uid="accepted"), by=None)
    return {card.uid: card for card in FleetCard.objects.all()}


def test_staff_see_members_cards_and_history(cards):
    support = staff_client("support", groups.SUPPORT)
    assert "Jack" in support.get(MEMBERS_URL).content.decode()
    page = support.get(CARDS_URL).content.decode()
    assert all(uid in page for uid in cards)
    detail = support.get(card_url(cards["working"])).content.decode()
    for status in ("EVCO id request", "request received", "operational"):
        assert status in detail
    assert "fleet-post-cards to" in detail


def test_accept_and_reject_actions(cards, admin_user, client):
    client.force_login(admin_user)
    received = cards["received"]

    response = client.post(
        CARDS_URL, {"action": "accept", "_selected_action": [received.pk, cards["working"].pk]}
    )

    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == Status.REQUEST_ACCEPTED
    assert LogEntry.objects.filter(object_id=str(received.pk)).exists()
    client.post(CARDS_URL, {"action": "reject", "_selected_action": [received.pk]})
    received.refresh_from_db()
    assert received.status == Status.REQUEST_REJECTED
    assert Delivery.objects.order_by("pk").last().payload["fleet-cards"][0]["card-status"] == (
        "REQUEST_REJECTED"
    )


def test_support_staff_decide_nothing(cards):
    support = staff_client("support", groups.SUPPORT)
    received = cards["received"]
    support.post(CARDS_URL, {"action": "accept", "_selected_action": [received.pk]})
    received.refresh_from_db()
    assert received.status == Status.REQUEST_RECEIVED
    assert support.get(card_url(cards["accepted"], "issue")).status_code == 403


def test_issue_an_accepted_card(cards):
    manager = staff_client("manager", groups.PARTNER_MANAGEMENT)
    accepted = cards["accepted"]
    assert "Issue the card" in manager.get(card_url(accepted)).content.decode()
    assert "Issue the card" not in manager.get(card_url(cards["received"])).content.decode()

    response = manager.post(
        card_url(accepted, "issue"),
        {"uid": "04a1b2c3", "visual_id": "V-1", "expiration_date": "2030-01-01 00:00"},
    )

    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == Status.OPERATIONAL
    assert accepted.charging_key.uid == "04A1B2C3"
    assert accepted.expiration_date.year == 2030
    sent = Delivery.objects.order_by("pk").last().payload["fleet-cards"][0]
    assert (sent["card-status"], sent["visual-id"]) == ("OPERATIONAL", "V-1")


@pytest.mark.parametrize(
    ("uid", "error"), [("0A0B0C0D", "already a charging key"), ("XYZ", "hexadecimal")]
)
def test_issue_refuses_a_bad_or_taken_uid(cards, admin_user, client, uid, error):
    client.force_login(admin_user)
    response = client.post(card_url(cards["accepted"], "issue"), {"uid": uid})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert FleetCard.objects.get(uid="accepted").status == Status.REQUEST_ACCEPTED
    assert ChargingKey.objects.count() == 1


def test_a_card_is_neither_added_nor_deleted_here(cards, admin_user, client):
    client.force_login(admin_user)
    assert client.get(reverse("admin:clients_fleetcard_add")).status_code == 403
    assert client.get(card_url(cards["working"], "delete")).status_code == 403
