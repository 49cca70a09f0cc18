"""
Schemathesis against /api/v1/schema/: requests generated from the OpenAPI document, sent with a
partner's key to the real application; no 500s, and every answer matches the document.
"""

import io
import os
from base64 import b64encode
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, quote_from_bytes

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from partners import services
from partners.models import Partner, Role
from tests.mixins import partner_with_roles
from tests.test_hostile_input import LIST_URLS, filters_of

pytestmark = pytest.mark.slow

# Bounded for `make test`; `make fuzz` raises it (SCHEMA_EXAMPLES) for the long run.
EXAMPLES = settings(
    max_examples=int(os.environ.get("SCHEMA_EXAMPLES", 15)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Transactional: the WSGI application closes the database connection after each request, as
# it does in production, which a test inside one transaction would not survive.
@pytest.mark.django_db(transaction=True)
def test_rest_api_matches_its_schema():
    from oioi_portal.wsgi import application

    # The demo data of every app, and the key of a partner that has some of each.
    call_command("seed_demo", stdout=io.StringIO())
    key = services.api_key_issue(Partner.objects.get(name="Demo CPO")).plaintext
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @EXAMPLES
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(
                headers={"Authorization": f"key={key}"},
                # Query filters are as lenient as django-filter makes them (a decimal for an
                # integer matches nothing rather than failing); every answer must still match.
                excluded_checks=[negative_data_rejection, positive_data_acceptance],
            )

        check()


# Hostile values of each class the REST API must answer with a 4xx in JSON (see
# tests/test_hostile_input.py), generated so that a neighbour of a known case is met too.
offsets = st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
edge_times = st.builds(
    lambda moment, zone, form: form(moment.replace(tzinfo=zone)),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))
    | st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)]),
    offsets,
    st.sampled_from([datetime.isoformat, lambda d: d.date().isoformat(), lambda d: str(d)]),
)
crafted_cursors = st.builds(
    lambda position, offset, reverse: b64encode(
        "&".join(
            f"{key}={quote(value)}"
            for key, value in (("p", position), ("o", offset), ("r", reverse))
            if value is not None
        ).encode()
    ).decode(),
    st.none() | st.text(max_size=30) | edge_times | st.integers().map(str),
    st.none() | st.integers().map(str),
    st.none() | st.sampled_from(["0", "1", "2", "x"]),
)
odd_bytes = st.binary(max_size=20) | st.just("\ud800".encode("utf-8", "surrogatepass"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", LIST_URLS)
def test_generated_hostile_queries_never_break_the_rest_api(client, url):
    caller = partner_with_roles("Hostile", set(Role))
    client.raise_request_exception = False
    names = st.sampled_from([*filters_of(url), "cursor", "page_size", "format"])
    values = (
        edge_times.map(quote)
        | crafted_cursors
        | odd_bytes.map(quote_from_bytes)
        | st.text(max_size=20).map(lambda text: quote(text, errors="surrogatepass"))
    )

    @EXAMPLES
    @given(
        query=st.lists(st.tuples(names, values), max_size=5),
        padding=st.sampled_from([0, django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS]),
        foreign_host=st.booleans(),
    )
    def check(query, padding, foreign_host):
        fields = [f"{name}={value}" for name, value in query] + ["pad"] * padding
        extra = {"HTTP_HOST": "attacker.example"} if foreign_host else {}
        response = caller.get(client, f"{url}?{'&'.join(fields)}", **extra)
        assert response.status_code in (200, 400, 404), response.content[:300]
        if response.status_code != 200:
            assert response["Content-Type"] == "application/json"
            assert response.json()
        if foreign_host or len(fields) > django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
            assert response.status_code == 400

    check()
