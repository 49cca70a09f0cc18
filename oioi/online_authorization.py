"""
The gateway through which the domain asks providers that authorize online
(``clients.remote``), over OIOI: the CPO's rfid-verify, forwarded as
``{"rfid-verify": {"rfid": "<UID>"}}``, and the provider's answer as a ``ProviderAnswer``
(docs/oioi.md, "rfid-verify forwarded").
"""

from django.conf import settings

from clients.models import VerificationResult
from clients.remote import Outcome, ProviderAnswer
from oioi.client import Failure, oioi_call_bounded
from oioi.results import ResultCode

# The provider's codes that decide; any other is no usable answer.
PROVIDER_RESULTS = {
    ResultCode.SUCCESS: VerificationResult.ACCEPTED,
    ResultCode.EVCO_ID_NOT_FOUND: VerificationResult.UNKNOWN,
    ResultCode.EVCO_ID_LOCKED: VerificationResult.BLOCKED,
    ResultCode.EVCO_ID_NO_PAYMENT_METHOD: VerificationResult.NO_PAYMENT_METHOD,
}


def _evco_id(body):
    """The answer's `evco-id`, beside `result` as we answer it, or inside an `rfid-verify`."""
    nested = body.get("rfid-verify")
    for value in (body.get("evco-id"), nested.get("evco-id") if isinstance(nested, dict) else None):
        if isinstance(value, str):
            return value
    return None


class OioiVerifyGateway:
    """``clients.remote.Gateway`` over OIOI."""

    def verify(self, provider, *, uid, correlation_id):
        result = oioi_call_bounded(
            provider,
            "rfid-verify",
            {"rfid": uid},
            correlation_id=correlation_id,
            deadline_seconds=settings.OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS,
        )
        if result.failure == Failure.TIMEOUT:
            return ProviderAnswer(Outcome.TIMEOUT)
        if result.failure in (Failure.UNREACHABLE, Failure.NOT_CONFIGURED):
            return ProviderAnswer(Outcome.UNREACHABLE)
        # OIOI clients read an answer only on HTTP 200 (docs/oioi.md, "HTTP status").
        if result.failure is not None or result.http_status != 200:
            return ProviderAnswer(Outcome.GARBAGE)
        return ProviderAnswer(
            Outcome.ANSWERED,
            code=result.result_code,
            result=PROVIDER_RESULTS.get(result.result_code),
            evco_id=_evco_id(result.body),
        )
