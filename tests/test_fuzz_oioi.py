"""
Property tests of the OIOI endpoint with generated requests, for every registered call: the
answer is always a JSON envelope with a documented status and an integer code, never a 500,
and a refused request changes nothing in the database.
"""

import json
import os
from urllib.parse import quote_from_bytes

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clients.models import Authorization
from oioi.registry import registry
from oioi.results import ResultCode
from oioi.views import MAX_JSON_DEPTH
from partners.models import AuditLogEntry, RateLimitCounter, Role
from tests.helpers import OIOI_URL
from tests.mixins import partner_with_roles

pytestmark = pytest.mark.slow

DOCUMENTED_STATUSES = {200, 400, 403, 413}
DOMAIN_APPS = ("partners", "stations", "clients", "sessions_app", "cdrs")
# Bounded for `make test`; `make fuzz` raises it (FUZZ_EXAMPLES) for the long run.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any code point, lone UTF-16 surrogates (which JSON escapes carry) included.
odd_text = st.text(max_size=40) | st.sampled_from(
    ["", " ", "\u0000", "\ud800", "x\udfff", "DE*8PS*E1", "0A1B2C3D", "x" * 5000, "ü" * 300, "🔌"]
)
numbers = (
    st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | (st.sampled_from(["22", "3.7", "-1", "1e400", "NaN"]))
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | odd_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(odd_text, children, max_size=4)
    ),
    max_leaves=20,
)


def wire_fields(serializer_class):
    """The call's own field names, so generated payloads reach its validation and rules."""
    return sorted(serializer_class().fields)


def payloads_for(call):
    names = wire_fields(registry.get(call).serializer_class)
    known = st.fixed_dictionaries({}, optional={name: json_values for name in names})
    return st.one_of(known, json_values)


# Calls whose answers are records themselves: a verification is logged whatever it answers.
ANSWER_LOGS = {"rfid-verify": Authorization._meta.label}


def without(counts, label):
    return {name: count for name, count in counts.items() if name != label}


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for app in DOMAIN_APPS
        if apps.is_installed(app)
        for model in apps.get_app_config(app).get_models()
        # What every request writes, refused or not: its audit row and its rate limit count.
        if model not in (AuditLogEntry, RateLimitCounter)
    }


@pytest.fixture
def everyone(db):
    """A partner holding every role, so every call gets past the role check."""
    return partner_with_roles("Fuzzer", set(Role))


def assert_envelope(response):
    assert response.status_code in DOCUMENTED_STATUSES, response.content[:500]
    body = response.json()
    assert isinstance(body["result"]["code"], int)
    assert isinstance(body["result"]["message"], str)
    return body


@pytest.mark.parametrize("call", registry.names())
def test_generated_payloads_never_break_the_endpoint(client, everyone, call):
    @FUZZ
    @given(payload=payloads_for(call))
    def check(payload):
        before = row_counts()
        response = everyone.post(client, call, payload)
        code = assert_envelope(response)["result"]["code"]
        if code == ResultCode.INVALID_REQUEST_FORMAT:
            assert row_counts() == before
        elif response.status_code != 200 or code >= 100:
            # A valid request answered "no" writes nothing but the call's own log of answers.
            logged = ANSWER_LOGS.get(call)
            assert without(row_counts(), logged) == without(before, logged)

    check()


@FUZZ
@given(body=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_generated_bodies_never_break_the_endpoint(client, everyone, body):
    before = row_counts()
    response = client.post(
        OIOI_URL,
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"key={everyone.key}",
    )
    assert_envelope(response)
    assert row_counts() == before


@FUZZ
@given(depth=st.integers(min_value=1, max_value=5000))
def test_deep_nesting_is_refused_cleanly(client, everyone, depth):
    body = ('{"station-post": ' + "[" * depth + "]" * depth + "}").encode()
    response = client.post(
        OIOI_URL,
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"key={everyone.key}",
    )
    assert assert_envelope(response)["result"]["code"] == 230


@FUZZ
@given(header=odd_text)
def test_generated_authorization_headers_are_401(client, db, header):
    response = client.post(
        OIOI_URL,
        data=b'{"api-minimum-version-number": {}}',
        content_type="application/json",
        HTTP_AUTHORIZATION=header.replace("\n", " ").replace("\r", " ").replace("\x00", ""),
    )
    assert response.status_code == 401
    assert response.json()["result"]["code"] == 210


def nested_text(depth, kind):
    """JSON nested ``depth`` levels, as text: no encoder could write it deeper than its stack."""
    if kind == "object":
        return '{"a":' * depth + "0" + "}" * depth
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("call", registry.names())
def test_deep_nesting_in_any_member_is_refused_cleanly(client, everyone, call):
    members = st.sampled_from([*wire_fields(registry.get(call).serializer_class), "ignored"])

    @FUZZ
    @given(
        member=members,
        depth=st.integers(min_value=1, max_value=20_000),
        kind=st.sampled_from(["list", "object"]),
    )
    def check(member, depth, kind):
        before = row_counts()
        body = f'{{"{call}": {{"{member}": {nested_text(depth, kind)}}}}}'
        response = client.post(
            OIOI_URL,
            data=body.encode(),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"key={everyone.key}",
        )
        code = assert_envelope(response)["result"]["code"]
        if depth > MAX_JSON_DEPTH:
            assert code == ResultCode.INVALID_REQUEST_FORMAT
            assert row_counts() == before

    check()


@FUZZ
@given(
    fields=st.integers(min_value=0, max_value=3 * django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS),
    name=odd_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
)
def test_generated_query_strings_never_break_the_endpoint(client, everyone, fields, name):
    # Raw bytes percent-encoded: a lone surrogate arrives as its (invalid) UTF-8 bytes.
    query = "&".join([f"{quote_from_bytes(name)}={n}" for n in range(fields)])
    response = client.post(
        f"{OIOI_URL}?{query}",
        data=b'{"api-minimum-version-number": {}}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"key={everyone.key}",
    )
    body = assert_envelope(response)
    if fields > django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
        assert body["result"]["code"] == ResultCode.INVALID_REQUEST_FORMAT
    else:
        assert body["result"]["code"] == ResultCode.SUCCESS
