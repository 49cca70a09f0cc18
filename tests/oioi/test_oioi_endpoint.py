"""The OIOI endpoint core, through real HTTP requests: envelope, keys, roles, errors, audit."""

import json
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from rest_framework import serializers

from oioi.registry import Outcome, registry
from oioi.serializers import OIOISerializer, PartnerIdentifierField
from partners.models import ApiKey, AuditLogEntry, PartnerIdentifier
from tests.factories import PartnerFactory, issue_key
from tests.helpers import OIOI_URL, oioi_post
from tests.mixins import OIOICallContract, PartnerIdentifierContract

# --- Calls registered for these tests only, to drive the dispatcher through every path. ---


class ProbeConnectorSerializer(OIOISerializer):
    id = serializers.CharField()
    speed = serializers.FloatField()


class ProbeSerializer(OIOISerializer):
    partner_identifier = PartnerIdentifierField()
    label = serializers.CharField(max_length=20)
    connectors = ProbeConnectorSerializer(many=True, required=False)
    # What the handler should do after writing: "ok", "integrity", "unavailable" or "crash".
    then = serializers.ChoiceField(["ok", "integrity", "unavailable", "crash"], default="ok")


def probe_write(call):
    """Writes two rows, then fails as asked: a failure must leave neither behind."""
    partner = call.partner
    PartnerIdentifier.objects.create(partner=partner, value=f"{call.data['label']}-first-row-xx")
    PartnerIdentifier.objects.create(partner=partner, value=f"{call.data['label']}-second-row-x")
    then = call.data["then"]
    if then == "integrity":
        PartnerIdentifier.objects.create(
            partner=partner, value=f"{call.data['label']}-first-row-xx"
        )
    elif then == "unavailable":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 /* simulated outage */")
    elif then == "crash":
        raise RuntimeError("bug in a handler")
    return Outcome(members={"probe": {"written": 2}})


@pytest.fixture(autouse=True)
def probe_call():
    registry.register(
        "test-probe", serializer=ProbeSerializer, roles=("cpo",), partner_identifier=True
    )(probe_write)
    yield
    registry.unregister("test-probe")


@pytest.fixture
def outage():
    """The database connection fails for the statement marked as the simulated outage."""

    def fail_marked(execute, sql, params, many, context):
        if "simulated outage" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_marked):
        yield


def probe_payload(caller, **fields):
    return {"partner-identifier": caller.identifier.value, "label": "probe", **fields}


def written_by_probe():
    return PartnerIdentifier.objects.filter(value__contains="-row-").count()


def audit_of(response):
    return AuditLogEntry.objects.get(request_id=response["X-Request-ID"])


def assert_answer(response, http_status, code, *, names=None):
    assert response.status_code == http_status, response.content
    assert response["Content-Type"] == "application/json"
    result = response.json()["result"]
    assert result["code"] == code
    assert isinstance(result["message"], str) and result["message"]
    if names:
        assert names in result["message"]
    entry = audit_of(response)
    assert (entry.http_status, entry.result_code) == (http_status, code)
    return entry


# --- Contracts --------------------------------------------------------------------------


class TestMinimumVersionContract(OIOICallContract):
    call = "api-minimum-version-number"

    def payload(self, caller):
        return {}


class TestProbeContract(OIOICallContract, PartnerIdentifierContract):
    call = "test-probe"
    roles = frozenset({"cpo"})

    def payload(self, caller):
        return probe_payload(caller)


# --- api-minimum-version-number ---------------------------------------------------------


def test_minimum_version_is_configurable(client, cpo, settings):
    settings.OIOI_MINIMUM_VERSION = "4.1.0"
    response = cpo.post(client, "api-minimum-version-number", {})
    assert response.json() == {
        "api-minimum-version-number": {"minimum-version": "4.1.0"},
        "result": {"code": 0, "message": "Success."},
    }


# --- API key (401 / 210) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer abc.def",
        "key=",
        "key=no-dot-in-this-key",
        "key=unknownprefix.secretsecretsecretsecretsecretsecret",
        "key=.secret-without-prefix",
        "key=waytoolongprefix.secret",
    ],
)
def test_missing_or_malformed_or_unknown_key_is_401(client, cpo, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post(
        OIOI_URL,
        data=json.dumps({"api-minimum-version-number": {}}),
        content_type="application/json",
        **extra,
    )
    entry = assert_answer(response, 401, 210)
    assert response["WWW-Authenticate"].startswith("key")
    assert entry.partner is None and entry.key_prefix == ""


def test_expired_key_is_401(client, cpo):
    ApiKey.objects.filter(pk=cpo.api_key.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = cpo.post(client, "api-minimum-version-number", {})
    assert_answer(response, 401, 210, names="expired")


def test_revoked_key_is_refused_on_the_next_request(client, cpo):
    assert cpo.post(client, "api-minimum-version-number", {}).status_code == 200
    ApiKey.objects.filter(pk=cpo.api_key.pk).update(revoked_at=timezone.now())
    response = cpo.post(client, "api-minimum-version-number", {})
    assert_answer(response, 401, 210, names="revoked")


def test_key_of_inactive_partner_is_401(client, cpo):
    cpo.partner.is_active = False
    cpo.partner.save()
    assert_answer(cpo.post(client, "api-minimum-version-number", {}), 401, 210)


def test_rotation_keeps_old_and_new_key_working(client, cpo):
    _, new_key = issue_key(cpo.partner, label="rotation")
    for key in (cpo.key, new_key):
        assert oioi_post(client, key, "api-minimum-version-number", {}).status_code == 200


def test_key_network_allow_list(client, cpo):
    ApiKey.objects.filter(pk=cpo.api_key.pk).update(allowed_networks="10.0.0.0/8\n192.0.2.0/24")
    refused = cpo.post(client, "api-minimum-version-number", {}, REMOTE_ADDR="203.0.113.9")
    assert_answer(refused, 401, 210, names="network")
    allowed = cpo.post(client, "api-minimum-version-number", {}, REMOTE_ADDR="192.0.2.77")
    assert allowed.status_code == 200


def test_forwarded_address_is_trusted_only_behind_configured_proxies(client, cpo, settings):
    ApiKey.objects.filter(pk=cpo.api_key.pk).update(allowed_networks="192.0.2.0/24")
    forged = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}
    assert cpo.post(client, "api-minimum-version-number", {}, **forged).status_code == 401
    settings.TRUSTED_PROXY_COUNT = 1
    response = cpo.post(client, "api-minimum-version-number", {}, **forged)
    assert response.status_code == 200
    assert audit_of(response).client_address == "192.0.2.1"


def test_key_last_used_is_recorded_without_a_write_per_request(client, cpo):
    assert cpo.api_key.last_used_at is None
    cpo.post(client, "api-minimum-version-number", {})
    first = ApiKey.objects.get(pk=cpo.api_key.pk).last_used_at
    assert first is not None
    cpo.post(client, "api-minimum-version-number", {})
    assert ApiKey.objects.get(pk=cpo.api_key.pk).last_used_at == first


# --- Envelope (400 / 230), 405, 413 -----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "names"),
    [
        (b"", "empty"),
        (b"{not json", "JSON"),
        (b"\xff\xfe", "JSON"),
        (b'{"api-minimum-version-number": NaN}', "JSON"),
        (b"[]", "object"),
        (b'"api-minimum-version-number"', "object"),
        (b"{}", "exactly one member"),
        (b'{"api-minimum-version-number": {}, "station-post": {}}', "exactly one member"),
        (b'{"no-such-call": {}}', "no-such-call"),
        (b'{"api-minimum-version-number": []}', "api-minimum-version-number"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_malformed_envelope_is_400(client, cpo, body, names):
    response = client.post(
        OIOI_URL, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"key={cpo.key}"
    )
    assert_answer(response, 400, 230, names=names)


def test_missing_field_is_400_naming_it(client, cpo):
    response = cpo.post(client, "test-probe", {"partner-identifier": cpo.identifier.value})
    assert_answer(response, 400, 230, names="test-probe.label")


def test_malformed_nested_field_is_400_naming_its_path(client, cpo):
    payload = probe_payload(cpo, connectors=[{"id": "a", "speed": 22}, {"id": "b", "speed": "x"}])
    response = cpo.post(client, "test-probe", payload)
    assert_answer(response, 400, 230, names="test-probe.connectors[1].speed")
    assert written_by_probe() == 0


def test_extra_fields_are_ignored(client, cpo):
    response = cpo.post(client, "test-probe", probe_payload(cpo, **{"new-optional-field": 1}))
    assert_answer(response, 200, 0)


def test_unknown_call_is_checked_before_the_role(client, emp):
    assert_answer(emp.post(client, "no-such-call", {}), 400, 230, names="no-such-call")
    assert_answer(emp.post(client, "test-probe", {}), 403, 220)


def test_key_is_checked_before_the_envelope(client, db):
    response = client.post(OIOI_URL, data=b"{not json", content_type="application/json")
    assert_answer(response, 401, 210)


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_are_405(client, cpo, method):
    response = getattr(client, method)(OIOI_URL, HTTP_AUTHORIZATION=f"key={cpo.key}")
    assert_answer(response, 405, 230, names=method.upper())
    assert response["Allow"] == "POST"


def test_get_without_key_is_405(client, db):
    assert_answer(client.get(OIOI_URL), 405, 230)


def test_oversized_body_is_413_and_changes_nothing(client, cpo, settings):
    settings.OIOI_MAX_REQUEST_BYTES = 2048
    payload = probe_payload(cpo, connectors=[{"id": "x" * 100, "speed": 1}] * 30)
    response = cpo.post(client, "test-probe", payload)
    assert_answer(response, 413, 230)
    assert written_by_probe() == 0


def test_default_body_limit_admits_a_large_whitelist(client, cpo):
    payload = probe_payload(
        cpo, connectors=[{"id": f"{n:020X}", "speed": 1} for n in range(60_000)]
    )
    assert len(json.dumps(payload)) > 2 * 1024 * 1024
    assert_answer(cpo.post(client, "test-probe", payload), 200, 0)


# --- Our failures (5xx / 1xx) roll the call back ----------------------------------------


def test_database_outage_mid_call_is_503_with_retry_after_and_nothing_written(client, cpo, outage):
    response = cpo.post(client, "test-probe", probe_payload(cpo, then="unavailable"))
    assert_answer(response, 503, 101)
    assert int(response["Retry-After"]) > 0
    assert written_by_probe() == 0


def test_database_error_mid_call_is_500_and_nothing_written(client, cpo):
    response = cpo.post(client, "test-probe", probe_payload(cpo, then="integrity"))
    assert_answer(response, 500, 101)
    assert written_by_probe() == 0


def test_bug_in_a_handler_is_500_and_nothing_written(client, cpo):
    response = cpo.post(client, "test-probe", probe_payload(cpo, then="crash"))
    assert_answer(response, 500, 100)
    assert written_by_probe() == 0


def test_successful_call_commits(client, cpo):
    response = cpo.post(client, "test-probe", probe_payload(cpo))
    assert response.json() == {
        "probe": {"written": 2},
        "result": {"code": 0, "message": "Success."},
    }
    assert written_by_probe() == 2


# Outside a test transaction: a failed statement inside one would poison the test's own block.
@pytest.mark.django_db(transaction=True)
def test_database_down_for_the_whole_request_still_answers(client, cpo):
    def down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(down):
        response = cpo.post(client, "api-minimum-version-number", {})
    assert response.status_code == 503
    assert response.json()["result"]["code"] == 101
    assert "Retry-After" in response
    # The audit row could not be written while the database was down.
    assert not AuditLogEntry.objects.filter(request_id=response["X-Request-ID"]).exists()


# --- Audit log --------------------------------------------------------------------------


def test_audit_row_of_a_successful_call(client, cpo):
    response = cpo.post(
        client,
        "api-minimum-version-number",
        {},
        HTTP_X_CORRELATION_ID="trace-42",
        REMOTE_ADDR="198.51.100.7",
    )
    entry = audit_of(response)
    assert response["X-Correlation-ID"] == "trace-42"
    assert entry.correlation_id == "trace-42"
    assert entry.partner == cpo.partner
    assert entry.key_prefix == cpo.api_key.prefix
    assert entry.call == "api-minimum-version-number"
    assert entry.interface == AuditLogEntry.Interface.OIOI
    assert entry.direction == AuditLogEntry.Direction.INBOUND
    assert (entry.method, entry.path) == ("POST", OIOI_URL)
    assert (entry.http_status, entry.result_code) == (200, 0)
    assert entry.client_address == "198.51.100.7"
    assert entry.duration_ms >= 0


def test_audit_never_holds_the_key(client, cpo):
    secret = cpo.key.partition(".")[2]
    cpo.post(client, "api-minimum-version-number", {})
    oioi_post(client, cpo.key + "tampered", "api-minimum-version-number", {})
    for entry in AuditLogEntry.objects.all():
        assert all(secret not in str(value) for value in entry.__dict__.values())


def test_request_ids_are_unique_per_request(client, cpo):
    first = cpo.post(client, "api-minimum-version-number", {})
    second = cpo.post(client, "api-minimum-version-number", {})
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert first["X-Correlation-ID"] == first["X-Request-ID"]


# --- Cost of the request path -----------------------------------------------------------


def test_authenticated_call_costs_a_constant_number_of_queries(
    client, cpo, django_assert_max_num_queries
):
    cpo.post(client, "api-minimum-version-number", {})  # records last use once
    PartnerFactory.create_batch(20)
    for _ in range(5):
        issue_key(cpo.partner)
    # Key lookup with its partner, and the audit row.
    with django_assert_max_num_queries(2):
        response = cpo.post(client, "api-minimum-version-number", {})
    assert response.status_code == 200


def test_call_with_partner_identifier_costs_a_constant_number_of_queries(
    client, cpo, django_assert_max_num_queries
):
    cpo.post(client, "api-minimum-version-number", {})
    # Key, identifier, the handler's two inserts, the audit row, and the transaction's
    # savepoint bookkeeping on backends that count it.
    with django_assert_max_num_queries(7):
        response = cpo.post(client, "test-probe", probe_payload(cpo))
    assert response.status_code == 200


def test_nul_characters_are_audited_not_fatal(client, cpo):
    response = cpo.post(client, "no-such\x00call", {})
    assert_answer(response, 400, 230)
    assert audit_of(response).call == "no-such\ufffdcall"
