"""
The gateway through which the domain asks CPOs to start and stop sessions and reservations
(``sessions_app.remote``), over OIOI: each ask becomes the CPO's OIOI call of the same name,
and its answer a ``RemoteAnswer`` carrying the result code and message we relay.
"""

from dataclasses import replace

from django.conf import settings
from django.utils.dateparse import parse_datetime

from oioi.client import Failure, oioi_call
from oioi.results import ResultCode, is_success
from sessions_app.remote import Answer, RemoteAnswer


def wire_user(user):
    """The OIOI user object as we forward it (hyphenated, without what was not sent)."""
    wire = {"identifier-type": user["identifier_type"], "identifier": user["identifier"]}
    if user.get("token"):
        wire["token"] = user["token"]
    return wire


def forward(cpo, call, payload, correlation_id):
    """
    Send ``call`` to the CPO: its answer with the call's own member as ``reply``. A CPO too
    slow for the forwarding bound is 302; one unreachable or answering garbage, 300.
    """
    result = oioi_call(
        cpo,
        call,
        payload,
        correlation_id=correlation_id,
        deadline_seconds=settings.OIOI_FORWARD_TIMEOUT_SECONDS,
    )
    if result.failure == Failure.TIMEOUT:
        return RemoteAnswer(
            Answer.TIMEOUT,
            ResultCode.OPERATOR_SYSTEM_TIMEOUT,
            "The operator did not answer in time.",
        )
    if result.failure is not None:
        return RemoteAnswer(
            Answer.UNREACHABLE,
            ResultCode.OPERATOR_SYSTEM_ERROR,
            "The operator could not be reached.",
        )
    reply = result.body.get(call)
    return RemoteAnswer(
        Answer.ACCEPTED if is_success(result.result_code) else Answer.REFUSED,
        result.result_code,
        result.message,
        reply if isinstance(reply, dict) else {},
    )


class OioiGateway:
    """``sessions_app.remote.Gateway`` over OIOI."""

    def session_start(self, cpo, *, user, evse_id, payment_reference, correlation_id):
        payload = {"user": wire_user(user), "connector-id": evse_id}
        if payment_reference:
            payload["payment-reference"] = payment_reference
        answer = forward(cpo, "session-start", payload, correlation_id)
        if not answer.accepted:
            return answer
        is_stoppable = answer.reply.get("is-stoppable")
        return replace(
            answer,
            session_id=str(answer.reply.get("session-id") or ""),
            is_stoppable=is_stoppable if isinstance(is_stoppable, bool) else None,
        )

    def session_stop(self, cpo, *, user, evse_id, session_id, correlation_id):
        payload = {"user": wire_user(user), "connector-id": evse_id}
        if session_id:
            payload["session-id"] = session_id
        return forward(cpo, "session-stop", payload, correlation_id)

    def reservation_start(self, cpo, *, evse_id, identifiers, correlation_id):
        payload = {
            "connector-id": evse_id,
            "identifier": [
                {"evco-id": item["evco_id"], **({"rfid": item["rfid"]} if item.get("rfid") else {})}
                for item in identifiers
            ],
        }
        answer = forward(cpo, "reservation-start", payload, correlation_id)
        if not answer.accepted or "end" not in answer.reply:
            return answer
        return replace(answer, end=parse_datetime(str(answer.reply["end"])))

    def reservation_stop(self, cpo, *, identifier_type, identifier, correlation_id):
        payload = {"identifier-type": identifier_type, "identifier": identifier}
        return forward(cpo, "reservation-stop", payload, correlation_id)
