"""Reads for remote start/stop and reservations: the EVSE, the customer, running sessions."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import ChargingKey, Contract, VerificationResult
from core import identifiers
from sessions_app.models import ChargingSession, Reservation
from stations.models import Connector, Station


def connector_get_for_caller(evse_id, partner):
    """
    The connector named by ``evse_id`` that ``partner`` may use, with its station and CPO, or
    None: deleted, hidden and other partners' private stations are as unknown to it.
    """
    return (
        Connector.objects.select_related("station__owner")
        .filter(
            evse_id_normalized=identifiers.normalize_evse_id(evse_id),
            station__in=Station.objects.visible_to(partner),
        )
        .order_by("id")
        .first()
    )


@dataclass(frozen=True)
class RemoteAuthorization:
    """
    Whether a partner may act for a customer: ``contract`` is None when it provides none for
    him (or it is unknown); else ``result`` says whether the contract may charge.
    """

    result: VerificationResult | None = None
    contract: Contract | None = None


def _contract_state(contract):
    """Blocked if its keys are, unknown if all are deactivated, then its payment method."""
    states = {key.state for key in contract.charging_keys.all()}
    if states and ChargingKey.State.ACTIVE not in states:
        if ChargingKey.State.BLOCKED in states:
            return VerificationResult.BLOCKED
        return VerificationResult.UNKNOWN
    if not contract.customer.has_valid_payment_method:
        return VerificationResult.NO_PAYMENT_METHOD
    return VerificationResult.ACCEPTED


def contract_authorize_remote(user, partner):
    """
    May ``partner`` act remotely for the customer named by ``user`` (``identifier_type``,
    ``identifier``)? A partner acts only for the contracts it provides; any other contract is
    answered exactly like an unknown one, so that whose contract it is stays undisclosed.
    """
    kind, value = user.get("identifier_type"), user.get("identifier", "")
    unknown = RemoteAuthorization()
    contracts = Contract.objects.select_related("customer").prefetch_related("charging_keys")
    try:
        if kind == "evco-id":
            contract = contracts.filter(
                evco_id_normalized=identifiers.normalize_evco_id(value), provider=partner
            ).first()
        elif kind == "rfid":
            key = (
                ChargingKey.objects.select_related("contract__customer")
                .filter(uid=identifiers.normalize_uid(value), contract__provider=partner)
                .first()
            )
            if key is not None and key.state != ChargingKey.State.ACTIVE:
                result = (
                    VerificationResult.BLOCKED
                    if key.state == ChargingKey.State.BLOCKED
                    else VerificationResult.UNKNOWN
                )
                return RemoteAuthorization(result, key.contract)
            contract = key and contracts.get(pk=key.contract_id)
        else:
            return unknown
    except ValidationError:
        return unknown
    if contract is None:
        return unknown
    return RemoteAuthorization(_contract_state(contract), contract)


def session_get_for_stop(partner, connector, cpo_session_id=None):
    """The caller's session to stop: the one it names, else its running one on that EVSE."""
    sessions = ChargingSession.objects.select_related("cpo", "connector").filter(
        requested_by=partner,
        connector__evse_id_normalized=connector.evse_id_normalized,
    )
    if cpo_session_id:
        return sessions.filter(cpo_session_id=cpo_session_id).first()
    return sessions.filter(state=ChargingSession.State.STARTED).order_by("-started_at").first()


def reservations_active(now=None):
    now = now or timezone.now()
    return Reservation.objects.filter(state=Reservation.State.ACTIVE, end_at__gt=now)


def reservation_get_for_stop(partner, identifier_type, identifier):
    """The caller's active reservation held for this EVCO id or UID, or None."""
    reservations = reservations_active().filter(requested_by=partner).select_related("cpo")
    try:
        if identifier_type == "evco-id":
            normalized = identifiers.normalize_evco_id(identifier)
            return (
                reservations.filter(contracts__evco_id_normalized=normalized)
                .order_by("-created_at")
                .first()
            )
        uid = identifiers.normalize_uid(identifier)
    except ValidationError:
        return None
    # A partner holds few active reservations: match the UIDs it sent among them.
    for reservation in reservations.order_by("-created_at"):
        uids = {str(item.get("rfid", "")).upper() for item in reservation.identifiers}
        if uid in uids:
            return reservation
    return None
