"""The OIOI calls of remote start / stop and reservations (emp, oem), forwarded to CPOs."""

from rest_framework import serializers

from app_users import selectors as app_users
from app_users import services as app_user_services
from oioi.registry import Outcome, register
from oioi.serializers import EvseIdField, OIOISerializer
from sessions_app import services

REMOTE_ROLES = ("emp", "oem")
IDENTIFIER_TYPES = ["evco-id", "rfid", "username", "token"]


class UserSerializer(OIOISerializer):
    identifier_type = serializers.ChoiceField(IDENTIFIER_TYPES)
    identifier = serializers.CharField(max_length=100)
    token = serializers.CharField(max_length=500, required=False, allow_blank=True)


class SessionStartSerializer(OIOISerializer):
    user = UserSerializer()
    connector_id = EvseIdField()
    payment_reference = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SessionStopSerializer(OIOISerializer):
    user = UserSerializer()
    connector_id = EvseIdField()
    session_id = serializers.CharField(max_length=255, required=False, allow_blank=True)


class ReservationIdentifierSerializer(OIOISerializer):
    # Checked by the call, not here: an invalid EVCO id is answered 190, not 230.
    evco_id = serializers.CharField(max_length=100)
    rfid = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ReservationStartSerializer(OIOISerializer):
    connector_id = EvseIdField()
    identifier = ReservationIdentifierSerializer(many=True, allow_empty=False, max_length=10)


class ReservationStopSerializer(OIOISerializer):
    identifier_type = serializers.ChoiceField(["evco-id", "rfid"])
    identifier = serializers.CharField(max_length=100)


def contract_user(call):
    """
    The call's `user` as the sessions services take it. An app user (named by username or
    token, docs/oioi.md "OEM app users") becomes its app contract's EVCO id: the CPO is asked
    for that contract and never sees the user's token.
    """
    user = call.data["user"]
    if user["identifier_type"] not in ("username", "token"):
        return user
    identified = app_users.app_user_identify(
        call.partner, user["identifier_type"], user["identifier"], user.get("token")
    )
    app_user_services.app_user_token_touch(identified.token)
    return {"identifier_type": "evco-id", "identifier": identified.user.contract.evco_id}


def relay(forwarded, members=None):
    """The CPO's answer (see ``oioi.forwarding``) as we answer the caller."""
    return Outcome(
        code=forwarded.answer.code, message=forwarded.answer.message, members=members or {}
    )


# Not atomic: the session record stays whatever the CPO answers, written before and after
# the forwarded call, and no transaction is held open while the CPO thinks.
@register("session-start", serializer=SessionStartSerializer, roles=REMOTE_ROLES, atomic=False)
def session_start(call):
    forwarded = services.session_start(
        partner=call.partner,
        user=contract_user(call),
        evse_id=call.data["connector_id"],
        payment_reference=call.data.get("payment_reference", ""),
        correlation_id=call.correlation_id,
    )
    answer = forwarded.answer
    # The CPO's session id and stoppability, relayed as it sent them.
    relayed = {k: answer.reply[k] for k in ("session-id", "is-stoppable") if k in answer.reply}
    members = {"session-start": relayed} if answer.accepted and relayed else {}
    return relay(forwarded, members)


@register("session-stop", serializer=SessionStopSerializer, roles=REMOTE_ROLES, atomic=False)
def session_stop(call):
    forwarded = services.session_stop(
        partner=call.partner,
        user=contract_user(call),
        evse_id=call.data["connector_id"],
        session_id=call.data.get("session_id") or None,
        correlation_id=call.correlation_id,
    )
    return relay(forwarded)


@register(
    "reservation-start", serializer=ReservationStartSerializer, roles=REMOTE_ROLES, atomic=False
)
def reservation_start(call):
    forwarded = services.reservation_start(
        partner=call.partner,
        evse_id=call.data["connector_id"],
        reservation_identifiers=call.data["identifier"],
        correlation_id=call.correlation_id,
    )
    members = {}
    if forwarded.answer.accepted:
        members["reservation-start"] = {"end": forwarded.record.end_at.isoformat()}
    return relay(forwarded, members)


@register(
    "reservation-stop", serializer=ReservationStopSerializer, roles=REMOTE_ROLES, atomic=False
)
def reservation_stop(call):
    forwarded = services.reservation_stop(
        partner=call.partner,
        identifier_type=call.data["identifier_type"],
        identifier=call.data["identifier"],
        correlation_id=call.correlation_id,
    )
    return relay(forwarded)
