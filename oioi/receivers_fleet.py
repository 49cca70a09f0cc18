"""
Passes the fleet card statuses the clients domain announces on to the fleet: our own
fleet-post-cards, queued in the transaction that reached them (docs/oioi.md, "Fleet cards").
"""

from django.dispatch import receiver

from clients.signals import fleet_card_status_changed
from partners.services import delivery_enqueue

CALL = "fleet-post-cards"


def _wire(change):
    """One card of our fleet-post-cards, in the docs' members; what we do not hold is left out."""
    card = {
        "fm-card-uid": change.card_uid,
        "fleet-member-uid": change.member_uid,
        "card-status": change.status,
        "evco-id": change.evco_id,
        "rfid": change.rfid,
        "visual-id": change.visual_id,
        "activation-date": change.activation_date and change.activation_date.isoformat(),
        "expiration-date": change.expiration_date and change.expiration_date.isoformat(),
    }
    return {name: value for name, value in card.items() if value is not None}


def fleet_sequence(fleet):
    """The delivery sequence of a fleet's card statuses: sent one at a time, in order."""
    return f"{CALL}:{fleet.pk}"


@receiver(fleet_card_status_changed, dispatch_uid="oioi.fleet_cards_deliver")
def fleet_cards_deliver(sender, *, fleet, changes, **kwargs):
    """
    Queue the ``changes`` for ``fleet``: the first status of each card in one delivery, the
    second in the next, and so on, per partner identifier; the fleet's sequence keeps them in
    that order.
    """
    rounds = {}
    seen = {}
    for change in changes:
        card = (change.partner_identifier, change.card_uid)
        seen[card] = seen.get(card, -1) + 1
        rounds.setdefault((seen[card], change.partner_identifier), []).append(_wire(change))
    for (_round, identifier), cards in sorted(rounds.items()):
        delivery_enqueue(
            fleet,
            CALL,
            {"fleet-cards": cards, "partner-identifier": identifier},
            subject=", ".join(f"{c['fm-card-uid']} {c['card-status']}" for c in cards),
            sequence=fleet_sequence(fleet),
        )
