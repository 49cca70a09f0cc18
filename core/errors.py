"""
The domain's refusals: one exception hierarchy for every rule a request can break.

A service raises one of these inside the caller's transaction, which rolls back, so a refused
request changes nothing. The message is written for the partner; ``field`` names the value at
fault, as the caller sent it (``station.connectors[1].id``). Each protocol maps these classes to
its own codes in one table (``oioi.errors``); the domain never names a protocol's code.
Apps derive their specific refusals (``stations.errors.EvseNotFound``) from these bases.
"""


class DomainError(Exception):
    default_message = "The request was refused."

    def __init__(self, message=None, *, field=None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)


class InvalidValue(DomainError):
    """A value breaks a rule the request's format could not express."""

    default_message = "Invalid value."


class NotFound(DomainError):
    default_message = "Not found."


class NotAllowed(DomainError):
    """The partner may not act on this object (it is another partner's)."""

    default_message = "Not allowed."


class Conflict(DomainError):
    """The request contradicts what the platform holds."""

    default_message = "The request conflicts with the current state."
