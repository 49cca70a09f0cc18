"""
Streamed downloads read their rows as they are sent: on PostgreSQL from a cursor that is not
held (a held one is computed whole before its first row is fetched), on SQLite without a
transaction (which would keep writers out), everywhere in chunks and in order.
"""

import pytest
from django.db import connection

from core.streaming import stream_rows
from partners.models import Partner
from tests.factories import PartnerFactory

# Outside the test's own transaction, as a download's rows are read after the view returned.
pytestmark = pytest.mark.django_db(transaction=True)
NAMES = [f"Streamed {n}" for n in range(5)]


@pytest.fixture
def names():
    for name in NAMES:
        PartnerFactory(name=name)
    return stream_rows(Partner.objects.order_by("name").values_list("name", flat=True), 2)


def reading_as_sent():
    """True while a download is being read the way its database streams best."""
    if connection.vendor != "postgresql":
        return not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SELECT is_holdable FROM pg_cursors")
        return [holdable for (holdable,) in cursor.fetchall()] == [False]


def test_rows_are_read_as_they_are_sent_and_nothing_stays_open(names):
    assert next(names) == NAMES[0]
    assert reading_as_sent()
    assert list(names) == NAMES[1:]
    assert not connection.in_atomic_block


def test_a_download_abandoned_midway_leaves_no_transaction_open(names):
    next(names)
    names.close()  # what the server does when the client goes away
    assert not connection.in_atomic_block
    assert list(Partner.objects.values_list("name", flat=True).order_by("name")) == NAMES
