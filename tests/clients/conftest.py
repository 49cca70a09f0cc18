"""Fixtures of the client exchange: the partners besides the CPO and EMP of tests/conftest.py."""

import pytest

from tests.helpers import PartnerWithKey


@pytest.fixture
def oem(db):
    return PartnerWithKey(name="Test OEM", slug="test-oem", is_cpo=False, is_oem=True)


@pytest.fixture
def other_emp(db):
    return PartnerWithKey(name="Other EMP", slug="other-emp", is_cpo=False, is_emp=True)


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client
