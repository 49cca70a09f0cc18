"""The stations' refusals (see ``core.errors``)."""

from core import errors


class EvseNotFound(errors.NotFound):
    default_message = "EVSE not found."


class StationNotFound(errors.NotFound):
    """Unknown, deleted, hidden, or another partner's private station: all alike to the caller."""

    default_message = "Station not found."


class CompanyNotFound(errors.NotFound):
    default_message = "Company not found."
