"""The stations' refusals (see ``core.errors``)."""

from core import errors


class EvseNotFound(errors.NotFound):
    default_message = "EVSE not found."


class StationNotFound(errors.NotFound):
    """Unknown, deleted, hidden, or another partner's private station: all alike to the caller."""

    default_message = "Station not found."


class CompanyNotFound(errors.NotFound):
    default_message = "Company not found."


class EvseIdCoordinatesConflict(errors.Conflict):
    """A posted EVSE id belongs to another station at other coordinates."""

    default_message = "EVSE id belongs to another station at other coordinates."
