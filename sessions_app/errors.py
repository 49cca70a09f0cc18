"""The refusals of remote start / stop and reservations (see ``core.errors``)."""

from core import errors


# The customer refusals carry no message of their own: a protocol words them by its code.
class CustomerUnknown(errors.NotFound):
    """The partner provides no contract for the customer it names (an unknown one is alike)."""

    default_message = ""


class ContractInactive(errors.NotFound):
    """The contract's charging keys are all deactivated, or its EVCO id names no contract."""

    default_message = ""


class ContractBlocked(errors.NotAllowed):
    default_message = ""


class ContractWithoutPaymentMethod(errors.NotAllowed):
    default_message = ""


class EvcoIdInvalid(errors.InvalidValue):
    default_message = "EVCO id is not valid."


class SessionNotFound(errors.NotFound):
    default_message = "Session not found."


class RemoteStopUnsupported(errors.NotAllowed):
    default_message = "This EVSE does not support remote stop."


class EvseNotReservable(errors.NotAllowed):
    default_message = "This EVSE does not support reservation."


class ContractAlreadyReserved(errors.Conflict):
    default_message = "Another reservation is active."


class EvseAlreadyReserved(errors.Conflict):
    default_message = "This EVSE is already reserved."


class ReservationNotFound(errors.NotFound):
    default_message = "Reservation not found."
