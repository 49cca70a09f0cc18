"""
The gateway to the providers that authorize online: how the domain asks an EMP or OEM whether
one of its UIDs may charge, and what it gets back. The domain speaks no protocol: a protocol app
registers the one gateway that reaches providers (``gateway_register`` in its
``AppConfig.ready``). An ask waits for the provider, at most the protocol's bound plus a second
whatever the provider does, so no transaction should be held open around it.
"""

import enum
from dataclasses import dataclass
from typing import Protocol

from clients.models import VerificationResult
from core.gateways import GatewaySlot


class Outcome(enum.Enum):
    ANSWERED = "answered"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    # An answer that is not one: not the protocol's success status, unreadable, the wrong shape.
    GARBAGE = "garbage"


@dataclass(frozen=True)
class ProviderAnswer:
    """
    What the provider answered. With ``ANSWERED``, ``code`` is its result code as the protocol
    words it (for the log) and ``result`` what it means, None for a code that decides nothing
    here; ``evco_id`` is the contract it named, unchecked.
    """

    outcome: Outcome
    code: int | None = None
    result: VerificationResult | None = None
    evco_id: str | None = None


class Gateway(Protocol):
    def verify(self, provider, *, uid, correlation_id) -> ProviderAnswer:
        """Ask ``provider`` (a Partner) whether the normalized ``uid`` may charge."""


_slot = GatewaySlot("the providers")
# Filled by a protocol app in its ready(); asked by this app's services.
gateway_register = _slot.register
gateway = _slot.get
