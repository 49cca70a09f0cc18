"""
The outbound OIOI client: the one place that calls a partner's own endpoint. It sends the
envelope with the key the partner gave us, bounds the whole exchange in time, parses what
real partners answer (extra members, codes as `0`, `"000"` or `"0"`, no message), and records
every call in the audit log as outbound.
"""

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.db import DatabaseError

from core.requests import CORRELATION_ID_HEADER, REQUEST_ID_HEADER, new_request_id
from partners.models import AuditLogEntry

logger = logging.getLogger("oioi_portal.outbound")


class Failure:
    """Why an exchange produced no usable answer."""

    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    GARBAGE = "garbage"
    NOT_CONFIGURED = "not configured"


@dataclass(frozen=True)
class OutboundResult:
    request_id: str
    duration_ms: int
    http_status: int | None = None
    result_code: int | None = None
    message: str = ""
    body: dict = field(default_factory=dict)
    failure: str | None = None
    error: str = ""
    retry_after: float | None = None

    @property
    def answered(self):
        """The partner answered with an OIOI result we could read."""
        return self.failure is None and self.result_code is not None


_local = threading.local()


def _http_client():
    # One pooled client per thread: connections to a partner are reused between calls.
    client = getattr(_local, "client", None)
    if client is None:
        client = _local.client = httpx.Client(follow_redirects=False, trust_env=False)
    return client


def parse_result_code(value):
    """`0`, `"000"`, `"0"` and `11` alike; None if it is not a result code."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_retry_after(value):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


def _redacted(url):
    """The endpoint URL without credentials or query, fit for the audit log."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def oioi_call(partner, call, payload, *, correlation_id=None, deadline_seconds=None):
    """
    Send ``{call: payload}`` to ``partner``'s endpoint and return what came back. Never
    raises for a partner's failure: timeouts, refused connections and unreadable answers
    come back as ``failure``. The exchange takes at most ``deadline_seconds`` (default: the
    connect plus read timeouts) plus one network read.
    """
    request_id = new_request_id()
    result = _unconfigured(partner, request_id) or _exchange(
        partner, call, payload, request_id, correlation_id, deadline_seconds
    )
    _audit(partner, call, result, correlation_id)
    return result


# Exchanges that must end on time whatever the partner does (see ``oioi_call_bounded``); made
# on first use, so that each server process has its own threads.
_bounded_pool = None
_bounded_pool_lock = threading.Lock()
# Exchanges run at once on the bounded pool; more wait for a thread, within their bound.
BOUNDED_POOL_THREADS = 16


def oioi_call_bounded(partner, call, payload, *, correlation_id=None, deadline_seconds):
    """
    ``oioi_call`` that returns within ``deadline_seconds`` plus a fraction of a second, even
    against a partner that trickles its answer a byte at a time (whose exchange ``oioi_call``
    bounds only by its deadline plus one read): the exchange runs on a worker thread, and
    one not done in time is left to end there and answered as a timeout.
    """
    global _bounded_pool
    request_id = new_request_id()
    started = time.monotonic()
    result = _unconfigured(partner, request_id)
    if result is None:
        with _bounded_pool_lock:
            if _bounded_pool is None:
                _bounded_pool = ThreadPoolExecutor(BOUNDED_POOL_THREADS, "oioi-bounded")
        future = _bounded_pool.submit(
            _exchange, partner, call, payload, request_id, correlation_id, deadline_seconds
        )
        try:
            result = future.result(timeout=deadline_seconds + 0.2)
        except FutureTimeout:
            future.cancel()  # not started yet (every thread busy): never sent
            result = _failed(request_id, started, Failure.TIMEOUT, "No complete answer in time.")
    # Written here, not on the worker thread: the caller's database connection and transaction.
    _audit(partner, call, result, correlation_id)
    return result


def _unconfigured(partner, request_id):
    if partner.endpoint_url and partner.endpoint_key:
        return None
    return OutboundResult(
        request_id=request_id,
        duration_ms=0,
        failure=Failure.NOT_CONFIGURED,
        error="The partner has no OIOI endpoint URL and key configured.",
    )


def _exchange(partner, call, payload, request_id, correlation_id, deadline_seconds):
    """The HTTP exchange of ``oioi_call``, without the database."""
    started = time.monotonic()
    deadline = deadline_seconds or (
        settings.OIOI_OUTBOUND_CONNECT_TIMEOUT + settings.OIOI_OUTBOUND_READ_TIMEOUT
    )
    timeout = httpx.Timeout(
        connect=min(settings.OIOI_OUTBOUND_CONNECT_TIMEOUT, deadline),
        read=min(settings.OIOI_OUTBOUND_READ_TIMEOUT, deadline),
        write=deadline,
        pool=deadline,
    )
    headers = {
        "Authorization": f"key={partner.endpoint_key}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        REQUEST_ID_HEADER: request_id,
        CORRELATION_ID_HEADER: correlation_id or request_id,
    }
    body = json.dumps({call: payload}).encode()
    try:
        with _http_client().stream(
            "POST", partner.endpoint_url, content=body, headers=headers, timeout=timeout
        ) as response:
            raw = _read_bounded(response, started + deadline)
        return _parse(response, raw, request_id, started)
    except _DeadlinePassed:
        return _failed(request_id, started, Failure.TIMEOUT, "No complete answer in time.")
    except httpx.TimeoutException as exc:
        return _failed(request_id, started, Failure.TIMEOUT, f"Timed out: {exc!r}")
    except _TooLarge:
        return _failed(request_id, started, Failure.GARBAGE, "Answer too large.")
    except httpx.HTTPError as exc:
        return _failed(request_id, started, Failure.UNREACHABLE, f"{type(exc).__name__}: {exc}")


class _DeadlinePassed(Exception):
    pass


class _TooLarge(Exception):
    pass


def _read_bounded(response, deadline):
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > settings.OIOI_OUTBOUND_MAX_RESPONSE_BYTES:
            raise _TooLarge()
        if time.monotonic() > deadline:
            raise _DeadlinePassed()
        chunks.append(chunk)
    return b"".join(chunks)


def _elapsed_ms(started):
    return round((time.monotonic() - started) * 1000)


def _failed(request_id, started, failure, error, **fields):
    return OutboundResult(
        request_id=request_id,
        duration_ms=_elapsed_ms(started),
        failure=failure,
        error=error[:500],
        **fields,
    )


def _parse(response, raw, request_id, started):
    common = {
        "http_status": response.status_code,
        "retry_after": parse_retry_after(response.headers.get("Retry-After")),
    }
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        body = None
    result = body.get("result") if isinstance(body, dict) else None
    code = parse_result_code(result.get("code")) if isinstance(result, dict) else None
    if code is None:
        error = f"HTTP {response.status_code} without a readable OIOI result."
        return _failed(request_id, started, Failure.GARBAGE, error, **common)
    message = result.get("message")
    return OutboundResult(
        request_id=request_id,
        duration_ms=_elapsed_ms(started),
        result_code=code,
        message=message if isinstance(message, str) else "",
        body=body,
        **common,
    )


def _audit(partner, call, result, correlation_id):
    try:
        AuditLogEntry.objects.create(
            request_id=result.request_id,
            correlation_id=correlation_id or result.request_id,
            direction=AuditLogEntry.Direction.OUTBOUND,
            interface=AuditLogEntry.Interface.OIOI,
            partner=partner,
            call=call[:100],
            method="POST",
            path=_redacted(partner.endpoint_url)[:500],
            http_status=result.http_status,
            result_code=result.result_code,
            message=(result.error or result.message)[:500],
            duration_ms=result.duration_ms,
        )
    except DatabaseError:
        logger.warning(
            "outbound audit entry not stored: request_id=%s call=%s", result.request_id, call
        )
