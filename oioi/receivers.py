"""
OIOI's part in what the domain announces (``<app>.signals``): the deliveries it queues, in the
sender's transaction, so they commit with their cause. Connected by importing this module in
``OioiConfig.ready()``.
"""

from django.dispatch import receiver

from cdrs import selectors as cdr_selectors
from cdrs.models import CDR
from cdrs.signals import cdr_final
from clients.signals import fleet_card_status_changed, offline_whitelist_due
from oioi.wire import cdr_wire_payload
from partners.services import delivery_enqueue


@receiver(cdr_final)
def cdr_forward(sender, cdr, **kwargs):
    """Queue the final CDR's session-post to its recipient, if it has one."""
    if cdr.recipient is None:
        return
    identifier = cdr_selectors.partner_identifier_for_recipient(cdr.recipient)
    # The recipient sees its customer as every interface shows CDRs: by the one rule.
    user_identifier = (
        cdr_selectors.cdr_customer_shown(CDR.objects.filter(pk=cdr.pk), cdr.recipient)
        .values_list("customer_shown", flat=True)
        .get()
    )
    delivery_enqueue(
        cdr.recipient,
        "session-post",
        cdr_wire_payload(cdr, identifier, user_identifier=user_identifier),
        subject=f"CDR {cdr.pk} ({cdr.session_id})",
        dedupe_key=cdr_selectors.cdr_forward_dedupe_key(cdr),
    )


@receiver(offline_whitelist_due)
def offline_whitelist_send(sender, partner, uids, fingerprint, now, **kwargs):
    """
    Queue rfid-post with the complete whitelist to the offline CPO, naming it by its first
    active identifier (none when it has none). One delivery per list and day.
    """
    payload = {"rfids": uids}
    identifier = partner.identifiers.filter(is_active=True).first()
    if identifier is not None:
        payload["partner-identifier"] = identifier.value
    delivery_enqueue(
        partner,
        "rfid-post",
        payload,
        subject=f"whitelist of {len(uids)} UIDs",
        dedupe_key=f"whitelist:{partner.pk}:{fingerprint}:{now:%Y%m%d}",
    )


FLEET_CARDS_CALL = "fleet-post-cards"


def _fleet_card_wire(change):
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
    return f"{FLEET_CARDS_CALL}:{fleet.pk}"


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
        rounds.setdefault((seen[card], change.partner_identifier), []).append(
            _fleet_card_wire(change)
        )
    for (_round, identifier), cards in sorted(rounds.items()):
        delivery_enqueue(
            fleet,
            FLEET_CARDS_CALL,
            {"fleet-cards": cards, "partner-identifier": identifier},
            subject=", ".join(f"{c['fm-card-uid']} {c['card-status']}" for c in cards),
            sequence=fleet_sequence(fleet),
        )
