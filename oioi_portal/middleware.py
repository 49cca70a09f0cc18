import logging
import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, connection, transaction

from core import sql
from core.requests import (
    CLIENT_ERRORS,
    CORRELATION_ID_HEADER,
    REQUEST_ID_HEADER,
    client_address,
    client_error,
    correlation_id_from,
    new_request_id,
)
from oioi_portal.views import API_PREFIX, api_error
from partners.models import AuditLogEntry

logger = logging.getLogger("oioi_portal.audit")
refused_logger = logging.getLogger("oioi_portal.api")

AUDITED_PREFIXES = {
    "/api/v4/": AuditLogEntry.Interface.OIOI,
    "/api/v1/": AuditLogEntry.Interface.REST,
}
# Every API request writes one: a plain INSERT (see core.sql) of the row that
# save(force_insert=True) writes, where the ORM would build the same statement each time.
_AUDIT_FIELDS = [field for field in sql.concrete_fields(AuditLogEntry) if not field.primary_key]
_INSERT_AUDIT_ENTRY = (
    f"INSERT INTO {sql.table(AuditLogEntry)} "  # noqa: S608
    f"({', '.join(sql.quote(field.column) for field in _AUDIT_FIELDS)}) "
    f"VALUES ({', '.join(['%s'] * len(_AUDIT_FIELDS))})"
)


def _audit_entry_insert(entry):
    params = [
        field.get_db_prep_save(field.pre_save(entry, add=True), connection)
        for field in _AUDIT_FIELDS
    ]
    # As save() does: inside a transaction, a failed insert marks it for rollback.
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(_INSERT_AUDIT_ENTRY, params)


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
            _audit_entry_insert(entry)
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
