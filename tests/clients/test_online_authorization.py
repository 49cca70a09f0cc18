"""
Online authorization through the platform (docs/oioi.md, "rfid-verify forwarded"): a CPO's
rfid-verify through the real endpoint, forwarded to a provider played by a real local HTTP server;
its answers relayed, the bounded wait measured, the fallback, the log, and the CDR that follows
routed to the provider that said yes.
"""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import Authorization, VerificationResult
from demo.provider import ProviderSimulator
from oioi import deliveries
from partners.models import AuditLogEntry, Partner
from tests.cdrs.helpers import iso, post_cdr, receiving_partner
from tests.clients.helpers import push, verify
from tests.factories import ConnectorFactory, PartnerFactory, make_key
from tests.partner_server import PartnerServer, free_port

OEM_UID = "0F0F0F01"
OEM_EVCO = "DE*OEM*C00000002*5"
EMP_UID = "0E0E0E01"
EMP_EVCO = "DE*EMP*000001*3"
KEYLESS_UID = "0C0C0C01"  # nobody's key, on the EMP's whitelist
PROVIDER_EVCO = "DE*PRV*C12345678*9"


def allow(evco_id=None):
    return {"evco-id": evco_id, "result": {"code": 0, "message": "Success."}}


def refuse(code):
    return {"evco-id": None, "result": {"code": code, "message": "No."}}


@pytest.fixture
def oem(db, partner_server):
    """An OEM that authorizes online at the partner server; its customer's key OEM_UID."""
    seller = receiving_partner("Online OEM", partner_server, "oem", online_authorization=True)
    make_key(OEM_UID, OEM_EVCO, seller.partner)
    return seller


@pytest.fixture
def emp(db, partner_server, client):
    """An EMP that authorizes online, whitelisting its customer's key and a keyless UID."""
    seller = receiving_partner("Online EMP", partner_server, "emp", online_authorization=True)
    make_key(EMP_UID, EMP_EVCO, seller.partner)
    push(client, seller, [EMP_UID, KEYLESS_UID])
    return seller


def forwarded(server):
    return server.calls("rfid-verify")


def the_log():
    return Authorization.objects.select_related("provider").get()


# --- The provider's answer relayed -------------------------------------------------------------


def test_allow_is_forwarded_with_the_providers_key_and_relayed(client, cpo, oem, partner_server):
    partner_server.answer(body=allow(PROVIDER_EVCO))
    status, code, body = verify(client, cpo, OEM_UID.lower())
    assert (status, code, body["evco-id"]) == (200, 0, PROVIDER_EVCO)
    (request,) = forwarded(partner_server)
    assert request.body == {"rfid-verify": {"rfid": OEM_UID}}
    assert request.headers["Authorization"] == f"key={oem.partner.endpoint_key}"
    log = the_log()
    assert (log.result_code, log.evco_id, log.provider, log.provider_answer) == (
        0,
        PROVIDER_EVCO,
        oem.partner,
        "0",
    )
    assert not log.provider_failed and log.provider_wait_ms is not None
    assert log.charging_key.uid == OEM_UID and log.partner == cpo.partner
    # The outbound exchange is in the audit log, under the CPO's request as correlation.
    outbound = AuditLogEntry.objects.get(direction=AuditLogEntry.Direction.OUTBOUND)
    assert (outbound.partner, outbound.call, outbound.result_code) == (
        oem.partner,
        "rfid-verify",
        0,
    )
    assert outbound.correlation_id == log.request_id


@pytest.mark.parametrize(
    "answered, expected",
    [
        (None, OEM_EVCO),  # none given: the one we hold
        ("not-an-evco-id", OEM_EVCO),  # not valid: the one we hold
        (12345, OEM_EVCO),  # not even text
        ("de-prv-c12345678-9", "de-prv-c12345678-9"),  # valid in any written form: as given
    ],
)
def test_the_providers_evco_id_if_valid_else_ours(
    client, cpo, oem, partner_server, answered, expected
):
    partner_server.answer(body=allow(answered))
    assert verify(client, cpo, OEM_UID)[2]["evco-id"] == expected


def test_a_keyless_uid_accepted_without_an_evco_id_is_null(client, cpo, emp, partner_server):
    partner_server.answer(body=allow())
    status, code, body = verify(client, cpo, KEYLESS_UID)
    assert (status, code, body["evco-id"]) == (200, 0, None)
    assert the_log().provider == emp.partner


@pytest.mark.parametrize(
    "code, message",
    [
        (191, "EVCO ID not found."),
        (192, "EVCO ID locked."),
        (193, "EVCO ID has no valid payment method."),
    ],
)
def test_each_refusal_is_relayed(client, cpo, oem, partner_server, code, message):
    partner_server.answer(body=refuse(code))
    status, answered, body = verify(client, cpo, OEM_UID)
    assert (status, answered, body["evco-id"]) == (200, code, None)
    assert body["result"]["message"] == message
    log = the_log()
    assert (log.result_code, log.provider_answer, log.provider_failed) == (code, str(code), False)


def test_a_refusal_of_a_whitelisted_uid_is_relayed_too(client, cpo, emp, partner_server):
    partner_server.answer(body=refuse(192))
    assert verify(client, cpo, EMP_UID)[:2] == (200, 192)


@pytest.mark.parametrize("code", ["000", "0"])
def test_a_zero_written_as_text_is_an_acceptance(client, cpo, oem, partner_server, code):
    partner_server.answer(body={"result": {"code": code}})
    assert verify(client, cpo, OEM_UID)[:2] == (200, 0)


def test_the_evco_id_inside_an_rfid_verify_member_is_read(client, cpo, oem, partner_server):
    partner_server.answer(body={"rfid-verify": {"evco-id": PROVIDER_EVCO}, **allow()})
    assert verify(client, cpo, OEM_UID)[2]["evco-id"] == PROVIDER_EVCO


# --- A local answer that is final ----------------------------------------------------------------


@pytest.mark.parametrize(
    "blocked, payment, expected", [(True, True, 192), (False, False, 193)], ids=["192", "193"]
)
def test_a_local_refusal_is_final_and_nothing_is_forwarded(
    client, cpo, partner_server, blocked, payment, expected
):
    seller = receiving_partner("Online OEM", partner_server, "oem", online_authorization=True)
    make_key(OEM_UID, OEM_EVCO, seller.partner, blocked=blocked, payment=payment)
    assert verify(client, cpo, OEM_UID)[:2] == (200, expected)
    assert verify(client, cpo, "0BADBAD0")[:2] == (200, 191)
    assert forwarded(partner_server) == []
    assert not Authorization.objects.filter(provider__isnull=False).exists()


def test_a_provider_without_online_authorization_is_not_asked(client, cpo, partner_server):
    seller = receiving_partner("Offline OEM", partner_server, "oem")
    make_key(OEM_UID, OEM_EVCO, seller.partner)
    assert verify(client, cpo, OEM_UID)[2]["evco-id"] == OEM_EVCO
    assert forwarded(partner_server) == []
    assert the_log().provider is None


def test_the_platforms_own_keys_are_never_forwarded(client, cpo, oem, partner_server):
    make_key("04A1B2C3", "DE*8PS*123456*7")
    assert verify(client, cpo, "04A1B2C3")[:2] == (200, 0)
    assert forwarded(partner_server) == []


def test_an_emps_key_it_no_longer_whitelists_is_191_unasked(client, cpo, emp, partner_server):
    push(client, emp, [KEYLESS_UID])
    assert verify(client, cpo, EMP_UID)[:2] == (200, 191)
    assert forwarded(partner_server) == []


# --- Isolation: only the UID's provider is asked -------------------------------------------------


def test_only_the_uids_provider_is_asked(client, cpo, oem, emp, partner_server):
    other = PartnerServer().start()
    try:
        # Another online provider whitelists the OEM's key: its entry authorizes nothing.
        bystander = receiving_partner("Bystander EMP", other, "emp", online_authorization=True)
        push(client, bystander, [OEM_UID, "0A0A0A0A"])
        assert verify(client, cpo, OEM_UID)[:2] == (200, 0)
        # Its own whitelisted UID goes to it, not to the OEM or the EMP.
        assert verify(client, cpo, "0A0A0A0A")[:2] == (200, 0)
        assert [r.body for r in forwarded(other)] == [{"rfid-verify": {"rfid": "0A0A0A0A"}}]
        keys = [r.headers["Authorization"] for r in forwarded(partner_server)]
        assert keys == [f"key={oem.partner.endpoint_key}"]
    finally:
        other.stop()


def test_a_uid_on_two_whitelists_has_no_provider_and_is_not_forwarded(
    client, cpo, emp, partner_server
):
    second = receiving_partner("Second EMP", partner_server, "emp", online_authorization=True)
    push(client, second, [KEYLESS_UID])
    status, code, body = verify(client, cpo, KEYLESS_UID)
    assert (status, code, body["evco-id"]) == (200, 0, None)
    assert forwarded(partner_server) == []


def test_an_inactive_provider_is_not_asked(client, cpo, oem, partner_server):
    oem.partner.is_active = False
    oem.partner.save()
    assert verify(client, cpo, OEM_UID)[:2] == (200, 0)
    assert forwarded(partner_server) == []


# --- No usable answer: the fallback --------------------------------------------------------------


NO_USABLE_ANSWER = {
    "not JSON": ({"body": b"<html>busy</html>"}, "garbage"),
    "wrong shape": ({"body": {"result": "yes"}}, "garbage"),
    "a list": ({"body": [0]}, "garbage"),
    "non-200": ({"status": 500, "body": allow()}, "garbage"),
    "401": ({"status": 401, "body": refuse(210)}, "garbage"),
    "another code": ({"body": refuse(100)}, "100"),
    "a 0xx code": ({"body": refuse(12)}, "12"),
}


@pytest.mark.parametrize("answer, logged", NO_USABLE_ANSWER.values(), ids=NO_USABLE_ANSWER)
def test_no_usable_answer_for_a_key_off_any_whitelist_is_102(
    client, cpo, oem, partner_server, answer, logged
):
    partner_server.answer(**answer)
    status, code, body = verify(client, cpo, OEM_UID)
    assert (status, code, body["evco-id"]) == (200, 102, None)
    log = the_log()
    assert (log.result_code, log.provider_answer, log.provider_failed) == (102, logged, True)
    assert log.evco_id == ""


@pytest.mark.parametrize("uid, evco_id", [(EMP_UID, EMP_EVCO), (KEYLESS_UID, None)])
@pytest.mark.parametrize("answer, logged", NO_USABLE_ANSWER.values(), ids=NO_USABLE_ANSWER)
def test_no_usable_answer_for_a_whitelisted_uid_is_the_local_0(
    client, cpo, emp, partner_server, answer, logged, uid, evco_id
):
    partner_server.answer(**answer)
    status, code, body = verify(client, cpo, uid)
    assert (status, code, body["evco-id"]) == (200, 0, evco_id)
    log = the_log()
    assert (log.result_code, log.provider_answer, log.provider_failed) == (0, logged, True)


def test_unreachable_provider(client, cpo, partner_server):
    seller = receiving_partner("Online OEM", partner_server, "oem", online_authorization=True)
    seller.partner.endpoint_url = f"http://127.0.0.1:{free_port()}/oioi"
    seller.partner.save()
    make_key(OEM_UID, OEM_EVCO, seller.partner)
    assert verify(client, cpo, OEM_UID)[:2] == (200, 102)
    assert (the_log().provider_answer, the_log().provider_failed) == ("unreachable", True)


def test_a_provider_without_an_endpoint_key_counts_as_unreachable(client, cpo, oem):
    oem.partner.endpoint_key = ""
    oem.partner.save()
    assert verify(client, cpo, OEM_UID)[:2] == (200, 102)
    assert the_log().provider_answer == "unreachable"


# --- The bounded wait ---------------------------------------------------------------------------


BOUND = 1.0


def test_a_slow_provider_is_a_timeout_within_the_bound(client, cpo, oem, partner_server, settings):
    settings.OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS = BOUND
    partner_server.answer(body=allow(), delay=3)
    started = time.monotonic()
    status, code, body = verify(client, cpo, OEM_UID)
    waited = time.monotonic() - started
    assert (status, code) == (200, 102)
    assert BOUND <= waited < BOUND + 1
    log = the_log()
    assert (log.provider_answer, log.provider_failed) == ("timeout", True)
    assert BOUND * 1000 <= log.provider_wait_ms < (BOUND + 1) * 1000


def test_a_slow_provider_of_a_whitelisted_uid_gives_the_local_0(
    client, cpo, emp, partner_server, settings
):
    settings.OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS = BOUND
    partner_server.answer(body=refuse(192), delay=3)
    started = time.monotonic()
    assert verify(client, cpo, EMP_UID)[:2] == (200, 0)
    assert time.monotonic() - started < BOUND + 1


def test_an_answer_within_the_bound_is_relayed(client, cpo, oem, partner_server, settings):
    settings.OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS = 2
    partner_server.answer(body=refuse(193), delay=0.3)
    assert verify(client, cpo, OEM_UID)[:2] == (200, 193)
    assert 300 <= the_log().provider_wait_ms < 2000


@pytest.fixture
def trickling_provider():
    """A provider that sends its headers at once, then its body a byte every 0.2 s."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                body = b'{"result": {"code": 0, "message": "Success."}}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
                for byte in body:
                    if stop.wait(0.2):
                        break
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/oioi"
    stop.set()
    thread.join()
    listener.close()


def test_a_trickling_provider_is_cut_off_within_the_bound(
    client, cpo, partner_server, trickling_provider, settings
):
    settings.OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS = BOUND
    seller = receiving_partner("Online OEM", partner_server, "oem", online_authorization=True)
    seller.partner.endpoint_url = trickling_provider
    seller.partner.save()
    make_key(OEM_UID, OEM_EVCO, seller.partner)
    started = time.monotonic()
    assert verify(client, cpo, OEM_UID)[:2] == (200, 102)
    assert time.monotonic() - started < BOUND + 1
    assert the_log().provider_answer == "timeout"


# --- The CDR goes to the provider that said yes --------------------------------------------------


def charge_and_deliver(client, cpo, uid, partner_server):
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    start = timezone.now() + timedelta(minutes=1)
    interval = {"start": iso(start), "stop": iso(start + timedelta(hours=1))}
    cdr = post_cdr(
        client,
        cpo,
        "S-ONLINE",
        user={"identifier-type": "rfid", "identifier": uid},
        **{"session-interval": interval, "charging-interval": interval},
    )
    deliveries.deliveries_run_due(limit=10)
    return cdr, partner_server.calls("session-post")


@pytest.mark.parametrize("uid", [EMP_UID, KEYLESS_UID])
def test_the_cdr_goes_to_the_emp_that_said_yes(client, cpo, emp, partner_server, uid):
    partner_server.answer(body=allow())
    assert verify(client, cpo, uid)[:2] == (200, 0)
    cdr, sent = charge_and_deliver(client, cpo, uid, partner_server)
    assert cdr.recipient == emp.partner == the_log().provider
    (request,) = sent
    assert request.headers["Authorization"] == f"key={emp.partner.endpoint_key}"


def test_the_cdr_goes_to_the_oem_that_said_yes_and_to_nobody_else(
    client, cpo, oem, emp, partner_server
):
    partner_server.answer(body=allow(PROVIDER_EVCO))
    assert verify(client, cpo, OEM_UID)[:2] == (200, 0)
    cdr, sent = charge_and_deliver(client, cpo, OEM_UID, partner_server)
    assert cdr.recipient == oem.partner
    assert [r.headers["Authorization"] for r in sent] == [f"key={oem.partner.endpoint_key}"]


# --- Query counts --------------------------------------------------------------------------------


def test_a_forwarded_verification_runs_a_bounded_number_of_queries(
    client, cpo, oem, emp, partner_server, django_assert_max_num_queries
):
    verify(client, cpo, OEM_UID)  # the key's once-a-minute "last used" write is not ours
    for uid in (OEM_UID, EMP_UID, KEYLESS_UID):
        # The local verification's, the provider, the outbound audit entry and the log row.
        with django_assert_max_num_queries(9):
            assert verify(client, cpo, uid)[:2] == (200, 0)
    assert len(forwarded(partner_server)) == 4


# --- The partner flag ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["cpo", "fleet"])
def test_only_an_emp_or_oem_may_authorize_online(db, role):
    partner = PartnerFactory(
        **{"is_cpo": False, f"is_{role}": True},
        endpoint_url="http://127.0.0.1:9/oioi",
        online_authorization=True,
    )
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    assert "online_authorization" in refused.value.message_dict


def test_online_authorization_needs_an_endpoint(db):
    partner = PartnerFactory(is_cpo=False, is_oem=True, online_authorization=True)
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    assert "online_authorization" in refused.value.message_dict


# --- The provider simulator ----------------------------------------------------------------------


SIMULATED = {
    "allow": ({"mode": "allow", "evco_id": PROVIDER_EVCO}, 0, PROVIDER_EVCO, "0"),
    "refuse 192": ({"mode": "refuse", "refuse_code": 192}, 192, None, "192"),
    "garbage": ({"mode": "garbage"}, 102, None, "garbage"),
    "down": ({"mode": "down"}, 102, None, "unreachable"),
    "slow": ({"mode": "slow", "delay": 3}, 102, None, "timeout"),
}


@pytest.mark.parametrize("options, code, evco_id, logged", SIMULATED.values(), ids=SIMULATED)
def test_against_the_provider_simulator(client, cpo, settings, options, code, evco_id, logged):
    settings.OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS = BOUND
    simulator = ProviderSimulator(key="the-providers-key-for-us", **options).start()
    try:
        provider = PartnerFactory(
            is_cpo=False,
            is_oem=True,
            online_authorization=True,
            endpoint_url=simulator.url,
            endpoint_key="the-providers-key-for-us",
        )
        make_key(OEM_UID, OEM_EVCO, provider)
        status, answered, body = verify(client, cpo, OEM_UID)
        assert (status, answered, body["evco-id"]) == (200, code, evco_id)
        assert the_log().provider_answer == logged
        if options["mode"] == "garbage":
            # Each of its kinds of garbage in turn.
            assert [verify(client, cpo, OEM_UID)[1] for _ in range(2)] == [102, 102]
            answers = Authorization.objects.values_list("provider_answer", flat=True)
            assert set(answers) == {"garbage"}
    finally:
        simulator.stop()


def test_the_simulator_refuses_a_wrong_key(client, cpo):
    simulator = ProviderSimulator(key="right").start()
    try:
        provider = PartnerFactory(
            is_cpo=False,
            is_oem=True,
            online_authorization=True,
            endpoint_url=simulator.url,
            endpoint_key="wrong",
        )
        make_key(OEM_UID, OEM_EVCO, provider)
        assert verify(client, cpo, OEM_UID)[:2] == (200, 102)
        assert simulator.received == []
    finally:
        simulator.stop()


def test_verification_result_values_stay_the_stored_numbers():
    # Authorization rows hold these numbers; 102 is the one the fallback added.
    assert {r.value for r in VerificationResult} == {0, 191, 192, 193, 102}


# --- The admin: the flag, and the endpoint's health ---------------------------------------------


def test_the_admin_shows_each_online_providers_endpoint_health(
    superuser_client, cpo, oem, partner_server, settings
):
    settings.OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS = BOUND
    partner_server.answer(body=allow())
    partner_server.answer(body=allow(), delay=3)
    verify(client=superuser_client, cpo=cpo, uid=OEM_UID)
    verify(client=superuser_client, cpo=cpo, uid=OEM_UID)
    response = superuser_client.get(reverse("admin:clients_onlineprovider_changelist"))
    assert response.status_code == 200
    (row,) = response.context["cl"].result_list
    assert row == oem.partner
    page = response.content.decode()
    assert "timeout (failed)" in page and "1 of 2 (50 %)" in page
    failing = superuser_client.get(
        reverse("admin:clients_onlineprovider_changelist"), {"health": "failing"}
    )
    assert list(failing.context["cl"].result_list) == [oem.partner]
    one = superuser_client.get(
        reverse("admin:clients_onlineprovider_change", args=[oem.partner.pk])
    )
    assert oem.partner.endpoint_key not in one.content.decode()
    log = superuser_client.get(
        reverse("admin:clients_authorization_changelist"), {"forwarded": "failed"}
    )
    assert [a.provider_answer for a in log.context["cl"].result_list] == ["timeout"]


def test_staff_set_the_flag_on_the_partner_page_for_an_emp_or_oem_only(superuser_client, db):
    data = {
        "name": "Flagged",
        "slug": "flagged",
        "is_active": "on",
        "is_cpo": "on",
        "endpoint_url": "http://127.0.0.1:9/oioi",
        "online_authorization": "on",
        "identifiers-TOTAL_FORMS": "0",
        "identifiers-INITIAL_FORMS": "0",
        "operator_ids-TOTAL_FORMS": "0",
        "operator_ids-INITIAL_FORMS": "0",
    }
    url = reverse("admin:partners_partner_add")
    page = superuser_client.get(url).content.decode()
    assert "online authorization" in page.lower() and "rfid-verify" in page
    refused = superuser_client.post(url, data)
    assert refused.status_code == 200
    assert "Only an EMP or an OEM authorizes online." in refused.content.decode()
    data.pop("is_cpo")
    data["is_oem"] = "on"
    assert superuser_client.post(url, data).status_code == 302
    assert Partner.objects.get(name="Flagged").online_authorization


def test_a_cdr_under_the_providers_own_evco_id_goes_to_it(
    client, cpo, emp, other_cpo, partner_server
):
    partner_server.answer(body=allow("de-prv-c12345678-9"))
    assert verify(client, cpo, KEYLESS_UID)[2]["evco-id"] == "de-prv-c12345678-9"
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    ConnectorFactory(station__owner=other_cpo.partner, evse_id="DE*8PS*E1002")
    start = timezone.now() + timedelta(minutes=1)
    interval = {"start": iso(start), "stop": iso(start + timedelta(hours=1))}
    fields = {
        "user": {"identifier-type": "evco-id", "identifier": PROVIDER_EVCO},
        "session-interval": interval,
        "charging-interval": interval,
    }
    cdr = post_cdr(client, cpo, "S-EVCO", **fields)
    assert (cdr.recipient, cdr.unmatched_user) == (emp.partner, False)
    # Another CPO's CDR under that id: that provider said yes to nobody there.
    elsewhere = post_cdr(
        client, other_cpo, "S-ELSEWHERE", **fields, **{"connector-id": "DE*8PS*E1002"}
    )
    assert (elsewhere.recipient, elsewhere.unmatched_user) == (None, True)
    # A charge that started well before the provider's answer is not the one it authorized.
    early = {"start": iso(start - timedelta(hours=2)), "stop": iso(start - timedelta(hours=1))}
    before = post_cdr(
        client, cpo, "S-BEFORE", **{**fields, "session-interval": early, "charging-interval": early}
    )
    assert (before.recipient, before.unmatched_user) == (None, True)
