from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from oioi_portal.oioi.results import ResultCode

API_PREFIX = "/api/"
OIOI_PREFIX = "/api/v4/"

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


def api_error(request, http_status, message):
    """
    An error answer under /api/ in its interface's envelope: OIOI's ``result`` (230 for a client
    error, 100 for ours) under /api/v4/, the REST API's ``detail`` elsewhere.
    """
    if not request.path.startswith(OIOI_PREFIX):
        return JsonResponse({"detail": message}, status=http_status)
    code = ResultCode.INVALID_REQUEST_FORMAT if http_status < 500 else ResultCode.SYSTEM_ERROR
    audit = getattr(request, "audit", None)
    if audit is not None:
        audit.update(result_code=int(code), message=message)
    return JsonResponse({"result": {"code": int(code), "message": message}}, status=http_status)


@never_cache
@require_GET
def healthz(request):
    """200 when the app and its database answer, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# API clients get JSON in their interface's envelope for every error; people get Django's pages.


def bad_request(request, exception):
    if request.path.startswith(API_PREFIX):
        return api_error(request, *client_error(exception))
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        return api_error(request, 404, "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return api_error(request, 500, "Server error.")
    return defaults.server_error(request)
