"""OIOI result codes (docs/oioi.md, "Result codes") and the exception that answers with one."""

from enum import IntEnum


class ResultCode(IntEnum):
    SUCCESS = 0
    SESSION_STARTED = 11
    SESSION_AUTHORIZED = 12
    SYSTEM_ERROR = 100
    DATABASE_ERROR = 101
    SYSTEM_TIMEOUT = 102
    AUTHENTICATION_FAILED = 140
    INVALID_CREDENTIALS = 141
    EMAIL_EXISTS = 143
    EMAIL_NOT_FOUND = 144
    USER_TOKEN_INVALID = 145
    ENTITY_NOT_FOUND = 180
    EVSE_NOT_FOUND = 181
    SESSION_NOT_FOUND = 182
    COMPANY_NOT_FOUND = 183
    EVSE_NO_REMOTE_STOP = 188
    RESERVATION_NOT_FOUND = 189
    EVCO_ID_ERROR = 190
    EVCO_ID_NOT_FOUND = 191
    EVCO_ID_LOCKED = 192
    EVCO_ID_NO_PAYMENT_METHOD = 193
    EVCO_ID_OTHER_RESERVATION = 194
    CLIENT_REQUEST_ERROR = 200
    INVALID_API_KEY = 210
    INVALID_PARTNER_IDENTIFIER = 211
    NOT_ALLOWED = 220
    INVALID_REQUEST_FORMAT = 230
    OPERATOR_SYSTEM_ERROR = 300
    OPERATOR_SYSTEM_TIMEOUT = 302
    EVSE_ERROR = 310
    EVSE_TIMEOUT = 312
    EVSE_IN_USE = 320
    NO_EV_CONNECTED = 321
    EVSE_ID_COORDINATES_CONFLICT = 322
    EVSE_ALREADY_RESERVED = 323
    EVSE_NOT_RESERVABLE = 330


def is_success(code):
    """Whether a result code reports success: OIOI's successes are the codes below 100 (0, and
    the session calls' 11 and 12); 100 and above are errors."""
    return code < ResultCode.SYSTEM_ERROR


DEFAULT_MESSAGES = {
    ResultCode.SUCCESS: "Success.",
    ResultCode.SYSTEM_ERROR: "System error.",
    ResultCode.DATABASE_ERROR: "Database error.",
    ResultCode.SYSTEM_TIMEOUT: "System timeout.",
    ResultCode.INVALID_API_KEY: "Invalid API key.",
    ResultCode.INVALID_PARTNER_IDENTIFIER: "Invalid partner identifier.",
    ResultCode.NOT_ALLOWED: "API key not allowed to access the requested resource.",
    ResultCode.INVALID_REQUEST_FORMAT: "Invalid request format.",
}


def default_message(code):
    return DEFAULT_MESSAGES.get(code, "")


class OIOIError(Exception):
    """
    Ends a call with ``code``. Raised inside a call's transaction it rolls the call back, so
    a refused request changes nothing. Business outcomes (181, 211, ...) are HTTP 200.
    """

    def __init__(self, code, message=None, *, http_status=200, headers=None):
        self.code = int(code)
        self.message = message or default_message(code) or f"Result {self.code}."
        self.http_status = http_status
        self.headers = headers or {}
        super().__init__(self.message)


class InvalidRequest(OIOIError):
    """230 / HTTP 400, with the offending field named in the message."""

    def __init__(self, message, *, field=None, http_status=400):
        if field:
            message = f"Invalid field '{field}': {message}"
        super().__init__(ResultCode.INVALID_REQUEST_FORMAT, message, http_status=http_status)
        self.field = field


class NotAllowed(OIOIError):
    """220 / HTTP 403: the key's partner may not use this call or touch this object."""

    def __init__(self, message=None):
        super().__init__(ResultCode.NOT_ALLOWED, message, http_status=403)
