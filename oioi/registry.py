"""
The registry of OIOI calls we receive. Each module of ``oioi.calls`` declares the calls of one
domain with :func:`register`; the endpoint dispatches by call name and knows nothing else of them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from oioi.results import ResultCode, default_message
from partners.models import Role


@dataclass(frozen=True)
class Outcome:
    """What a call answers: a result code and message, and the call's own members beside them."""

    code: int = ResultCode.SUCCESS
    message: str = ""
    members: Mapping[str, Any] = field(default_factory=dict)

    def body(self):
        message = self.message or default_message(self.code) or f"Result {int(self.code)}."
        return {**self.members, "result": {"code": int(self.code), "message": message}}


@dataclass(frozen=True)
class CallRequest:
    """A validated call as its handler receives it."""

    call: "Call"
    partner: Any
    api_key: Any
    data: dict
    partner_identifier: Any
    request_id: str
    correlation_id: str


@dataclass(frozen=True)
class Call:
    name: str
    handler: Callable[[CallRequest], Outcome]
    serializer_class: type
    # Roles that may use the call; empty means every role.
    roles: frozenset
    # The payload names a `partner-identifier` that the key must be allowed to act for (211).
    partner_identifier: bool
    # Run the handler in one transaction, so a refusal or a failure leaves nothing behind.
    atomic: bool

    def allows(self, partner):
        return not self.roles or bool(self.roles & partner.roles)


class CallRegistry:
    def __init__(self):
        self._calls = {}

    def register(self, name, *, serializer, roles=(), partner_identifier=False, atomic=True):
        """Decorator declaring the handler of call ``name``."""

        def decorator(handler):
            if name in self._calls:
                raise ValueError(f"OIOI call {name!r} is registered twice.")
            self._calls[name] = Call(
                name=name,
                handler=handler,
                serializer_class=serializer,
                roles=frozenset(Role(role) for role in roles),
                partner_identifier=partner_identifier,
                atomic=atomic,
            )
            return handler

        return decorator

    def unregister(self, name):
        self._calls.pop(name, None)

    def get(self, name):
        return self._calls.get(name)

    def names(self):
        return sorted(self._calls)


registry = CallRegistry()
register = registry.register
