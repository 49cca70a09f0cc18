"""Reads on charging keys and whitelists, shared by the OIOI calls, the REST API and the admin."""

from dataclasses import dataclass

from clients.models import ChargingKey, WhitelistEntry
from oioi_portal.oioi.results import ResultCode


@dataclass(frozen=True)
class Verification:
    """What rfid-verify answers for a UID, and the key it found (if any) for the log."""

    code: int
    evco_id: str | None = None
    charging_key_id: int | None = None


def whitelisting_partner_ids(uid):
    """The active partners with ``uid`` on an active whitelist (one indexed lookup)."""
    return set(
        WhitelistEntry.objects.filter(
            uid=uid,
            is_active=True,
            whitelist__partner_identifier__is_active=True,
            whitelist__partner_identifier__partner__is_active=True,
        ).values_list("whitelist__partner_identifier__partner_id", flat=True)
    )


def charging_key_verify(uid):
    """
    Decide rfid-verify for a normalized ``uid`` in at most two indexed queries.

    A key we hold answers its own refusals: blocked 192, inactive 191, customer without a
    valid payment method 193. The platform's own contracts, and those of providers that push
    no whitelists (an OEM may not send rfid-post), then answer 0. An EMP's contract answers 0
    only while that EMP whitelists the UID: the EMP answers for its customers, so a UID it
    dropped no longer charges on its account. Any other UID on an active whitelist answers 0
    with no EVCO id (we do not know that EMP's contract); the rest 191.
    """
    # Only the columns the answer needs: this is the call a driver waits on at the charger,
    # and building four whole model instances costs more than the indexed lookup itself.
    key = (
        ChargingKey.objects.filter(uid=uid)
        .values(
            "id",
            "state",
            "customer__has_valid_payment_method",
            "contract__evco_id",
            "contract__provider_id",
            "contract__provider__is_emp",
        )
        .first()
    )
    key_id = key and key["id"]
    if key is not None:
        if key["state"] == ChargingKey.State.BLOCKED:
            return Verification(ResultCode.EVCO_ID_LOCKED, charging_key_id=key_id)
        if key["state"] == ChargingKey.State.INACTIVE:
            return Verification(ResultCode.EVCO_ID_NOT_FOUND, charging_key_id=key_id)
        if not key["customer__has_valid_payment_method"]:
            return Verification(ResultCode.EVCO_ID_NO_PAYMENT_METHOD, charging_key_id=key_id)
        if not key["contract__provider__is_emp"]:
            return Verification(ResultCode.SUCCESS, key["contract__evco_id"], key_id)
    partner_ids = whitelisting_partner_ids(uid)
    if key is not None and key["contract__provider_id"] in partner_ids:
        return Verification(ResultCode.SUCCESS, key["contract__evco_id"], key_id)
    if partner_ids:
        return Verification(ResultCode.SUCCESS)
    return Verification(ResultCode.EVCO_ID_NOT_FOUND, charging_key_id=key_id)


def offline_whitelist_uids():
    """
    Every UID that rfid-verify would let charge, sorted: the active keys with a payment
    method of the platform's and OEMs' contracts, and the UIDs on partner EMPs' active
    whitelists (an EMP answers for its own customers). What offline CPOs receive.
    """
    own = ChargingKey.objects.filter(
        state=ChargingKey.State.ACTIVE, customer__has_valid_payment_method=True
    ).exclude(contract__provider__is_emp=True)
    whitelisted = WhitelistEntry.objects.filter(
        is_active=True,
        whitelist__partner_identifier__is_active=True,
        whitelist__partner_identifier__partner__is_active=True,
    )
    return sorted(
        set(own.values_list("uid", flat=True)) | set(whitelisted.values_list("uid", flat=True))
    )
