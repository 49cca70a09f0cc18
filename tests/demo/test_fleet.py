"""seed_demo's fleet cards: a fleet with an operator id, members, and cards in several states."""

import io

from django.core.management import call_command

from clients.models import FleetCard, FleetMember
from partners.models import Delivery, Partner


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_fleet_cards_in_several_states_created_once(db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    output = seed_demo()

    fleet = Partner.objects.get(name="Demo Fleet")
    assert [str(o) for o in fleet.operator_ids.all()] == ["DE*FLT"]
    assert FleetMember.objects.filter(fleet=fleet, customer__fleet=fleet).count() == 2
    states = dict(FleetCard.objects.filter(fleet=fleet).values_list("uid", "status"))
    assert states == {
        "FC-1": "REQUEST_RECEIVED",
        "FC-2": "REQUEST_ACCEPTED",
        "FC-3": "OPERATIONAL",
        "FC-4": "OPERATIONAL",
        "FC-5": "REQUEST_REJECTED",
        "FC-6": "BLOCKED",
    }
    assert "Demo fleet cards of Demo Fleet" in output
    assert Delivery.objects.filter(partner=fleet, call="fleet-post-cards").exists()

    before = (FleetCard.objects.count(), Delivery.objects.count())
    assert "Demo fleet cards" not in seed_demo()
    assert (FleetCard.objects.count(), Delivery.objects.count()) == before
