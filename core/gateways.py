"""
Where a domain asks a partner's system something and waits for the answer (start a session at a
CPO, verify a UID with its provider), it goes through a gateway that a protocol app registers when
it is ready: the domain names what it asks, never how it is sent.
"""


class GatewaySlot:
    """The one gateway through which a domain reaches ``whom`` (e.g. "the CPOs")."""

    def __init__(self, whom):
        self.whom = whom
        self._gateway = None

    def register(self, gateway):
        """Make ``gateway`` the one that reaches them (a protocol app does, once, in ready())."""
        self._gateway = gateway

    def get(self):
        if self._gateway is None:
            raise RuntimeError(f"No protocol registered a gateway to {self.whom}.")
        return self._gateway
