"""
Writes of the partner portal: portal users (created by staff or the operator command, invited
and deactivated by a partner admin) and sign-in throttling.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import SignInThrottle

# --- sign-in throttling --------------------------------------------------------------------------


def _throttle_key(username, address):
    return {"username": username.strip().lower()[:150], "address": address or ""}


def sign_in_locked_until(username, address, now=None):
    """When the lock on ``username`` from ``address`` ends, or None when it may try."""
    now = now or timezone.now()
    return (
        SignInThrottle.objects.filter(**_throttle_key(username, address), locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )


@transaction.atomic
def sign_in_failed(username, address, now=None):
    """Count a failed sign-in; lock the pair once it has failed too often within the window."""
    now = now or timezone.now()
    throttle, _created = SignInThrottle.objects.select_for_update().get_or_create(
        **_throttle_key(username, address), defaults={"window_started_at": now}
    )
    window = timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    if throttle.window_started_at + window <= now:
        # The earlier failures are too old to count: start a new window.
        throttle.failures = 0
        throttle.window_started_at = now
        throttle.locked_until = None
    # The row is locked (select_for_update), so concurrent failures each count.
    throttle.failures += 1
    if throttle.failures >= settings.SIGN_IN_MAX_FAILURES:
        throttle.locked_until = now + timedelta(seconds=settings.SIGN_IN_LOCK_SECONDS)
        throttle.failures = 0
        throttle.window_started_at = now
    throttle.save()
    return throttle.locked_until


def sign_in_succeeded(username, address):
    SignInThrottle.objects.filter(**_throttle_key(username, address)).delete()
