"""The outbound OIOI client and durable deliveries, against a real local partner server."""

import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.utils import timezone

from oioi import deliveries
from oioi.client import Failure, oioi_call
from partners import services
from partners.models import AuditLogEntry, Delivery, DeliveryAttempt
from tests.factories import PartnerFactory
from tests.mixins import RestEndpointContract
from tests.partner_server import PartnerServer, free_port

CDR = {"session-id": "S-1", "partner-identifier": "x" * 16}


@pytest.fixture
def receiver(db, partner_server):
    return PartnerFactory(
        name="Receiver EMP",
        is_cpo=False,
        is_emp=True,
        endpoint_url=partner_server.url,
        endpoint_key="their-key-for-us-0123456789",
    )


@pytest.fixture
def fast_timeouts(settings):
    settings.OIOI_OUTBOUND_CONNECT_TIMEOUT = 0.5
    settings.OIOI_OUTBOUND_READ_TIMEOUT = 0.5


def run_worker(now=None):
    return deliveries.deliveries_run_due(limit=50, now=now)


# --- The outbound client ---------------------------------------------------------------


def test_call_carries_the_partners_key_and_trace_headers(receiver, partner_server):
    result = oioi_call(receiver, "session-post", CDR, correlation_id="trace-7")
    assert (result.http_status, result.result_code, result.failure) == (200, 0, None)
    (received,) = partner_server.received
    assert received.body == {"session-post": CDR}
    assert received.headers["Authorization"] == "key=their-key-for-us-0123456789"
    assert received.headers["X-Correlation-ID"] == "trace-7"
    assert received.headers["X-Request-ID"] == result.request_id
    entry = AuditLogEntry.objects.get(request_id=result.request_id)
    assert entry.direction == AuditLogEntry.Direction.OUTBOUND
    assert (entry.partner, entry.call, entry.http_status, entry.result_code) == (
        receiver,
        "session-post",
        200,
        0,
    )
    assert entry.correlation_id == "trace-7"
    assert "their-key" not in str(entry.__dict__)


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"result": {"code": "000", "message": "ok"}, "extra": [1]}, 0, "ok"),
        ({"result": {"code": "0"}}, 0, ""),
        ({"result": {"code": 11, "message": "Started."}}, 11, "Started."),
        ({"result": {"code": 320}}, 320, ""),
    ],
)
def test_answers_real_partners_send_are_read(receiver, partner_server, body, code, message):
    partner_server.answer(body=body)
    result = oioi_call(receiver, "session-start", {})
    assert (result.result_code, result.message, result.failure) == (code, message, None)


@pytest.mark.parametrize(
    "body", [b"<html>Bad gateway</html>", b"", {"result": {"code": "ok"}}, {"no": "result"}]
)
def test_garbage_is_a_failure(receiver, partner_server, body):
    partner_server.answer(body=body)
    result = oioi_call(receiver, "session-start", {})
    assert result.failure == Failure.GARBAGE
    assert result.result_code is None


def test_slow_partner_is_a_timeout_within_the_bound(receiver, partner_server):
    partner_server.answer(delay=3)
    started = time.monotonic()
    result = oioi_call(receiver, "session-start", {}, deadline_seconds=0.5)
    assert result.failure == Failure.TIMEOUT
    assert time.monotonic() - started < 1.5


def test_unreachable_partner(receiver):
    receiver.endpoint_url = f"http://127.0.0.1:{free_port()}/oioi"
    result = oioi_call(receiver, "session-start", {})
    assert result.failure == Failure.UNREACHABLE
    entry = AuditLogEntry.objects.get(request_id=result.request_id)
    assert entry.http_status is None and "Connect" in entry.message


def test_partner_without_endpoint(db):
    partner = PartnerFactory(name="No endpoint")
    assert oioi_call(partner, "session-post", CDR).failure == Failure.NOT_CONFIGURED


# --- Deliveries ------------------------------------------------------------------------


def test_delivered_once_and_never_again(receiver, partner_server):
    delivery = services.delivery_enqueue(receiver, "session-post", CDR, subject="CDR S-1")
    assert run_worker() == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert delivery.attempts == 1 and delivery.delivered_at is not None
    assert run_worker(now=timezone.now() + timedelta(days=30)) == 0
    assert len(partner_server.calls("session-post")) == 1


def test_dedupe_key_enqueues_once(receiver, partner_server):
    first = services.delivery_enqueue(receiver, "session-post", CDR, dedupe_key="cdr:1:final")
    again = services.delivery_enqueue(receiver, "session-post", CDR, dedupe_key="cdr:1:final")
    assert first.pk == again.pk
    run_worker()
    assert len(partner_server.received) == 1


def test_rolled_back_enqueue_is_never_sent(receiver, partner_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.delivery_enqueue(receiver, "session-post", CDR)
        raise RuntimeError("the change that caused it failed")
    assert run_worker(now=timezone.now() + timedelta(days=1)) == 0
    assert partner_server.received == []
    assert not Delivery.objects.exists()


def test_receiver_down_then_up_is_delivered_exactly_once_after_retries(db, settings):
    settings.OIOI_OUTBOUND_CONNECT_TIMEOUT = 0.5
    port = free_port()
    receiver = PartnerFactory(
        name="Flaky EMP", endpoint_url=f"http://127.0.0.1:{port}/oioi", endpoint_key="k" * 20
    )
    delivery = services.delivery_enqueue(receiver, "session-post", CDR)
    start = timezone.now()
    assert run_worker(now=start) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    first_wait = delivery.next_attempt_at - start
    base = timedelta(seconds=settings.DELIVERY_BACKOFF_BASE_SECONDS)
    assert base / 2 <= first_wait <= base
    # Not due before its time.
    assert run_worker(now=delivery.next_attempt_at - timedelta(seconds=1)) == 0

    run_worker(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    # The back-off grows.
    assert delivery.next_attempt_at - start > first_wait

    server = PartnerServer(port=port).start()
    try:
        run_worker(now=delivery.next_attempt_at)
        run_worker(now=delivery.next_attempt_at + timedelta(days=1))
    finally:
        server.stop()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.DELIVERED, 3)
    assert len(server.received) == 1
    outcomes = list(delivery.attempt_log.values_list("outcome", flat=True))
    assert outcomes == ["retry", "retry", "delivered"]


def test_retry_after_is_honoured(receiver, partner_server):
    partner_server.answer(status=503, body=b"busy", headers={"Retry-After": "120"})
    delivery = services.delivery_enqueue(receiver, "session-post", CDR)
    start = timezone.now()
    run_worker(now=start)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert delivery.next_attempt_at == start + timedelta(seconds=120)
    assert delivery.last_http_status == 503


@pytest.mark.parametrize(
    ("status", "body", "state"),
    [
        (500, {"result": {"code": 100}}, Delivery.State.PENDING),
        (429, b"slow down", Delivery.State.PENDING),
        (200, {"result": {"code": 101, "message": "Their database."}}, Delivery.State.PENDING),
        (400, {"result": {"code": 230, "message": "Bad CDR."}}, Delivery.State.DEAD),
        (200, {"result": {"code": 211, "message": "Not ours."}}, Delivery.State.DEAD),
        (401, {"result": {"code": 210}}, Delivery.State.DEAD),
    ],
)
def test_what_is_retried_and_what_is_refused(receiver, partner_server, status, body, state):
    partner_server.answer(status=status, body=body)
    delivery = services.delivery_enqueue(receiver, "session-post", CDR)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.state == state
    assert delivery.last_http_status == status


def test_timeout_is_retried(receiver, partner_server, fast_timeouts):
    partner_server.answer(delay=2)
    delivery = services.delivery_enqueue(receiver, "session-post", CDR)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert "Timed out" in delivery.last_error


def test_exhausted_attempts_end_in_the_dead_letter_then_staff_retry_delivers(
    receiver, partner_server, settings
):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    partner_server.default.status = 503
    partner_server.default.body = b"down"
    delivery = services.delivery_enqueue(receiver, "session-post", CDR)
    now = timezone.now()
    for _ in range(3):
        run_worker(now=now)
        delivery.refresh_from_db()
        now = delivery.next_attempt_at
    assert (delivery.state, delivery.attempts) == (Delivery.State.DEAD, 3)
    assert run_worker(now=now + timedelta(days=365)) == 0

    partner_server.default.status = 200
    partner_server.default.body = {"result": {"code": 0}}
    services.delivery_retry(delivery)
    run_worker()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.DELIVERED, 4)
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 4


def test_only_dead_deliveries_are_retried(receiver):
    delivery = services.delivery_enqueue(receiver, "session-post", CDR)
    with pytest.raises(services.ValidationError):
        services.delivery_retry(delivery)


def test_claim_of_a_dead_worker_expires_and_is_picked_up(receiver, partner_server):
    services.delivery_enqueue(receiver, "session-post", CDR)
    now = timezone.now()
    (claimed,) = services.deliveries_claim(10, now=now)  # the worker dies holding it
    assert services.deliveries_claim(10, now=now) == []
    lease_end = now + timedelta(seconds=services.delivery_lease_seconds())
    assert run_worker(now=lease_end) == 1
    claimed.refresh_from_db()
    assert claimed.state == Delivery.State.DELIVERED
    assert len(partner_server.received) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_send_the_same_delivery_twice(partner_server):
    receiver = PartnerFactory(
        name="Busy EMP", endpoint_url=partner_server.url, endpoint_key="k" * 20
    )
    for n in range(40):
        services.delivery_enqueue(receiver, "session-post", {**CDR, "session-id": f"S-{n}"})

    errors = []

    def worker():
        try:
            while deliveries.deliveries_run_due(limit=3):
                pass
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent = [r.body["session-post"]["session-id"] for r in partner_server.calls("session-post")]
    assert sorted(sent) == sorted(f"S-{n}" for n in range(40))
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.DELIVERED}


# The command closes stale connections between rounds, as a long-running process must.
@pytest.mark.django_db(transaction=True)
def test_worker_command_drains_the_queue(receiver, partner_server):
    from django.core.management import call_command

    for n in range(3):
        services.delivery_enqueue(receiver, "session-post", {**CDR, "session-id": f"S-{n}"})
    call_command("delivery_worker", "--once")
    assert len(partner_server.received) == 3


@pytest.mark.slow
def test_worker_process_stops_cleanly_on_sigterm(tmp_path):
    env = {"DEBUG": "1", "VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True, timeout=120
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "delivery_worker", "--poll", "0.1"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    # Signalled once it is running (its handlers installed), however slow the machine.
    assert "delivery worker started" in worker.stdout.readline()
    worker.terminate()
    out, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0
    assert "delivery worker stopped" in out


# --- Admin and REST ---------------------------------------------------------------------


def dead_delivery(partner):
    delivery = services.delivery_enqueue(partner, "session-post", CDR, subject="CDR S-1")
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.DEAD, attempts=12)
    return delivery


def test_staff_retry_dead_deliveries_from_the_admin(management_client, receiver, partner_server):
    delivery = dead_delivery(receiver)
    pending = services.delivery_enqueue(receiver, "session-post", CDR)
    url = "/admin/partners/delivery/"
    page = management_client.get(f"{url}{delivery.pk}/change/")
    assert page.status_code == 200
    assert b"CDR S-1" in page.content
    response = management_client.post(
        url,
        {"action": "retry_selected", "_selected_action": [delivery.pk, pending.pk]},
        follow=True,
    )
    assert b"1 dead deliveries queued again" in response.content
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    run_worker()
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert LogEntry.objects.filter(object_id=str(delivery.pk)).exists()


def test_support_staff_see_deliveries_but_cannot_retry(support_client, receiver):
    delivery = dead_delivery(receiver)
    url = "/admin/partners/delivery/"
    listing = support_client.get(url)
    assert listing.status_code == 200
    assert b"retry_selected" not in listing.content
    support_client.post(url, {"action": "retry_selected", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DEAD


class TestDeliveriesRestContract(RestEndpointContract):
    url = "/api/v1/deliveries/"

    def make_object(self, caller):
        return services.delivery_enqueue(caller.partner, "session-post", CDR)


def test_partner_filters_its_deliveries_by_state(client, emp):
    dead = dead_delivery(emp.partner)
    services.delivery_enqueue(emp.partner, "session-post", CDR)
    response = emp.get(client, "/api/v1/deliveries/", data={"state": "dead"})
    assert [item["id"] for item in response.json()["results"]] == [dead.pk]


def database_url_of_this_test():
    """The test database as a URL, for a worker process of its own."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_leaves_the_delivery_to_the_next_worker(tmp_path, partner_server):
    partner_server.answer(delay=30)  # the first worker is still waiting when it is killed
    receiver = PartnerFactory(
        name="Slow EMP", endpoint_url=partner_server.url, endpoint_key="k" * 20
    )
    delivery = services.delivery_enqueue(receiver, "session-post", CDR)
    connection.close()
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url_of_this_test(),
        "OIOI_OUTBOUND_READ_TIMEOUT": "60",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "delivery_worker", "--poll", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not partner_server.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert partner_server.received, "the worker never sent the delivery"
    finally:
        worker.kill()
        worker.wait(timeout=10)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENDING, 0)
    # Nobody else sends it while the dead worker's claim lasts; then the next worker does.
    assert deliveries.deliveries_run_due(now=delivery.lease_expires_at - timedelta(seconds=1)) == 0
    assert deliveries.deliveries_run_due(now=delivery.lease_expires_at) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.DELIVERED, 1)
    assert len(partner_server.received) == 2


def test_delivery_pages_read_well(support_client, receiver):
    delivery = dead_delivery(receiver)
    error = "HTTPConnectionPool(host='emp.example.com', port=443): Max retries exceeded"
    Delivery.objects.filter(pk=delivery.pk).update(last_http_status=503, last_error=error)
    listing = support_client.get("/admin/partners/delivery/").content.decode()
    # The last answer in one short cell, whole on hover; no next attempt for a dead letter.
    assert 'title="503 · HTTPConnectionPool(host=&#x27;emp.example.com&#x27;' in listing
    assert ">503 · HTTPConnectionPool(host=…</span>" in listing
    assert '<td class="field-next_attempt_display">—</td>' in listing
    page = support_client.get(f"/admin/partners/delivery/{delivery.pk}/change/")
    content = page.content.decode()
    # Titled by the partner's name, the payload indented.
    assert "<h2>session-post to Receiver EMP: CDR S-1</h2>" in content
    assert '<pre class="json">{\n  &quot;session-id&quot;: &quot;S-1&quot;,' in content
