"""
Remote start / stop and reservations: checked here, forwarded to the CPO that owns the EVSE
through the gateway a protocol registered (``sessions_app.remote``), and its answer returned.
Each forwarded request is recorded whatever the CPO answers; a refused one raises a
``sessions_app.errors`` refusal before anything is written or forwarded.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Subquery
from django.utils import timezone

from clients.models import VerificationResult
from core import identifiers
from sessions_app import errors, remote, selectors
from sessions_app.models import ChargingSession, Reservation
from stations.errors import EvseNotFound
from stations.models import Connector

CONTRACT_REFUSALS = {
    VerificationResult.UNKNOWN: errors.ContractInactive,
    VerificationResult.BLOCKED: errors.ContractBlocked,
    VerificationResult.NO_PAYMENT_METHOD: errors.ContractWithoutPaymentMethod,
}


def _connector_get(evse_id, partner):
    connector = selectors.connector_get_for_caller(evse_id, partner)
    if connector is None:
        raise EvseNotFound()
    return connector


def _record_answer(record, answer):
    record.result_code, record.result_message = answer.code, answer.message[:500]


def session_start(*, partner, user, evse_id, payment_reference="", correlation_id=""):
    """
    Ask the CPO to start charging at ``evse_id`` for the customer ``user`` names (see
    ``remote.Gateway``) on behalf of ``partner``, his provider. Returns ``remote.Forwarded``.
    """
    connector = _connector_get(evse_id, partner)
    authorization = selectors.contract_authorize_remote(user, partner)
    if authorization.contract is None:
        raise errors.CustomerUnknown()
    if authorization.result != VerificationResult.ACCEPTED:
        raise CONTRACT_REFUSALS[authorization.result]()
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
    answer = remote.gateway().session_start(
        session.cpo,
        user=user,
        evse_id=connector.evse_id,
        payment_reference=payment_reference,
        correlation_id=correlation_id,
    )
    _record_answer(session, answer)
    if answer.accepted:
        session.state = ChargingSession.State.STARTED
        session.started_at = timezone.now()
        session.cpo_session_id = answer.session_id[:255]
        if answer.is_stoppable is not None:
            session.is_stoppable = answer.is_stoppable
    else:
        session.state = ChargingSession.State.FAILED
    session.save()
    return remote.Forwarded(session, answer)


def session_stop(*, partner, user, evse_id, session_id=None, correlation_id=""):
    """Ask the CPO to stop the session ``partner`` started (``session_id``, or its running one)."""
    connector = _connector_get(evse_id, partner)
    session = selectors.session_get_for_stop(partner, connector, session_id)
    if session is None or session.state != ChargingSession.State.STARTED:
        raise errors.SessionNotFound()
    if session.is_stoppable is False:
        raise errors.RemoteStopUnsupported()
    answer = remote.gateway().session_stop(
        session.cpo,
        user=user,
        evse_id=session.connector.evse_id,
        session_id=session.cpo_session_id,
        correlation_id=correlation_id,
    )
    _record_answer(session, answer)
    if answer.accepted:
        session.state = ChargingSession.State.STOPPED
        session.stopped_at = timezone.now()
    session.save()
    return remote.Forwarded(session, answer)


def connector_reservation_refresh(connector_id):
    """
    Write onto the connector the reservation holding it (the active one ending last), which
    station reads show, or none: after every reservation that starts or stops. One statement
    reading the committed reservations, so concurrent starts and stops leave the last word
    to the last one.
    """
    holding = selectors.reservations_active().filter(connector_id=connector_id).order_by("-end_at")
    Connector.objects.filter(pk=connector_id).update(
        reserved_until=Subquery(holding.values("end_at")[:1]),
        reserved_by_id=Subquery(holding.values("requested_by_id")[:1]),
    )


def reservation_start(*, partner, evse_id, reservation_identifiers, correlation_id=""):
    """
    Ask the CPO to hold ``evse_id`` for the customers of ``reservation_identifiers``
    (``evco_id``, maybe ``rfid`` each), whose contracts ``partner`` provides.
    """
    connector = _connector_get(evse_id, partner)
    if not connector.station.is_reservable:
        raise errors.EvseNotReservable()
    contracts = []
    for item in reservation_identifiers:
        try:
            identifiers.normalize_evco_id(item["evco_id"])
        except ValidationError:
            raise errors.EvcoIdInvalid(f"EVCO id {item['evco_id']} is not valid.") from None
        authorization = selectors.contract_authorize_remote(
            {"identifier_type": "evco-id", "identifier": item["evco_id"]}, partner
        )
        if authorization.contract is None:
            raise errors.ContractInactive(f"EVCO id {item['evco_id']} not found.")
        contracts.append(authorization.contract)
    active = selectors.reservations_active()
    if active.filter(contracts__in=contracts).exists():
        raise errors.ContractAlreadyReserved()
    if active.filter(connector__evse_id_normalized=connector.evse_id_normalized).exists():
        raise errors.EvseAlreadyReserved()
    reservation = Reservation.objects.create(
        requested_by=partner,
        cpo=connector.station.owner,
        connector=connector,
        evse_id=evse_id,
        # Stored in the shape the rows have always held.
        identifiers=[
            {"evco-id": item["evco_id"], **({"rfid": item["rfid"]} if item.get("rfid") else {})}
            for item in reservation_identifiers
        ],
        correlation_id=correlation_id,
    )
    reservation.contracts.set(contracts)
    answer = remote.gateway().reservation_start(
        reservation.cpo,
        evse_id=connector.evse_id,
        identifiers=reservation_identifiers,
        correlation_id=correlation_id,
    )
    _record_answer(reservation, answer)
    if answer.accepted:
        end = answer.end
        if end is None or end.tzinfo is None:
            end = timezone.now() + timedelta(minutes=settings.RESERVATION_DEFAULT_MINUTES)
        reservation.state = Reservation.State.ACTIVE
        reservation.end_at = end
    else:
        reservation.state = Reservation.State.FAILED
    reservation.save()
    if answer.accepted:
        connector_reservation_refresh(connector.pk)
    return remote.Forwarded(reservation, answer)


def reservation_stop(*, partner, identifier_type, identifier, correlation_id=""):
    """Ask the CPO to end the active reservation ``partner`` holds for an EVCO id or UID."""
    reservation = selectors.reservation_get_for_stop(partner, identifier_type, identifier)
    if reservation is None:
        raise errors.ReservationNotFound()
    answer = remote.gateway().reservation_stop(
        reservation.cpo,
        identifier_type=identifier_type,
        identifier=identifier,
        correlation_id=correlation_id,
    )
    _record_answer(reservation, answer)
    if answer.accepted:
        reservation.state = Reservation.State.STOPPED
        reservation.stopped_at = timezone.now()
    reservation.save()
    if answer.accepted:
        connector_reservation_refresh(reservation.connector_id)
    return remote.Forwarded(reservation, answer)
