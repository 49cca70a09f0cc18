"""Fixtures of the station calls' tests."""

import pytest

from tests.helpers import PartnerWithKey


@pytest.fixture
def reader(db):
    """An EMP app reading stations."""
    return PartnerWithKey(name="Reader EMP", slug="reader-emp", is_cpo=False, is_emp=True)
