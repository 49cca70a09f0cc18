"""The OIOI endpoint, `POST /api/v4/request`."""

import json
import logging
import re
from contextlib import nullcontext

from django.conf import settings
from django.db import DatabaseError, OperationalError, transaction
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.requests import CLIENT_ERRORS, client_error
from oioi.errors import oioi_error
from oioi.registry import CallRequest, Outcome, registry
from oioi.results import InvalidRequest, NotAllowed, OIOIError, ResultCode
from oioi.serializers import first_error
from oioi.unsupported import unsupported_message
from partners.api.permissions import IsPartner
from partners.authentication import ApiKeyAuthentication
from partners.ratelimit import ApiKeyRateThrottle
from partners.selectors import partner_identifier_get_for_key

logger = logging.getLogger("oioi")


class RequestTooLarge(OIOIError):
    def __init__(self):
        limit = settings.OIOI_MAX_REQUEST_BYTES
        super().__init__(
            ResultCode.INVALID_REQUEST_FORMAT,
            f"Request body larger than {limit} bytes.",
            http_status=413,
        )


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON number")


# No call nests deeper than a few levels; a deeper body is refused before any code walks it
# recursively (storing a raw payload as JSON, forwarding it) and runs out of stack.
MAX_JSON_DEPTH = 32
# A JSON escape (`"\\ud800"`) can carry a lone UTF-16 surrogate, which is no character; UTF-8
# cannot, so a body without such an escape holds none.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_MESSAGE = "A lone UTF-16 surrogate (\\ud800-\\udfff) is no character."


def refuse_hostile_json(envelope, body):
    """
    Raise InvalidRequest naming the member when the parsed ``body`` nests deeper than
    MAX_JSON_DEPTH or holds a lone surrogate in a string or member name (no database or encoder
    takes one). Most bodies are cleared by a look at their bytes; walks are iterative, so that
    they cannot run out of stack themselves.
    """
    brackets = body.count(b"[") + body.count(b"{")
    too_deep = brackets > MAX_JSON_DEPTH and _nests_deeper(envelope, MAX_JSON_DEPTH)
    if too_deep or _SURROGATE_ESCAPE.search(body):
        _refuse_member(envelope)


def _nests_deeper(value, limit):
    stack = [(value, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in children if isinstance(item, dict | list))
    return False


def _refuse_member(value):
    """Walk ``value`` with each member's path and raise for the first one refused."""
    stack = [(value, 0, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidRequest(f"Nested deeper than {MAX_JSON_DEPTH} levels.", field=_shown(path))
        if isinstance(value, dict):
            for key, item in value.items():
                member = f"{path}.{key}" if path else key
                if _SURROGATE.search(key):
                    raise InvalidRequest(_SURROGATE_MESSAGE, field=_shown(member))
                stack.append((item, depth + 1, member))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{path}[{n}]") for n, item in enumerate(value))
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise InvalidRequest(_SURROGATE_MESSAGE, field=_shown(path))


def _shown(path):
    """A member's path as a message may quote it: surrogates in it escaped."""
    return path.encode("utf-8", "backslashreplace").decode()


def read_envelope(http_request):
    """Parse the body into (call name, payload); raise InvalidRequest naming what is wrong."""
    limit = settings.OIOI_MAX_REQUEST_BYTES
    body = http_request.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge()
    if not body.strip():
        raise InvalidRequest("The request body is empty; send a JSON object naming one call.")
    try:
        envelope = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidRequest(f"The request body is not valid UTF-8 JSON ({exc}).") from None
    if not isinstance(envelope, dict):
        raise InvalidRequest("The request body is a JSON object naming one call.")
    refuse_hostile_json(envelope, body)
    if len(envelope) != 1:
        raise InvalidRequest(
            f"The request body has exactly one member naming the call; it has {len(envelope)}."
        )
    ((name, payload),) = envelope.items()
    return name, payload


class OIOIRequestView(APIView):
    """
    Checks run in docs/oioi.md's order, the first failure answering: method (405) and body size
    (413), which need no key; API key (401); call name known (400; a payment call is known and
    not supported, see oioi.unsupported); role (403); fields (400);
    partner identifier (211); then the call's handler.
    """

    http_method_names = ["post"]
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsPartner]
    parser_classes = []
    renderer_classes = [JSONRenderer]
    throttle_classes = [ApiKeyRateThrottle]
    schema = None  # OIOI is specified in docs/oioi.md, not in the REST API's OpenAPI document.

    def initial(self, request, *args, **kwargs):
        if request.method != "POST":
            raise exceptions.MethodNotAllowed(request.method)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise InvalidRequest("The Content-Length header is not a number.") from None
        if length > settings.OIOI_MAX_REQUEST_BYTES:
            raise RequestTooLarge()
        super().initial(request, *args, **kwargs)

    def post(self, request):
        http_request = request._request
        name, payload = read_envelope(http_request)
        call = registry.get(name) if isinstance(name, str) else None
        http_request.audit["call"] = str(name)[:100]
        if call is None:
            raise InvalidRequest(unsupported_message(name) or f"Unknown call {str(name)[:100]!r}.")
        if not call.allows(request.user):
            raise NotAllowed(f"This API key's partner may not use {call.name}.")
        serializer = call.serializer_class(data=payload)
        if not serializer.is_valid():
            field, message = first_error(serializer.errors) or ("", "invalid")
            raise InvalidRequest(message, field=f"{call.name}.{field}" if field else call.name)
        data = serializer.validated_data
        partner_identifier = None
        if call.partner_identifier:
            partner_identifier = partner_identifier_get_for_key(
                request.auth, data["partner_identifier"]
            )
            if partner_identifier is None:
                raise OIOIError(
                    ResultCode.INVALID_PARTNER_IDENTIFIER,
                    "This API key may not act for that partner identifier.",
                )
        call_request = CallRequest(
            call=call,
            partner=request.user,
            api_key=request.auth,
            data=data,
            partner_identifier=partner_identifier,
            request_id=http_request.request_id,
            correlation_id=http_request.correlation_id,
        )
        with transaction.atomic() if call.atomic else nullcontext():
            outcome = call.handler(call_request)
        return self.respond(outcome)

    def respond(self, outcome, http_status=200, headers=None):
        audit = self.request._request.audit
        body = outcome.body()
        audit["result_code"] = body["result"]["code"]
        if outcome.code != ResultCode.SUCCESS:
            audit["message"] = body["result"]["message"]
        return Response(body, status=http_status, headers=headers)

    def handle_exception(self, exc):
        error = self.to_oioi_error(exc)
        response = self.respond(
            Outcome(code=error.code, message=error.message), error.http_status, error.headers
        )
        # DRF renders a response made here the same way as one returned by a handler.
        response.exception = True
        return response

    def to_oioi_error(self, exc):
        if isinstance(exc, OIOIError):
            return exc
        if isinstance(exc, DomainError):
            return oioi_error(exc)
        if isinstance(exc, CLIENT_ERRORS):
            http_status, message = client_error(exc)
            return InvalidRequest(message, http_status=http_status)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            message = "Missing API key." if isinstance(exc, exceptions.NotAuthenticated) else None
            return OIOIError(
                ResultCode.INVALID_API_KEY,
                message or str(exc.detail),
                http_status=401,
                headers={"WWW-Authenticate": ApiKeyAuthentication().authenticate_header(None)},
            )
        if isinstance(exc, exceptions.MethodNotAllowed):
            return OIOIError(
                ResultCode.INVALID_REQUEST_FORMAT,
                f"Method {self.request.method} not allowed; use POST.",
                http_status=405,
                headers={"Allow": "POST"},
            )
        if isinstance(exc, exceptions.PermissionDenied):
            return NotAllowed(str(exc.detail))
        if isinstance(exc, exceptions.Throttled):
            # OIOI has no code for it; 200 is its "client request error".
            return OIOIError(
                ResultCode.CLIENT_REQUEST_ERROR,
                f"Rate limit of this API key reached; retry in {exc.wait} seconds.",
                http_status=429,
                headers={"Retry-After": str(exc.wait)},
            )
        retry_after = {"Retry-After": str(settings.OIOI_RETRY_AFTER_SECONDS)}
        if isinstance(exc, OperationalError):
            logger.warning("database unavailable: request_id=%s", self.request.request_id)
            code = ResultCode.SYSTEM_TIMEOUT if _is_timeout(exc) else ResultCode.DATABASE_ERROR
            return OIOIError(code, http_status=503, headers=retry_after)
        if isinstance(exc, DatabaseError):
            logger.exception("database error: request_id=%s", self.request.request_id)
            return OIOIError(ResultCode.DATABASE_ERROR, http_status=500)
        logger.exception("unhandled error: request_id=%s", self.request.request_id)
        return OIOIError(ResultCode.SYSTEM_ERROR, http_status=500)


def _is_timeout(exc):
    """A statement timeout (PostgreSQL's query_canceled) rather than a lost connection."""
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "57014"
