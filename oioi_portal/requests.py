"""Facts about an incoming HTTP request shared by the middleware, authentication and views."""

import re
import uuid

from django.conf import settings

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
