"""Per-key rate limits: 429 with Retry-After, configurable per partner, shared by all processes."""

from partners.models import AuditLogEntry, RateLimitCounter
from partners.ratelimit import RateLimiter, limiter
from tests.factories import issue_key


def limit(partner, per_minute):
    partner.rate_limit_per_minute = per_minute
    partner.save()


def test_requests_over_the_limit_get_429_with_retry_after(client, cpo):
    limit(cpo.partner, 5)
    for _ in range(5):
        assert cpo.post(client, "api-minimum-version-number", {}).status_code == 200
    response = cpo.post(client, "api-minimum-version-number", {})
    assert response.status_code == 429
    assert response.json()["result"]["code"] == 200
    assert "Rate limit" in response.json()["result"]["message"]
    assert 0 < int(response["Retry-After"]) <= 60
    entry = AuditLogEntry.objects.get(request_id=response["X-Request-ID"])
    assert (entry.http_status, entry.result_code, entry.partner) == (429, 200, cpo.partner)


def test_rest_api_is_limited_too(client, cpo):
    limit(cpo.partner, 2)
    assert [cpo.get(client, "/api/v1/requests/").status_code for _ in range(3)] == [200, 200, 429]


def test_limit_is_per_key(client, cpo):
    limit(cpo.partner, 1)
    _, second_key = issue_key(cpo.partner)
    assert cpo.post(client, "api-minimum-version-number", {}).status_code == 200
    assert cpo.post(client, "api-minimum-version-number", {}).status_code == 429
    response = client.post(
        "/api/v4/request",
        data='{"api-minimum-version-number": {}}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"key={second_key}",
    )
    assert response.status_code == 200


def test_zero_means_no_limit_and_the_default_applies_otherwise(client, cpo, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    assert [cpo.post(client, "api-minimum-version-number", {}).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    limiter.reset()
    RateLimitCounter.objects.all().delete()
    limit(cpo.partner, 0)
    assert all(
        cpo.post(client, "api-minimum-version-number", {}).status_code == 200 for _ in range(10)
    )


def test_processes_share_the_count_through_the_database(cpo):
    """Two limiters stand for two gunicorn workers: together they hold the key to its limit."""
    limit(cpo.partner, 100)
    key = cpo.api_key
    first, second = RateLimiter(), RateLimiter()
    now = 1_800_000_000.0
    allowed = 0
    for n in range(200):
        worker = first if n % 2 else second
        allowed += worker.retry_after(key, now=now) is None
    # Each flushes every limit/50 requests, so together they overshoot by at most one share each.
    assert 100 <= allowed <= 104
    # The next minute starts afresh.
    assert first.retry_after(key, now=now + 60) is None


def test_a_quiet_key_costs_no_query(client, cpo, django_assert_num_queries):
    cpo.post(client, "api-minimum-version-number", {})
    assert cpo.partner.rate_limit_per_minute is None
    # The key lookup and the audit row; nothing for the rate limit.
    with django_assert_num_queries(2):
        cpo.post(client, "api-minimum-version-number", {})
