"""The fleet calls (docs/oioi.md, "Fleet cards"): fleet-post-members and fleet-post-cards."""

from clients import fleet
from oioi.registry import Outcome, register
from oioi.serializers.fleet import FleetPostCardsSerializer, FleetPostMembersSerializer


def _as_sent(value):
    """Validated data in the docs' spelling, JSON-ready: hyphenated members, RFC 3339 times."""
    if isinstance(value, dict):
        return {key.replace("_", "-"): _as_sent(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_sent(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def member_values(data):
    """A validated member as the domain takes it: FleetMember field names."""
    contact, address = data["contact"], data["address"]
    return {
        "uid": data["fleet_member_uid"],
        "external_id": data["external_id"],
        **{name: contact[name] for name in ("first_name", "last_name", "title", "job_title")},
        "phone": contact["phone"],
        "email": contact["email"] or "",
        **address,
        "default_language": data["default_language"].lower(),
        "fleet_group_id": data["fleet_id"],
        "fleet_name": data["fleet_name"],
        "fleet_cpo_id": data["fleet_cpo_id"],
        "fleet_reference_id": data["fleet_reference_id"],
        "evses": _as_sent(data["evses"]),
    }


def card_values(data):
    """A validated card as ``clients.fleet.fleet_cards_post`` takes it."""
    return {
        "uid": data["fm_card_uid"],
        "member_uid": data["fleet_member_uid"],
        "status": data["card_status"],
        "request_date": data["request_date"],
        "rfid": data.get("rfid"),
        "issuer": data.get("issuer"),
        "visual_id": data["visual_id"],
    }


@register(
    "fleet-post-members",
    serializer=FleetPostMembersSerializer,
    roles=("fleet",),
    partner_identifier=True,
)
def fleet_post_members(call):
    fleet.fleet_members_upsert(call.partner, [member_values(m) for m in call.data["members"]])
    return Outcome()


@register(
    "fleet-post-cards",
    serializer=FleetPostCardsSerializer,
    roles=("fleet",),
    partner_identifier=True,
)
def fleet_post_cards(call):
    processed = fleet.fleet_cards_post(
        call.partner, call.partner_identifier, [card_values(c) for c in call.data["fleet_cards"]]
    )
    return Outcome(members={"fleet-cards": {"processed": processed}})
