"""
The one table from the domain's refusals (``core.errors``) to OIOI result codes and HTTP
statuses. A class not in the table answers as its nearest base that is.
"""

from app_users import errors as app_users
from core import errors
from oioi.results import InvalidRequest, OIOIError, ResultCode
from sessions_app import errors as sessions
from stations import errors as stations

# Business outcomes are HTTP 200; a malformed or forbidden request is not.
CODES = {
    errors.DomainError: (ResultCode.CLIENT_REQUEST_ERROR, 200),
    errors.InvalidValue: (ResultCode.INVALID_REQUEST_FORMAT, 400),
    errors.NotFound: (ResultCode.ENTITY_NOT_FOUND, 200),
    errors.NotAllowed: (ResultCode.NOT_ALLOWED, 403),
    errors.Conflict: (ResultCode.CLIENT_REQUEST_ERROR, 200),
    stations.EvseNotFound: (ResultCode.EVSE_NOT_FOUND, 200),
    # station-get-usage answers the docs' "EVSE not found" for a station.
    stations.StationNotFound: (ResultCode.EVSE_NOT_FOUND, 200),
    stations.CompanyNotFound: (ResultCode.COMPANY_NOT_FOUND, 200),
    sessions.CustomerUnknown: (ResultCode.AUTHENTICATION_FAILED, 200),
    sessions.ContractInactive: (ResultCode.EVCO_ID_NOT_FOUND, 200),
    sessions.ContractBlocked: (ResultCode.EVCO_ID_LOCKED, 200),
    sessions.ContractWithoutPaymentMethod: (ResultCode.EVCO_ID_NO_PAYMENT_METHOD, 200),
    sessions.EvcoIdInvalid: (ResultCode.EVCO_ID_ERROR, 200),
    sessions.SessionNotFound: (ResultCode.SESSION_NOT_FOUND, 200),
    sessions.RemoteStopUnsupported: (ResultCode.EVSE_NO_REMOTE_STOP, 200),
    sessions.EvseNotReservable: (ResultCode.EVSE_NOT_RESERVABLE, 200),
    sessions.ContractAlreadyReserved: (ResultCode.EVCO_ID_OTHER_RESERVATION, 200),
    sessions.EvseAlreadyReserved: (ResultCode.EVSE_ALREADY_RESERVED, 200),
    sessions.ReservationNotFound: (ResultCode.RESERVATION_NOT_FOUND, 200),
    stations.EvseIdCoordinatesConflict: (ResultCode.EVSE_ID_COORDINATES_CONFLICT, 200),
    app_users.AuthenticationFailed: (ResultCode.AUTHENTICATION_FAILED, 200),
    app_users.InvalidCredentials: (ResultCode.INVALID_CREDENTIALS, 200),
    app_users.UserTaken: (ResultCode.EMAIL_EXISTS, 200),
    app_users.UserNotFound: (ResultCode.EMAIL_NOT_FOUND, 200),
    app_users.TokenInvalid: (ResultCode.USER_TOKEN_INVALID, 200),
    app_users.ChargingKeyTaken: (ResultCode.EVCO_ID_ERROR, 200),
    app_users.ChargingKeyNotFound: (ResultCode.EVCO_ID_NOT_FOUND, 200),
    app_users.ChargingKeyLocked: (ResultCode.EVCO_ID_LOCKED, 200),
}


def code_for(error_class):
    """(result code, HTTP status) answering a refusal of ``error_class``."""
    for cls in error_class.__mro__:
        if cls in CODES:
            return CODES[cls]
    raise LookupError(f"{error_class.__name__} is no domain error.")


def oioi_error(error):
    """The OIOIError answering the domain's refusal ``error``."""
    code, http_status = code_for(type(error))
    if code == ResultCode.INVALID_REQUEST_FORMAT:
        return InvalidRequest(error.message, field=error.field, http_status=http_status)
    return OIOIError(code, error.message, http_status=http_status)
