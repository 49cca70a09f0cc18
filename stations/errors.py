"""The stations' refusals (see ``core.errors``)."""

from core import errors


class EvseNotFound(errors.NotFound):
    default_message = "EVSE not found."
