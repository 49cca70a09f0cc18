"""
The demo fleet's members and its cards in several states (docs/oioi.md, "Fleet cards"), made
through the same services as its fleet-post-members and fleet-post-cards and staff's decisions.
"""

from datetime import UTC, datetime

from clients import fleet
from clients.models import FleetCard, FleetMember
from demo.partners import DEMO_FLEET
from partners.models import Partner


def _member(uid, first_name, last_name, city):
    return {
        "uid": uid,
        "first_name": first_name,
        "last_name": last_name,
        "email": f"{first_name.lower()}@fleet.demo.example",
        "address_line_1": "Fleetstraße 1",
        "city": city,
        "country": "DE",
        "default_language": "de",
        "fleet_group_id": "pool-cars",
        "fleet_name": "Demo pool cars",
        "fleet_cpo_id": "DE*FLT",
        "evses": [],
    }


DEMO_MEMBERS = (
    _member("FM-1", "Frida", "Fleet", "Berlin"),
    _member("FM-2", "Gustav", "Pool", "Hamburg"),
)


def _card(uid, member_uid, status, **fields):
    return {"uid": uid, "member_uid": member_uid, "status": status, **fields}


# Each ends in another state: waiting for staff, accepted, operational, rejected, blocked.
DEMO_CARDS = (
    _card("FC-1", "FM-1", "NEW_REQUEST"),
    _card("FC-2", "FM-1", "NEW_REQUEST"),
    _card("FC-3", "FM-2", "NEW_REQUEST"),
    _card("FC-4", "FM-2", "EVCO_REQUEST", rfid="0F1E0001", issuer="DE*XYZ", visual_id="XYZ-1"),
    _card("FC-5", "FM-2", "EVCO_REQUEST", rfid="04A1B2C3", issuer="DE*XYZ"),
    _card("FC-6", "FM-1", "EVCO_REQUEST", rfid="0F1E0002", issuer="DE*XYZ"),
)


def seed(site):
    """Create the demo fleet's members and cards once; return the lines to print."""
    partner = Partner.objects.filter(name=DEMO_FLEET).first()
    if partner is None or FleetMember.objects.filter(fleet=partner).exists():
        return []
    identifier = partner.identifiers.order_by("pk").first()
    fleet.fleet_members_upsert(partner, list(DEMO_MEMBERS))
    # FC-5 asks for a UID that is already a demo key (demo.clients): it is rejected.
    fleet.fleet_cards_post(partner, identifier, list(DEMO_CARDS))
    cards = {card.uid: card for card in FleetCard.objects.filter(fleet=partner)}
    fleet.fleet_card_accept(cards["FC-2"], by=None)
    fleet.fleet_card_accept(cards["FC-3"], by=None)
    fleet.fleet_card_issue(
        cards["FC-3"],
        uid="0F1E0003",
        visual_id="DEMO-0003",
        expiration_date=datetime(2030, 12, 31, tzinfo=UTC),
        by=None,
    )
    blocked = _card("FC-6", "FM-1", "REQUEST_TO_BLOCK")
    fleet.fleet_cards_post(partner, identifier, [blocked])
    states = ", ".join(
        f"{card.uid} {card.status}"
        for card in FleetCard.objects.filter(fleet=partner).order_by("uid")
    )
    return [f"Demo fleet cards of {DEMO_FLEET} (staff decide in the admin): {states}."]
