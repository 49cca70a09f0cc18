import logging
import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError

from oioi_portal.models import AuditLogEntry
from oioi_portal.prepared import PreparedInsert
from oioi_portal.requests import (
    CORRELATION_ID_HEADER,
    REQUEST_ID_HEADER,
    client_address,
    correlation_id_from,
    new_request_id,
)
from oioi_portal.views import API_PREFIX, CLIENT_ERRORS, api_error, client_error

logger = logging.getLogger("oioi_portal.audit")
refused_logger = logging.getLogger("oioi_portal.api")

AUDITED_PREFIXES = {
    "/api/v4/": AuditLogEntry.Interface.OIOI,
    "/api/v1/": AuditLogEntry.Interface.REST,
}
# Every API request writes one; the ORM would build the same INSERT each time (0.1 ms).
_insert_audit_entry = PreparedInsert(AuditLogEntry)


def storable(text, length):
    """
    ``text`` as a text column takes it: PostgreSQL refuses NUL characters, and no database
    takes a lone UTF-16 surrogate; clients send both.
    """
    text = (text or "").replace("\x00", "\ufffd")[:length]
    return text.encode("utf-8", "replace").decode()


class RequestAuditMiddleware:
    """
    Gives every request a request id (returned as ``X-Request-ID``) and a correlation id, and
    records every API request in the audit log once the response is known. Views add what
    only they know (call name, result code) to ``request.audit``; the key is known from
    ``request.api_key``, and only its prefix is written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request.request_id = new_request_id()
        request.correlation_id = correlation_id_from(request, default=request.request_id)
        request.audit = {}
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        response[CORRELATION_ID_HEADER] = request.correlation_id
        interface = next(
            (
                iface
                for prefix, iface in AUDITED_PREFIXES.items()
                if request.path.startswith(prefix)
            ),
            None,
        )
        if interface is not None:
            self.record(request, response, interface, started)
        return response

    def record(self, request, response, interface, started):
        api_key = getattr(request, "api_key", None)
        call = request.audit.get("call")
        if not call and interface == AuditLogEntry.Interface.REST:
            match = request.resolver_match
            call = match.view_name if match else ""
        entry = AuditLogEntry(
            request_id=request.request_id,
            correlation_id=request.correlation_id,
            interface=interface,
            partner_id=api_key.partner_id if api_key else None,
            key_prefix=api_key.prefix if api_key else "",
            call=storable(call, 100),
            method=storable(request.method, 10),
            path=storable(request.path, 500),
            http_status=response.status_code,
            result_code=request.audit.get("result_code"),
            message=storable(request.audit.get("message"), 500),
            duration_ms=round((time.monotonic() - started) * 1000),
            client_address=client_address(request),
        )
        try:
            _insert_audit_entry.insert(entry)
        except DatabaseError:
            # The database being down must not turn an answer into a crash; the log line keeps
            # the request traceable until it is back.
            logger.warning(
                "audit entry not stored: request_id=%s call=%s status=%s key_prefix=%s",
                entry.request_id,
                entry.call,
                entry.http_status,
                entry.key_prefix,
            )


class ContentSecurityPolicyMiddleware:
    """Sends ``CONTENT_SECURITY_POLICY`` on the pages under ``CONTENT_SECURITY_POLICY_PATHS``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and request.path.startswith(settings.CONTENT_SECURITY_POLICY_PATHS):
            response.setdefault("Content-Security-Policy", policy)
        return response


class ApiClientErrorMiddleware:
    """
    Answers a request under /api/ that Django refuses as the client's error (CLIENT_ERRORS: a
    Host header outside ALLOWED_HOSTS, too many query parameters or form fields, a body too
    large, text that is no Unicode) in the interface's JSON envelope, as a 4xx and one log line,
    where Django would answer an HTML page and log a traceback. Sits outside the middleware that
    asks for the host first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            try:
                request.get_host()
            except DisallowedHost as exc:
                return self.refuse(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith(API_PREFIX) and isinstance(exception, CLIENT_ERRORS):
            return self.refuse(request, exception)
        return None

    def refuse(self, request, exc):
        http_status, message = client_error(exc)
        refused_logger.warning(
            "refused %s: %s request_id=%s", request.path, type(exc).__name__, request.request_id
        )
        return api_error(request, http_status, message)
