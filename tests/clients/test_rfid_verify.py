"""rfid-verify through the real endpoint: every answer, the whitelists, the log, the query count."""

import pytest
from django.utils import timezone

from clients import services
from clients.models import Authorization, ChargingKey
from partners.models import AuditLogEntry
from tests.clients.helpers import client_state, push, verify
from tests.factories import PartnerIdentifierFactory, make_key
from tests.mixins import OIOICallContract

PLATFORM_EVCO = "DE*8PS*123456*7"
EMP_EVCO = "DE*EMP*000001*3"


class TestRfidVerifyContract(OIOICallContract):
    call = "rfid-verify"
    roles = frozenset({"cpo"})

    def payload(self, caller):
        if not ChargingKey.objects.filter(uid="04A1B2C3").exists():
            make_key("04A1B2C3", PLATFORM_EVCO)
        return {"rfid": "04A1B2C3"}


# --- The platform's own keys --------------------------------------------------------------------


def test_active_key_with_payment_method_is_0_with_the_evco_id_as_issued(client, cpo):
    make_key("04A1B2C3", "de-8ps-123456-7")
    status, code, body = verify(client, cpo, "04A1B2C3")
    assert (status, code) == (200, 0)
    assert body["evco-id"] == "de-8ps-123456-7"
    assert body["result"]["message"] == "Success."


def test_unknown_uid_is_191(client, cpo):
    make_key("04A1B2C3", PLATFORM_EVCO)
    status, code, body = verify(client, cpo, "04A1B2C4")
    assert (status, code, body["evco-id"]) == (200, 191, None)
    assert body["result"]["message"] == "EVCO ID not found."


def test_blocked_key_is_192(client, cpo):
    make_key("04A1B2C3", PLATFORM_EVCO, blocked=True)
    assert verify(client, cpo, "04A1B2C3")[:2] == (200, 192)


def test_key_without_valid_payment_method_is_193(client, cpo):
    make_key("04A1B2C3", PLATFORM_EVCO, payment=False)
    assert verify(client, cpo, "04A1B2C3")[:2] == (200, 193)


def test_inactive_key_is_191(client, cpo):
    key = make_key("04A1B2C3", PLATFORM_EVCO)
    services.charging_key_change_state(key, ChargingKey.State.INACTIVE, reason="Card replaced.")
    assert verify(client, cpo, "04A1B2C3")[:2] == (200, 191)


def test_unblocked_key_verifies_again(client, cpo):
    key = make_key("04A1B2C3", PLATFORM_EVCO, blocked=True)
    services.charging_key_change_state(key, ChargingKey.State.ACTIVE, reason="Found again.")
    assert verify(client, cpo, "04A1B2C3")[:2] == (200, 0)


@pytest.mark.parametrize("sent", ["04a1b2c3", "04A1b2C3", " 04a1b2c3 "])
def test_lower_case_uid_is_normalized(client, cpo, sent):
    make_key("04A1B2C3", PLATFORM_EVCO)
    status, code, body = verify(client, cpo, sent)
    assert (status, code, body["evco-id"]) == (200, 0, PLATFORM_EVCO)
    assert Authorization.objects.get().uid == "04A1B2C3"


@pytest.mark.parametrize(
    "uid", ["04A1B2C3D5E6F708A9B0", "04A1B2C3D5E6F7"], ids=["20 digits", "14 digits"]
)
def test_long_uids_verify(client, cpo, uid):
    make_key(uid, PLATFORM_EVCO)
    assert verify(client, cpo, uid.lower())[:2] == (200, 0)


@pytest.mark.parametrize(
    "rfid",
    [
        "04A1B2C",  # 7
        "04A1B2C3D",  # 9
        "04A1B2C3D5E6F",  # 13
        "04A1B2C3D5E6F708",  # 16
        "04A1B2C3D5E6F708A9B0C",  # 21
        "04A1B2CG",  # not hex
        "04:A1:B2",
        "",
        1234567,  # a JSON number loses leading zeros: this one is 7 digits long
        None,
    ],
)
def test_malformed_uid_is_400_naming_rfid_and_changes_nothing(client, cpo, rfid):
    make_key("04A1B2C3", PLATFORM_EVCO)
    before = client_state()
    response = cpo.post(client, "rfid-verify", {"rfid": rfid})
    assert response.status_code == 400, response.content
    assert response.json()["result"]["code"] == 230
    assert "rfid-verify.rfid" in response.json()["result"]["message"]
    assert client_state() == before


def test_missing_rfid_is_400(client, cpo):
    response = cpo.post(client, "rfid-verify", {})
    assert (response.status_code, response.json()["result"]["code"]) == (400, 230)
    assert "rfid-verify.rfid" in response.json()["result"]["message"]


# --- Keys whitelisted by partner EMPs -----------------------------------------------------------


def test_whitelisted_uid_without_known_contract_is_0_with_null_evco_id(client, cpo, emp):
    push(client, emp, ["0A0B0C0D"])
    status, code, body = verify(client, cpo, "0a0b0c0d")
    assert (status, code) == (200, 0)
    assert "evco-id" in body and body["evco-id"] is None


def test_emp_contract_whitelisted_by_its_emp_is_0_with_its_evco_id(client, cpo, emp):
    make_key("0A0B0C0D", EMP_EVCO, emp.partner)
    assert verify(client, cpo, "0A0B0C0D")[:2] == (200, 191)
    push(client, emp, ["0A0B0C0D"])
    status, code, body = verify(client, cpo, "0A0B0C0D")
    assert (status, code, body["evco-id"]) == (200, 0, EMP_EVCO)


def test_uid_dropped_from_the_whitelist_is_191(client, cpo, emp):
    make_key("0A0B0C0E", EMP_EVCO, emp.partner)
    push(client, emp, ["0A0B0C0D", "0A0B0C0E"])
    assert verify(client, cpo, "0A0B0C0D")[:2] == (200, 0)
    assert verify(client, cpo, "0A0B0C0E")[:2] == (200, 0)
    push(client, emp, [])
    assert verify(client, cpo, "0A0B0C0D")[:2] == (200, 191)
    assert verify(client, cpo, "0A0B0C0E")[:2] == (200, 191)


def test_dropped_uid_that_is_also_our_own_key_answers_as_our_key(client, cpo, emp):
    make_key("0A0B0C0D", PLATFORM_EVCO)
    push(client, emp, ["0A0B0C0D"])
    push(client, emp, ["FFFFFFFF"])
    status, code, body = verify(client, cpo, "0A0B0C0D")
    assert (status, code, body["evco-id"]) == (200, 0, PLATFORM_EVCO)


def test_whitelisted_blocked_key_is_192(client, cpo, emp):
    make_key("0A0B0C0D", EMP_EVCO, emp.partner, blocked=True)
    push(client, emp, ["0A0B0C0D"])
    assert verify(client, cpo, "0A0B0C0D")[:2] == (200, 192)


def test_whitelisted_key_without_payment_method_is_193(client, cpo, emp):
    make_key("0A0B0C0D", EMP_EVCO, emp.partner, payment=False)
    push(client, emp, ["0A0B0C0D"])
    assert verify(client, cpo, "0A0B0C0D")[:2] == (200, 193)


def test_emp_contract_whitelisted_only_by_another_emp_is_191(client, cpo, emp, other_emp):
    push(client, other_emp, ["0A0B0C0D"])  # before the key: the entry stays on its list
    make_key("0A0B0C0D", EMP_EVCO, emp.partner)
    status, code, body = verify(client, cpo, "0A0B0C0D")
    assert (status, code, body["evco-id"]) == (200, 191, None)


def test_oem_contract_verifies_without_a_whitelist(client, cpo, oem):
    make_key("0A0B0C0D", "DE*OEM*C12345678*9", oem.partner)
    status, code, body = verify(client, cpo, "0A0B0C0D")
    assert (status, code, body["evco-id"]) == (200, 0, "DE*OEM*C12345678*9")


def test_whitelist_of_an_inactive_partner_or_identifier_no_longer_verifies(client, cpo, emp):
    second = PartnerIdentifierFactory(partner=emp.partner)
    push(client, emp, ["0A0B0C0D"])
    push(client, emp, ["0A0B0C0E"], identifier=second)
    second.is_active = False
    second.save()
    assert verify(client, cpo, "0A0B0C0D")[:2] == (200, 0)
    assert verify(client, cpo, "0A0B0C0E")[:2] == (200, 191)
    emp.partner.is_active = False
    emp.partner.save()
    assert verify(client, cpo, "0A0B0C0D")[:2] == (200, 191)


# --- The log ------------------------------------------------------------------------------------


def test_every_verification_is_logged(client, cpo, other_cpo, emp):
    key = make_key("04A1B2C3", PLATFORM_EVCO)
    make_key("04A1B2C4", "DE*8PS*123456*8", blocked=True)
    push(client, emp, ["0A0B0C0D"])
    started = timezone.now()
    for caller, uid in [
        (cpo, "04a1b2c3"),
        (cpo, "04A1B2C4"),
        (other_cpo, "0A0B0C0D"),
        (cpo, "DEADBEEF"),
    ]:
        response = caller.post(client, "rfid-verify", {"rfid": uid})
        assert response.status_code == 200

    rows = list(
        Authorization.objects.order_by("pk").values_list(
            "partner", "uid", "result_code", "evco_id", "charging_key"
        )
    )
    assert rows == [
        (cpo.partner.pk, "04A1B2C3", 0, PLATFORM_EVCO, key.pk),
        (cpo.partner.pk, "04A1B2C4", 192, "", ChargingKey.objects.get(uid="04A1B2C4").pk),
        (other_cpo.partner.pk, "0A0B0C0D", 0, "", None),
        (cpo.partner.pk, "DEADBEEF", 191, "", None),
    ]
    last = Authorization.objects.latest("pk")
    assert last.created_at >= started
    assert AuditLogEntry.objects.filter(request_id=last.request_id, result_code=191).exists()


# --- Cost ---------------------------------------------------------------------------------------

# API key, charging key, whitelist entries, the authorization row, the audit row.
VERIFY_MAX_QUERIES = 5


def test_verify_runs_a_constant_number_of_queries(client, cpo, emp, django_assert_max_num_queries):
    make_key("04A1B2C3", PLATFORM_EVCO)
    make_key("04A1B2C4", "DE*8PS*123456*8", blocked=True)
    make_key("04A1B2C5", "DE*8PS*123456*9", payment=False)
    make_key("0A0B0C0E", EMP_EVCO, emp.partner)
    push(client, emp, [f"{n:08X}" for n in range(0x0A0B0000, 0x0A0B0000 + 500)] + ["0A0B0C0E"])
    verify(client, cpo, "04A1B2C3")  # marks the key used: the once-a-minute write is not ours
    answers = {
        "04A1B2C3": 0,
        "04A1B2C4": 192,
        "04A1B2C5": 193,
        "0A0B0000": 0,
        "0A0B0C0E": 0,
        "DEADBEEF": 191,
    }
    for uid, expected in answers.items():
        with django_assert_max_num_queries(VERIFY_MAX_QUERIES):
            assert verify(client, cpo, uid)[1] == expected
