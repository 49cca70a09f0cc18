"""
The gateway to the CPOs: how the domain asks the CPO running an EVSE to start or stop a session
or a reservation, and what it gets back. The domain speaks no protocol: a protocol app registers
the one gateway that reaches CPOs (``gateway_register`` in its ``AppConfig.ready``), and every
ask waits for the CPO's answer, so no transaction should be held open around it.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.gateways import GatewaySlot


class Answer(enum.Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class RemoteAnswer:
    """
    What the CPO answered. The domain decides on ``answer`` alone; ``code`` and ``message`` are
    how the protocol worded the answer (the CPO's own, or the protocol's for a timeout or an
    unreachable CPO), recorded as they are; ``reply`` is the CPO's answer for the protocol to
    relay. ``session_id``, ``is_stoppable`` and ``end`` are what the CPO told of what it started.
    """

    answer: Answer
    code: int
    message: str = ""
    reply: Mapping[str, Any] = field(default_factory=dict)
    session_id: str = ""
    is_stoppable: bool | None = None
    end: datetime | None = None

    @property
    def accepted(self):
        return self.answer == Answer.ACCEPTED


@dataclass(frozen=True)
class Forwarded:
    """A request recorded (its ChargingSession or Reservation) and the CPO's answer to it."""

    record: Any
    answer: RemoteAnswer


class Gateway(Protocol):
    """
    The asks, each to ``cpo`` (a Partner) about an EVSE id as the CPO knows it. ``user`` is
    the customer as the caller named it: ``identifier_type``, ``identifier``, maybe ``token``;
    ``identifiers`` the reservation's customers: ``evco_id``, maybe ``rfid``.
    """

    def session_start(
        self, cpo, *, user, evse_id, payment_reference, correlation_id
    ) -> RemoteAnswer: ...

    def session_stop(self, cpo, *, user, evse_id, session_id, correlation_id) -> RemoteAnswer: ...

    def reservation_start(self, cpo, *, evse_id, identifiers, correlation_id) -> RemoteAnswer: ...

    def reservation_stop(
        self, cpo, *, identifier_type, identifier, correlation_id
    ) -> RemoteAnswer: ...


_slot = GatewaySlot("the CPOs")
# Filled by a protocol app in its ready(); asked by this app's services.
gateway_register = _slot.register
gateway = _slot.get
