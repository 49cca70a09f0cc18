"""Facts about an incoming HTTP request shared by the middleware, authentication and views."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)

REQUEST_ID_HEADER = "X-Request-ID"
CORRELATION_ID_HEADER = "X-Correlation-ID"
_CORRELATION_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id():
    return uuid.uuid4().hex


def correlation_id_from(request, default):
    """The caller's correlation id if it is a sane token, else ``default``."""
    value = request.headers.get(CORRELATION_ID_HEADER, "")
    return value if _CORRELATION_ID_RE.match(value) else default


def client_address(request):
    """
    The client's address: REMOTE_ADDR, or with ``TRUSTED_PROXY_COUNT`` proxies in front, the
    address the outermost trusted proxy saw (X-Forwarded-For entries before it are forgeable).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return remote


# What the client sent wrong before any view could look at it (a Host header outside
# ALLOWED_HOSTS, too many fields, text that is no Unicode): a 4xx, never a server error.
CLIENT_ERRORS = (SuspiciousOperation, UnicodeError)


def client_error(exc):
    """(HTTP status, message) answering one of CLIENT_ERRORS."""
    if isinstance(exc, DisallowedHost):
        return 400, "The Host header names no host this server answers for."
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, f"More than {limit} query parameters or form fields."
    if isinstance(exc, TooManyFilesSent):
        return 400, f"More than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files."
    if isinstance(exc, RequestDataTooBig):
        return 413, f"Request body larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    if isinstance(exc, UnicodeError):
        return 400, "The request holds text that is not Unicode (e.g. a lone UTF-16 surrogate)."
    return 400, "Bad request."
