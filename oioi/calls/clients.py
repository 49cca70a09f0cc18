"""The OIOI calls of the client exchange: rfid-verify (CPOs ask) and rfid-post (EMPs push)."""

from rest_framework import serializers

from clients import services
from clients.models import VerificationResult
from oioi.registry import Outcome, register
from oioi.results import ResultCode
from oioi.serializers import OIOISerializer, PartnerIdentifierField, UidField

# rfid-verify's answer to each verification result, worded as docs/oioi.md has it.
VERIFY_ANSWERS = {
    VerificationResult.ACCEPTED: (ResultCode.SUCCESS, ""),
    VerificationResult.UNKNOWN: (ResultCode.EVCO_ID_NOT_FOUND, "EVCO ID not found."),
    VerificationResult.BLOCKED: (ResultCode.EVCO_ID_LOCKED, "EVCO ID locked."),
    VerificationResult.NO_PAYMENT_METHOD: (
        ResultCode.EVCO_ID_NO_PAYMENT_METHOD,
        "EVCO ID has no valid payment method.",
    ),
    # A forward's outcome, hence HTTP 200 unlike our own 102 (docs/oioi.md).
    VerificationResult.PROVIDER_UNAVAILABLE: (
        ResultCode.SYSTEM_TIMEOUT,
        "System timeout: the customer's provider gave no answer.",
    ),
}


class RfidVerifySerializer(OIOISerializer):
    rfid = UidField()


class RfidPostSerializer(OIOISerializer):
    rfids = serializers.ListField(child=UidField())
    partner_identifier = PartnerIdentifierField()


@register("rfid-verify", serializer=RfidVerifySerializer, roles=("cpo",), atomic=False)
def rfid_verify(call):
    uid = call.data["rfid"]
    verification = services.charging_key_authorize(
        partner=call.partner, uid=uid, request_id=call.request_id
    )
    code, message = VERIFY_ANSWERS[verification.result]
    return Outcome(code=code, message=message, members={"evco-id": verification.evco_id})


# EMPs only, as docs/oioi.md has it: OEMs send no rfid-post (their contracts verify without one).
@register("rfid-post", serializer=RfidPostSerializer, roles=("emp",), partner_identifier=True)
def rfid_post(call):
    push = services.whitelist_replace(call.partner_identifier, call.data["rfids"])
    # Another provider's key is not refused with 230: one collision would then hold back the
    # whole list, the removal of lost cards included. It is left off the list and named.
    message = ""
    if push.ignored:
        message = (
            f"Success. {len(push.ignored)} UID(s) left off the list: charging keys of another "
            "provider, answered by its rules alone (rfid.ignored)."
        )
    return Outcome(
        message=message,
        members={"rfid": {"processed": push.added, "ignored": list(push.ignored)}},
    )
