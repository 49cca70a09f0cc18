from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.requests import client_error
from oioi.results import ResultCode

API_PREFIX = "/api/"
OIOI_PREFIX = "/api/v4/"


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
