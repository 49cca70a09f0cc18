"""The refusals of app user management; oioi.errors maps each to its result code."""

from core import errors


class AuthenticationFailed(errors.DomainError):
    """The user is blocked (by staff, or after too many failed sign-ins), or the identifier and
    the token name different users."""

    default_message = "Authentication failed."


class InvalidCredentials(AuthenticationFailed):
    default_message = "Invalid username, e-mail or password."


class TokenInvalid(AuthenticationFailed):
    """The token is missing, wrong, dead (logged out, idle, password changed) or another
    OEM's."""

    default_message = "User token not valid."


class UserNotFound(errors.NotFound):
    default_message = "No user of yours has that username or e-mail."


class UserTaken(errors.Conflict):
    default_message = "Username or e-mail already taken."


class ChargingKeyTaken(errors.Conflict):
    """The UID is already someone's charging key or on a whitelist; or the EVCO id is not the
    user's."""

    default_message = "EVCO id error."


class ChargingKeyNotFound(errors.NotFound):
    default_message = "EVCO ID not found."


class ChargingKeyLocked(errors.Conflict):
    """Blocked by staff (or created blocked): the app cannot unblock it."""

    default_message = "EVCO ID locked."
