"""The stations' refusals (see ``core.errors``)."""

from core import errors


class EvseNotFound(errors.NotFound):
    default_message = "EVSE not found."


class EvseIdCoordinatesConflict(errors.Conflict):
    """A posted EVSE id belongs to another station at other coordinates."""

    default_message = "EVSE id belongs to another station at other coordinates."
