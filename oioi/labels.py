"""The words the portal and the admin show for OIOI result codes, in the page's language."""

from django.utils.translation import gettext_lazy as _

from oioi.results import ResultCode

# The result codes a remote start or stop is answered with (OIOI.md, "Result codes").
RESULT_CODE_LABELS = {
    ResultCode.SUCCESS: _("success"),
    ResultCode.SESSION_STARTED: _("session started"),
    ResultCode.SESSION_AUTHORIZED: _("session authorized"),
    ResultCode.SYSTEM_ERROR: _("system error"),
    ResultCode.DATABASE_ERROR: _("database error"),
    ResultCode.SYSTEM_TIMEOUT: _("system timeout"),
    ResultCode.AUTHENTICATION_FAILED: _("authentication failed"),
    ResultCode.INVALID_CREDENTIALS: _("invalid e-mail or password"),
    ResultCode.EMAIL_EXISTS: _("e-mail already exists"),
    ResultCode.EMAIL_NOT_FOUND: _("e-mail does not exist"),
    ResultCode.USER_TOKEN_INVALID: _("user token not valid"),
    ResultCode.ENTITY_NOT_FOUND: _("not found"),
    ResultCode.EVSE_NOT_FOUND: _("EVSE not found"),
    ResultCode.SESSION_NOT_FOUND: _("session not found"),
    ResultCode.COMPANY_NOT_FOUND: _("company not found"),
    ResultCode.EVSE_NO_REMOTE_STOP: _("the EVSE cannot be stopped remotely"),
    ResultCode.RESERVATION_NOT_FOUND: _("reservation not found"),
    ResultCode.EVCO_ID_ERROR: _("EVCO id error"),
    ResultCode.EVCO_ID_NOT_FOUND: _("EVCO id not found"),
    ResultCode.EVCO_ID_LOCKED: _("EVCO id locked"),
    ResultCode.EVCO_ID_NO_PAYMENT_METHOD: _("no payment method for the EVCO id"),
    ResultCode.EVCO_ID_OTHER_RESERVATION: _("the EVCO id holds another reservation"),
    ResultCode.CLIENT_REQUEST_ERROR: _("request error"),
    ResultCode.INVALID_API_KEY: _("invalid API key"),
    ResultCode.INVALID_PARTNER_IDENTIFIER: _("invalid partner identifier"),
    ResultCode.NOT_ALLOWED: _("not allowed"),
    ResultCode.INVALID_REQUEST_FORMAT: _("invalid request format"),
    ResultCode.OPERATOR_SYSTEM_ERROR: _("the operator's system failed"),
    ResultCode.OPERATOR_SYSTEM_TIMEOUT: _("the operator's system timed out"),
    ResultCode.EVSE_ERROR: _("EVSE error"),
    ResultCode.EVSE_TIMEOUT: _("the EVSE timed out"),
    ResultCode.EVSE_IN_USE: _("EVSE in use"),
    ResultCode.NO_EV_CONNECTED: _("no vehicle connected"),
    ResultCode.EVSE_ID_COORDINATES_CONFLICT: _("EVSE id and coordinates conflict"),
    ResultCode.EVSE_ALREADY_RESERVED: _("EVSE already reserved"),
    ResultCode.EVSE_NOT_RESERVABLE: _("EVSE not reservable"),
}
