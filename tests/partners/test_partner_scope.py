"""
The partner-scope rules of the audit log and deliveries (``for_partner`` on their querysets),
and that the REST API shows a partner its own rows, never another's.
"""

import pytest

from partners.models import AuditLogEntry, Delivery, Role
from tests.mixins import partner_with_roles


@pytest.fixture
def mine(db):
    return partner_with_roles("Mine", {Role.CPO, Role.EMP})


@pytest.fixture
def theirs(db):
    return partner_with_roles("Theirs", {Role.CPO, Role.EMP})


def rest_ids(client, caller, url):
    response = caller.get(client, url)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_requests_of_the_partner(client, mine, theirs):
    for partner in (mine.partner, theirs.partner, None):
        AuditLogEntry.objects.create(
            partner=partner, request_id="r", interface="oioi", method="POST", path="/"
        )
    scoped = AuditLogEntry.objects.for_partner(mine.partner)
    assert list(scoped.values_list("partner", flat=True)) == [mine.partner.pk]
    # Taken before the listing request, which is logged after its answer.
    expected = set(scoped.values_list("pk", flat=True))
    assert rest_ids(client, mine, "/api/v1/requests/") == expected


def test_deliveries_to_the_partner(client, mine, theirs):
    for partner in (mine.partner, theirs.partner):
        Delivery.objects.create(partner=partner, call="session-post", payload={}, max_attempts=3)
    scoped = Delivery.objects.for_partner(mine.partner)
    assert list(scoped.values_list("partner", flat=True)) == [mine.partner.pk]
    assert rest_ids(client, mine, "/api/v1/deliveries/") == set(scoped.values_list("pk", flat=True))
