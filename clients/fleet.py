"""
Fleet cards (docs/oioi.md, "Fleet cards"): the members a fleet posts, the cards it orders for
them, and the ordering workflow, the fleet's requests and staff's decisions alike. Every status
the fleet must hear of is announced with ``signals.fleet_card_status_changed`` inside the
transaction that reached it. A request's rows are written in a fixed number of statements,
whatever the number of members or cards.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from clients import evco
from clients.models import (
    ChargingKey,
    Contract,
    Customer,
    FleetCard,
    FleetCardEvent,
    FleetMember,
    WhitelistEntry,
)
from clients.signals import fleet_card_status_changed
from core import identifiers
from core.errors import InvalidValue

Status = FleetCard.Status
# What the fleet may send; the other statuses are ours.
FLEET_SENDS = frozenset(
    {Status.NEW_REQUEST, Status.EVCO_REQUEST, Status.REQUEST_TO_BLOCK, Status.REQUEST_TO_UNBLOCK}
)
ORDERS = frozenset({Status.NEW_REQUEST, Status.EVCO_REQUEST})
ORDER_IN_PROGRESS = frozenset({Status.REQUEST_RECEIVED, Status.REQUEST_ACCEPTED})
# What the fleet sets on a member (fleet-post-members), besides its uid.
MEMBER_FIELDS = (
    "external_id",
    "first_name",
    "last_name",
    "title",
    "job_title",
    "phone",
    "email",
    "address_line_1",
    "address_line_2",
    "postal_code",
    "city",
    "state_province",
    "country",
    "default_language",
    "fleet_group_id",
    "fleet_name",
    "fleet_cpo_id",
    "fleet_reference_id",
    "evses",
)
KEY_FIELDS = ["state", "state_reason", "state_changed_at", "state_changed_by"]
CARD_FIELDS = [
    "partner_identifier",
    "member",
    "status",
    "request_date",
    "requested_rfid",
    "issuer",
    "visual_id",
    "charging_key",
    "activation_date",
    "expiration_date",
    "fleet_blocked_at",
    "updated_at",
]


@dataclass(frozen=True)
class FleetCardChange:
    """A status of a card as its fleet hears it, taken when the card reached it."""

    partner_identifier: str
    card_uid: str
    member_uid: str
    status: str
    evco_id: str | None = None
    rfid: str | None = None
    visual_id: str | None = None
    activation_date: datetime | None = None
    expiration_date: datetime | None = None


def _change(card, status):
    key = card.charging_key if status in (Status.OPERATIONAL, Status.BLOCKED) else None
    return FleetCardChange(
        partner_identifier=card.partner_identifier.value,
        card_uid=card.uid,
        member_uid=card.member.uid,
        status=status,
        evco_id=key.contract.evco_id if key else None,
        rfid=key.uid if key else None,
        visual_id=(card.visual_id or None) if key else None,
        activation_date=card.activation_date if key else None,
        expiration_date=card.expiration_date if key else None,
    )


# --- Members ------------------------------------------------------------------------------------


# No savepoint of its own inside the OIOI call's transaction: a refusal rolls the call back.
@transaction.atomic(savepoint=False)
def fleet_members_upsert(fleet, members):
    """
    Create or update the ``members`` of ``fleet`` by their ``uid`` (dicts of FleetMember
    fields), each with its Customer, whose fleet is ``fleet`` so that it gets their CDRs.
    ``fleet_cpo_id`` must be an operator id registered to the fleet. Returns how many.
    """
    registered = set(fleet.operator_ids.values_list("normalized", flat=True))
    for index, member in enumerate(members):
        if identifiers.normalize_operator_id(member["fleet_cpo_id"]) not in registered:
            raise InvalidValue(
                f"{member['fleet_cpo_id']} is no operator id registered to you.",
                field=f"members[{index}].fleet-cpo-id",
            )
    _refuse_repeats([member["uid"] for member in members], "members", "fleet-member-uid")
    held = {
        member.uid: member
        for member in FleetMember.objects.select_for_update()
        .select_related("customer")
        .filter(fleet=fleet, uid__in=[member["uid"] for member in members])
    }
    now = timezone.now()
    created, updated = [], []
    for sent in members:
        member = held.get(sent["uid"])
        if member is None:
            member = FleetMember(fleet=fleet, uid=sent["uid"], customer=Customer(fleet=fleet))
            created.append(member)
        else:
            member.updated_at = now
            updated.append(member)
        for name in MEMBER_FIELDS:
            setattr(member, name, sent.get(name, ""))
        member.customer.name = f"{member.first_name} {member.last_name}".strip()
        member.customer.email = member.email
        member.customer.fleet = fleet
    Customer.objects.bulk_create([member.customer for member in created])
    FleetMember.objects.bulk_create(created)
    if updated:
        Customer.objects.bulk_update(
            [member.customer for member in updated], ["name", "email", "fleet"]
        )
        FleetMember.objects.bulk_update(updated, [*MEMBER_FIELDS, "updated_at"])
    return len(members)


def _refuse_repeats(values, collection, member):
    for value, count in Counter(values).items():
        if count > 1:
            index = values.index(value, values.index(value) + 1)
            raise InvalidValue(
                f"{value} is listed twice; send each once.", field=f"{collection}[{index}].{member}"
            )


# --- The fleet's requests -----------------------------------------------------------------------


def _uids_in_use(uids):
    """Of ``uids``, those that are a charging key's or on an active whitelist."""
    if not uids:
        return set()
    keys = ChargingKey.objects.filter(uid__in=uids).values_list("uid", flat=True)
    listed = WhitelistEntry.objects.filter(uid__in=uids, is_active=True).values_list(
        "uid", flat=True
    )
    return set(keys) | set(listed)


def _refusal(card, sent, member):
    """Why the fleet may not send ``sent`` for ``card`` (None: a new card), or None."""
    status = sent["status"]
    if status not in FLEET_SENDS:
        return f"{status} is ours to send; a fleet sends {', '.join(sorted(FLEET_SENDS))}."
    if status in ORDERS:
        if card is None or card.status == Status.REQUEST_REJECTED:
            return None
        if card.status == Status.BLOCKED and card.charging_key_id is None:
            return None  # a cancelled order is ordered again
        return f"Card {card.uid} is {card.status}; order a new card under a new fm-card-uid."
    if card is None:
        return f"Card {sent['uid']} was never ordered."
    if card.member_id != member.pk:
        return f"Card {card.uid} is a card of member {card.member.uid}."
    if status == Status.REQUEST_TO_BLOCK and card.status not in (
        *ORDER_IN_PROGRESS,
        Status.OPERATIONAL,
    ):
        return f"Card {card.uid} is {card.status}: there is nothing to block."
    if status == Status.REQUEST_TO_UNBLOCK and (
        card.status != Status.BLOCKED or card.charging_key_id is None
    ):
        return f"Card {card.uid} is {card.status}, not a blocked card."
    return None


class _Batch:
    """The rows one request changes, written together at the end."""

    def __init__(self, now):
        self.now = now
        self.contracts, self.keys, self.changed_keys = [], [], []
        self.events, self.changes = [], []

    def record(self, card, status, *, from_fleet, by=None, note=""):
        card.status = status
        self.events.append(
            FleetCardEvent(
                card=card,
                status=status,
                from_fleet=from_fleet,
                by=by,
                note=note,
                created_at=self.now,
            )
        )
        if not from_fleet:
            self.changes.append((card, status))

    def issue(self, card, uid, *, visual_id="", expiration_date=None):
        """A platform contract with a new EVCO id for the card's member, and its key."""
        customer = card.member.customer
        # Its EVCO id comes in save(), all of the request's drawn at once.
        contract = Contract(customer=customer)
        key = ChargingKey(uid=uid, contract=contract, customer=customer)
        self.contracts.append(contract)
        self.keys.append(key)
        card.charging_key = key
        card.visual_id = visual_id
        card.activation_date = self.now
        card.expiration_date = expiration_date

    def key_state(self, key, state, reason):
        key.state, key.state_reason = state, reason
        key.state_changed_at, key.state_changed_by = self.now, None
        self.changed_keys.append(key)

    def save(self, fleet, new_cards, cards):
        for contract, evco_id in zip(
            self.contracts, evco.evco_ids_issue(len(self.contracts)), strict=True
        ):
            contract.evco_id = evco_id
            contract.evco_id_normalized = identifiers.normalize_evco_id(evco_id)
        Contract.objects.bulk_create(self.contracts)
        ChargingKey.objects.bulk_create(self.keys)
        if self.changed_keys:
            ChargingKey.objects.bulk_update(self.changed_keys, KEY_FIELDS)
        FleetCard.objects.bulk_create(new_cards)
        for card in cards:
            card.updated_at = self.now
        if cards:
            FleetCard.objects.bulk_update(cards, CARD_FIELDS)
        FleetCardEvent.objects.bulk_create(self.events)
        if self.changes:
            changes = [_change(card, status) for card, status in self.changes]
            fleet_card_status_changed.send(sender=FleetCard, fleet=fleet, changes=changes)


@transaction.atomic(savepoint=False)
def fleet_cards_post(fleet, partner_identifier, cards):
    """
    Apply the fleet's requests ``cards`` (dicts: ``uid``, ``member_uid``, ``status``,
    ``request_date``, ``rfid``, ``issuer``, ``visual_id``), all or nothing: each member must
    have been posted, each status be one the fleet sends, from a state it applies to. Orders
    are answered REQUEST_RECEIVED; an EVCO_REQUEST then OPERATIONAL (its UID free) or
    REQUEST_REJECTED; REQUEST_TO_BLOCK BLOCKED; REQUEST_TO_UNBLOCK OPERATIONAL, or BLOCKED
    while staff keep the key blocked. Returns how many cards were processed.
    """
    uids = [sent["uid"] for sent in cards]
    _refuse_repeats(uids, "fleet-cards", "fm-card-uid")
    members = {
        member.uid: member
        for member in FleetMember.objects.select_related("customer").filter(
            fleet=fleet, uid__in={sent["member_uid"] for sent in cards}
        )
    }
    held = {
        card.uid: card
        for card in FleetCard.objects.select_for_update(of=("self",))
        .select_related("charging_key__contract", "member")
        .filter(fleet=fleet, uid__in=uids)
    }
    for index, sent in enumerate(cards):
        member = members.get(sent["member_uid"])
        if member is None:
            raise InvalidValue(
                f"Member {sent['member_uid']} was not posted with fleet-post-members.",
                field=f"fleet-cards[{index}].fleet-member-uid",
            )
        refusal = _refusal(held.get(sent["uid"]), sent, member)
        if refusal:
            raise InvalidValue(refusal, field=f"fleet-cards[{index}].card-status")
    requested = [sent["rfid"] for sent in cards if sent["status"] == Status.EVCO_REQUEST]
    in_use = _uids_in_use(requested)
    batch = _Batch(timezone.now())
    new_cards, changed = [], []
    for sent in cards:
        member = members[sent["member_uid"]]
        card = held.get(sent["uid"])
        if card is None:
            card = FleetCard(fleet=fleet, uid=sent["uid"], member=member)
            new_cards.append(card)
        else:
            changed.append(card)
        card.partner_identifier = partner_identifier
        _apply(batch, card, sent, member, in_use)
    batch.save(fleet, new_cards, changed)
    return len(cards)


def _apply(batch, card, sent, member, in_use):
    status = sent["status"]
    batch.record(card, status, from_fleet=True)
    if status in ORDERS:
        card.member = member
        card.request_date = sent.get("request_date")
        card.requested_rfid = sent.get("rfid") or ""
        card.issuer = sent.get("issuer") or ""
        card.visual_id = sent.get("visual_id") or ""
        card.charging_key = None
        card.activation_date = card.expiration_date = card.fleet_blocked_at = None
        batch.record(card, Status.REQUEST_RECEIVED, from_fleet=False)
        if status == Status.EVCO_REQUEST:
            uid = sent["rfid"]
            if uid in in_use:
                batch.record(
                    card, Status.REQUEST_REJECTED, from_fleet=False, note=f"UID {uid} is in use."
                )
            else:
                in_use.add(uid)
                batch.issue(card, uid, visual_id=card.visual_id)
                batch.record(card, Status.OPERATIONAL, from_fleet=False)
        return
    key = card.charging_key
    if status == Status.REQUEST_TO_BLOCK:
        note = "Order cancelled." if key is None else ""
        card.fleet_blocked_at = None
        if key is not None and key.state != ChargingKey.State.BLOCKED:
            batch.key_state(
                key,
                ChargingKey.State.BLOCKED,
                f"Fleet card {card.uid}: the fleet asked to block it.",
            )
            card.fleet_blocked_at = batch.now
        batch.record(card, Status.BLOCKED, from_fleet=False, note=note)
        return
    # REQUEST_TO_UNBLOCK: the fleet lifts its own block, never staff's.
    if key.state == ChargingKey.State.BLOCKED and key.state_changed_at == card.fleet_blocked_at:
        batch.key_state(
            key, ChargingKey.State.ACTIVE, f"Fleet card {card.uid}: the fleet asked to unblock it."
        )
    if key.state == ChargingKey.State.ACTIVE:
        card.fleet_blocked_at = None
        batch.record(card, Status.OPERATIONAL, from_fleet=False)
    else:
        batch.record(card, Status.BLOCKED, from_fleet=False, note="The key stays blocked by staff.")


# --- Staff's decisions --------------------------------------------------------------------------


def _staff_decision(card, allowed, decide):
    card = (
        FleetCard.objects.select_for_update(of=("self",))
        .select_related("charging_key__contract", "member__customer", "partner_identifier", "fleet")
        .get(pk=card.pk)
    )
    if card.status not in allowed:
        raise InvalidValue(f"Card {card.uid} is {card.get_status_display()}.", field="status")
    batch = _Batch(timezone.now())
    decide(batch, card)
    batch.save(card.fleet, [], [card])
    return card


@transaction.atomic
def fleet_card_accept(card, *, by):
    """Staff accept a received order: the fleet hears REQUEST_ACCEPTED."""
    return _staff_decision(
        card,
        {Status.REQUEST_RECEIVED},
        lambda batch, card: batch.record(card, Status.REQUEST_ACCEPTED, from_fleet=False, by=by),
    )


@transaction.atomic
def fleet_card_reject(card, *, by, reason=""):
    """Staff reject an order not yet issued: the fleet hears REQUEST_REJECTED."""
    return _staff_decision(
        card,
        ORDER_IN_PROGRESS,
        lambda batch, card: batch.record(
            card, Status.REQUEST_REJECTED, from_fleet=False, by=by, note=reason
        ),
    )


@transaction.atomic
def fleet_card_issue(card, *, uid, visual_id, expiration_date, by):
    """
    Staff enter the accepted card's UID, visual id and expiry: a platform contract with a new
    EVCO id and its key are created, and the fleet hears OPERATIONAL with them.
    """
    uid = identifiers.normalize_uid(uid)
    if _uids_in_use([uid]):
        raise InvalidValue(f"UID {uid} is already a charging key or on a whitelist.", field="uid")

    def issue(batch, card):
        batch.issue(card, uid, visual_id=visual_id, expiration_date=expiration_date)
        batch.record(card, Status.OPERATIONAL, from_fleet=False, by=by)

    return _staff_decision(card, {Status.REQUEST_ACCEPTED}, issue)
