"""Fixtures of app user management: two OEMs, so that each test can try the other's users."""

import pytest

from tests.helpers import PartnerWithKey


@pytest.fixture
def oem(db):
    return PartnerWithKey(name="Test OEM", slug="test-oem", is_oem=True)


@pytest.fixture
def other_oem(db):
    return PartnerWithKey(name="Other OEM", slug="other-oem", is_oem=True)
