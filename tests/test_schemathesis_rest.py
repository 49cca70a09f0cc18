"""
Schemathesis against /api/v1/schema/: requests generated from the OpenAPI document, sent with a
partner's key to the real application; no 500s, and every answer matches the document.
"""

import io
import os

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from oioi_portal import services
from oioi_portal.models import Partner

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
