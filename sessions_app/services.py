"""
Remote start / stop and reservations: checked here, forwarded to the CPO that owns the EVSE,
and its answer relayed. Each request is recorded whatever the CPO answers.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import identifiers
from oioi.client import Failure, oioi_call
from oioi.registry import Outcome
from oioi.results import ResultCode, is_success
from sessions_app import selectors
from sessions_app.models import ChargingSession, Reservation

NOT_FOUND_MESSAGES = {
    ResultCode.EVSE_NOT_FOUND: "EVSE not found.",
    ResultCode.SESSION_NOT_FOUND: "Session not found.",
    ResultCode.RESERVATION_NOT_FOUND: "Reservation not found.",
}


def refusal(code, message=None):
    return Outcome(code=code, message=message or NOT_FOUND_MESSAGES.get(code, ""))


def forward(cpo, call, payload, correlation_id):
    """
    Send ``call`` to the CPO and return (result code to relay, message, its answer body).
    A CPO too slow for the forwarding bound is 302; one unreachable or answering garbage, 300.
    """
    result = oioi_call(
        cpo,
        call,
        payload,
        correlation_id=correlation_id,
        deadline_seconds=settings.OIOI_FORWARD_TIMEOUT_SECONDS,
    )
    if result.failure == Failure.TIMEOUT:
        return ResultCode.OPERATOR_SYSTEM_TIMEOUT, "The operator did not answer in time.", {}
    if result.failure is not None:
        return ResultCode.OPERATOR_SYSTEM_ERROR, "The operator could not be reached.", {}
    return result.result_code, result.message, result.body


def _wire_user(user):
    """The OIOI user object as we forward it (hyphenated, without what was not sent)."""
    wire = {"identifier-type": user["identifier_type"], "identifier": user["identifier"]}
    if user.get("token"):
        wire["token"] = user["token"]
    return wire


def session_start(*, partner, user, evse_id, payment_reference="", correlation_id=""):
    connector = selectors.connector_get_for_caller(evse_id, partner)
    if connector is None:
        return refusal(ResultCode.EVSE_NOT_FOUND)
    authorization = selectors.contract_authorize_remote(user, partner)
    if authorization.code != ResultCode.SUCCESS:
        return refusal(authorization.code)
    session = ChargingSession.objects.create(
        requested_by=partner,
        cpo=connector.station.owner,
        contract=authorization.contract,
        connector=connector,
        evse_id=evse_id,
        user_identifier_type=user["identifier_type"],
        user_identifier=user["identifier"],
        payment_reference=payment_reference,
        correlation_id=correlation_id,
    )
    payload = {"user": _wire_user(user), "connector-id": connector.evse_id}
    if payment_reference:
        payload["payment-reference"] = payment_reference
    code, message, body = forward(session.cpo, "session-start", payload, correlation_id)
    answer = body.get("session-start") if isinstance(body.get("session-start"), dict) else {}
    session.result_code, session.result_message = code, message[:500]
    members = {}
    if is_success(code):
        session.state = ChargingSession.State.STARTED
        session.started_at = timezone.now()
        session.cpo_session_id = str(answer.get("session-id") or "")[:255]
        if isinstance(answer.get("is-stoppable"), bool):
            session.is_stoppable = answer["is-stoppable"]
        relayed = {k: answer[k] for k in ("session-id", "is-stoppable") if k in answer}
        if relayed:
            members["session-start"] = relayed
    else:
        session.state = ChargingSession.State.FAILED
    session.save()
    return Outcome(code=code, message=message, members=members)


def session_stop(*, partner, user, evse_id, session_id=None, correlation_id=""):
    connector = selectors.connector_get_for_caller(evse_id, partner)
    if connector is None:
        return refusal(ResultCode.EVSE_NOT_FOUND)
    session = selectors.session_get_for_stop(partner, connector, session_id)
    if session is None or session.state != ChargingSession.State.STARTED:
        return refusal(ResultCode.SESSION_NOT_FOUND)
    if session.is_stoppable is False:
        return refusal(ResultCode.EVSE_NO_REMOTE_STOP, "This EVSE does not support remote stop.")
    payload = {"user": _wire_user(user), "connector-id": session.connector.evse_id}
    if session.cpo_session_id:
        payload["session-id"] = session.cpo_session_id
    code, message, _ = forward(session.cpo, "session-stop", payload, correlation_id)
    session.result_code, session.result_message = code, message[:500]
    if is_success(code):
        session.state = ChargingSession.State.STOPPED
        session.stopped_at = timezone.now()
    session.save()
    return Outcome(code=code, message=message)


def reservation_start(*, partner, evse_id, reservation_identifiers, correlation_id=""):
    connector = selectors.connector_get_for_caller(evse_id, partner)
    if connector is None:
        return refusal(ResultCode.EVSE_NOT_FOUND)
    if not connector.station.is_reservable:
        return refusal(ResultCode.EVSE_NOT_RESERVABLE, "This EVSE does not support reservation.")
    contracts = []
    for item in reservation_identifiers:
        try:
            identifiers.normalize_evco_id(item["evco_id"])
        except ValidationError:
            return refusal(ResultCode.EVCO_ID_ERROR, f"EVCO id {item['evco_id']} is not valid.")
        authorization = selectors.contract_authorize_remote(
            {"identifier_type": "evco-id", "identifier": item["evco_id"]}, partner
        )
        if authorization.contract is None:
            return refusal(ResultCode.EVCO_ID_NOT_FOUND, f"EVCO id {item['evco_id']} not found.")
        contracts.append(authorization.contract)
    active = selectors.reservations_active()
    if active.filter(contracts__in=contracts).exists():
        return refusal(ResultCode.EVCO_ID_OTHER_RESERVATION, "Another reservation is active.")
    if active.filter(connector__evse_id_normalized=connector.evse_id_normalized).exists():
        return refusal(ResultCode.EVSE_ALREADY_RESERVED, "This EVSE is already reserved.")
    wire_identifiers = [
        {"evco-id": item["evco_id"], **({"rfid": item["rfid"]} if item.get("rfid") else {})}
        for item in reservation_identifiers
    ]
    reservation = Reservation.objects.create(
        requested_by=partner,
        cpo=connector.station.owner,
        connector=connector,
        evse_id=evse_id,
        identifiers=wire_identifiers,
        correlation_id=correlation_id,
    )
    reservation.contracts.set(contracts)
    payload = {"connector-id": connector.evse_id, "identifier": wire_identifiers}
    code, message, body = forward(reservation.cpo, "reservation-start", payload, correlation_id)
    reservation.result_code, reservation.result_message = code, message[:500]
    members = {}
    if is_success(code):
        answer = body.get("reservation-start")
        end = parse_datetime(str(answer.get("end"))) if isinstance(answer, dict) else None
        if end is None or end.tzinfo is None:
            end = timezone.now() + timedelta(minutes=settings.RESERVATION_DEFAULT_MINUTES)
        reservation.state = Reservation.State.ACTIVE
        reservation.end_at = end
        members["reservation-start"] = {"end": end.isoformat()}
    else:
        reservation.state = Reservation.State.FAILED
    reservation.save()
    return Outcome(code=code, message=message, members=members)


def reservation_stop(*, partner, identifier_type, identifier, correlation_id=""):
    reservation = selectors.reservation_get_for_stop(partner, identifier_type, identifier)
    if reservation is None:
        return refusal(ResultCode.RESERVATION_NOT_FOUND)
    payload = {"identifier-type": identifier_type, "identifier": identifier}
    code, message, _ = forward(reservation.cpo, "reservation-stop", payload, correlation_id)
    reservation.result_code, reservation.result_message = code, message[:500]
    if is_success(code):
        reservation.state = Reservation.State.STOPPED
        reservation.stopped_at = timezone.now()
    reservation.save()
    return Outcome(code=code, message=message)
