from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oioi.client import Failure, oioi_call
from oioi.results import is_success
from partners.models import Delivery, DeliveryAttempt
from partners.services import deliveries_claim, delivery_backoff_seconds

# Answers after which a retry may succeed: the partner's own system errors and timeouts.
_RETRYABLE_RESULT_CODES = {100, 101, 102, 300, 302, 400, 402}


_RETRYABLE_HTTP_STATUSES = {408, 425, 429}


def _attempt_outcome(result):
    if result.answered and result.http_status == 200 and is_success(result.result_code):
        return DeliveryAttempt.Outcome.DELIVERED
    if result.failure in (Failure.TIMEOUT, Failure.UNREACHABLE, Failure.NOT_CONFIGURED):
        return DeliveryAttempt.Outcome.RETRY
    status = result.http_status or 0
    if status >= 500 or status in _RETRYABLE_HTTP_STATUSES:
        return DeliveryAttempt.Outcome.RETRY
    if status == 200 and (
        result.failure == Failure.GARBAGE or result.result_code in _RETRYABLE_RESULT_CODES
    ):
        return DeliveryAttempt.Outcome.RETRY
    # The partner refused what we sent (4xx, or a business code): sending it again won't help.
    return DeliveryAttempt.Outcome.DEAD


def delivery_send(delivery, now=None):
    """Make one attempt at a claimed delivery, record it, and settle the delivery's state."""
    started_at = now or timezone.now()
    result = oioi_call(delivery.partner, delivery.call, delivery.payload)
    number = delivery.attempts + 1
    outcome = _attempt_outcome(result)
    if outcome == DeliveryAttempt.Outcome.RETRY and number >= delivery.max_attempts:
        outcome = DeliveryAttempt.Outcome.DEAD
    error = result.error or (
        "" if outcome == DeliveryAttempt.Outcome.DELIVERED else result.message or ""
    )
    delivery.attempts = number
    delivery.last_error = error[:500]
    delivery.last_http_status = result.http_status
    delivery.last_result_code = result.result_code
    delivery.lease_expires_at = None
    if outcome == DeliveryAttempt.Outcome.DELIVERED:
        delivery.state = Delivery.State.DELIVERED
        delivery.delivered_at = timezone.now()
    elif outcome == DeliveryAttempt.Outcome.DEAD:
        delivery.state = Delivery.State.DEAD
    else:
        wait = delivery_backoff_seconds(number)
        if result.retry_after is not None:
            wait = min(result.retry_after, settings.DELIVERY_BACKOFF_MAX_SECONDS)
        delivery.state = Delivery.State.PENDING
        delivery.next_attempt_at = started_at + timedelta(seconds=wait)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started_at,
            duration_ms=result.duration_ms,
            request_id=result.request_id,
            http_status=result.http_status,
            result_code=result.result_code,
            error=error[:500],
            outcome=outcome,
        )
        delivery.save(
            update_fields=[
                "attempts",
                "state",
                "next_attempt_at",
                "lease_expires_at",
                "last_error",
                "last_http_status",
                "last_result_code",
                "delivered_at",
            ]
        )
    return outcome


def deliveries_run_due(limit=10, now=None):
    """Claim and send what is due; return how many attempts were made."""
    claimed = deliveries_claim(limit, now=now)
    for delivery in claimed:
        delivery_send(delivery, now=now)
    return len(claimed)
