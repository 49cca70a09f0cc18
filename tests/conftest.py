import json

import pytest

from tests.factories import PartnerFactory, PartnerIdentifierFactory, issue_key

OIOI_URL = "/api/v4/request"


def oioi_post(client, key, call, payload, **extra):
    """POST one OIOI call through the real endpoint, as a partner's system would."""
    headers = {"HTTP_AUTHORIZATION": f"key={key}"} if key else {}
    return client.post(
        OIOI_URL,
        data=json.dumps({call: payload}),
        content_type="application/json",
        **headers,
        **extra,
    )


class PartnerWithKey:
    """A partner, one of its partner identifiers and a usable API key."""

    def __init__(self, **partner_fields):
        self.partner = PartnerFactory(**partner_fields)
        self.identifier = PartnerIdentifierFactory(partner=self.partner)
        self.api_key, self.key = issue_key(self.partner)

    def post(self, client, call, payload, **extra):
        return oioi_post(client, self.key, call, payload, **extra)

    def get(self, client, url, **extra):
        return client.get(url, HTTP_AUTHORIZATION=f"key={self.key}", **extra)


@pytest.fixture
def cpo(db):
    return PartnerWithKey(name="Test CPO", slug="test-cpo", is_cpo=True)


@pytest.fixture
def emp(db):
    return PartnerWithKey(name="Test EMP", slug="test-emp", is_cpo=False, is_emp=True)


@pytest.fixture
def other_cpo(db):
    return PartnerWithKey(name="Other CPO", slug="other-cpo", is_cpo=True)
