"""
The partner-scope rules of charging keys, whitelist entries and authorizations (``for_partner``
on their querysets), and that the REST API shows exactly what they give, never another's.
"""

import pytest

from clients import selectors, services
from clients.models import Authorization, ChargingKey, WhitelistEntry
from partners.models import Role
from tests.factories import ChargingKeyFactory, PartnerIdentifierFactory
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


def test_whitelist_entries_under_every_identifier_of_the_partner(client, mine, theirs):
    second = PartnerIdentifierFactory(partner=mine.partner)
    services.whitelist_replace(mine.identifier, ["0A0B0C0D"])
    services.whitelist_replace(second, ["04A1B2C3"])
    services.whitelist_replace(theirs.identifier, ["0A0B0C0D", "DEADBEEF"])

    scoped = WhitelistEntry.objects.for_partner(mine.partner)
    assert sorted(scoped.values_list("whitelist__partner_identifier", "uid")) == [
        (mine.identifier.pk, "0A0B0C0D"),
        (second.pk, "04A1B2C3"),
    ]
    assert rest_ids(client, mine, "/api/v1/charging-keys/") == set(
        scoped.values_list("pk", flat=True)
    )


def test_authorizations_of_the_partner(client, mine, theirs):
    for caller in (mine, theirs, theirs):
        services.authorization_record(
            partner=caller.partner,
            uid="04A1B2C3",
            verification=selectors.charging_key_verify("04A1B2C3"),
        )
    scoped = Authorization.objects.for_partner(mine.partner)
    assert list(scoped.values_list("partner", flat=True)) == [mine.partner.pk]
    assert rest_ids(client, mine, "/api/v1/authorizations/") == set(
        scoped.values_list("pk", flat=True)
    )


def test_charging_keys_of_the_contracts_the_partner_provides(mine, theirs):
    own = ChargingKeyFactory(contract__provider=mine.partner)
    ChargingKeyFactory(contract__provider=theirs.partner)
    ChargingKeyFactory(contract__provider=None)
    assert list(ChargingKey.objects.for_partner(mine.partner)) == [own]
