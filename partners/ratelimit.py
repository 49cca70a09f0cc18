"""
Per-key rate limits, shared by every app process through the database.

Each process counts a key's requests of the current minute locally and adds them to the
shared counter (one upsert) whenever its local share reaches a fiftieth of the limit, so a key
well under its limit costs no query at all; a busy key costs one query per that many requests.
All processes together may overshoot the limit by at most (processes x that share). Once the
shared count is over the limit, the process refuses the key until the minute ends, without
asking the database again.
"""

import threading
import time

from django.conf import settings
from django.db import connection
from rest_framework.throttling import BaseThrottle

from partners.models import ApiKey, RateLimitCounter

FLUSH_FRACTION = 50


def limit_for(api_key):
    limit = api_key.partner.rate_limit_per_minute
    return settings.API_RATE_LIMIT_PER_MINUTE if limit is None else limit


def _add_hits(api_key_id, minute, hits):
    """Add ``hits`` to the shared counter and return the minute's total (one statement)."""
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (api_key_id, minute, hits) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (api_key_id, minute) DO UPDATE SET hits = {table}.hits + excluded.hits "
            "RETURNING hits",
            [api_key_id, minute, hits],
        )
        return cursor.fetchone()[0]


class RateLimiter:
    """The local side of the shared counters; one per process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        """Forget this process's local counts, as a freshly started worker has none."""
        self._minute = None
        self._unflushed = {}
        self._refused = set()
        self._purge_due = False

    def retry_after(self, api_key, now=None):
        """None if the request may go on, else the seconds until the key may try again."""
        limit = limit_for(api_key)
        if not limit:
            return None
        now = time.time() if now is None else now
        minute = int(now // 60)
        wait = 60 - int(now % 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._unflushed, self._refused = minute, {}, set()
                self._purge_due = True
            if api_key.pk in self._refused:
                return wait
            hits = self._unflushed.get(api_key.pk, 0) + 1
            if hits < max(1, limit // FLUSH_FRACTION):
                self._unflushed[api_key.pk] = hits
                return None
            self._unflushed[api_key.pk] = 0
            purge, self._purge_due = self._purge_due, False
        if purge:
            # Counters of past minutes are never read again.
            RateLimitCounter.objects.filter(minute__lt=minute - 1).delete()
        total = _add_hits(api_key.pk, minute, hits)
        if total <= limit:
            return None
        with self._lock:
            if minute == self._minute:
                self._refused.add(api_key.pk)
        return wait


limiter = RateLimiter()


class ApiKeyRateThrottle(BaseThrottle):
    """DRF throttle for every request authenticated by an API key (OIOI and REST)."""

    def allow_request(self, request, view):
        self.wait_seconds = None
        if not isinstance(request.auth, ApiKey):
            return True
        self.wait_seconds = limiter.retry_after(request.auth)
        return self.wait_seconds is None

    def wait(self):
        return self.wait_seconds
