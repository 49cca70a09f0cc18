"""/api/v1/charging-keys/ (an EMP's whitelist) and /api/v1/authorizations/ (a CPO's history)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients import selectors, services
from clients.models import Authorization, WhitelistEntry
from tests.clients.helpers import push, uids, verify
from tests.factories import PartnerIdentifierFactory, make_key
from tests.mixins import RestEndpointContract

KEYS_URL = "/api/v1/charging-keys/"
AUTHORIZATIONS_URL = "/api/v1/authorizations/"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


class TestChargingKeysContract(RestEndpointContract):
    url = KEYS_URL

    def make_object(self, caller):
        uid = f"{WhitelistEntry.objects.count():08X}"
        services.whitelist_replace(caller.identifier, [uid])
        return WhitelistEntry.objects.get(whitelist__partner_identifier=caller.identifier, uid=uid)


class TestAuthorizationsContract(RestEndpointContract):
    url = AUTHORIZATIONS_URL

    def make_object(self, caller):
        return services.authorization_record(
            partner=caller.partner,
            uid="04A1B2C3",
            verification=selectors.charging_key_verify("04A1B2C3"),
        )


# --- charging-keys ------------------------------------------------------------------------------


def test_an_emp_reads_back_its_whitelist(client, emp):
    push(client, emp, ["0000000A", "0000000B"])
    push(client, emp, ["0000000B", "0000000c"])
    items = results(emp.get(client, KEYS_URL))
    assert {(item["uid"], item["active"]) for item in items} == {
        ("0000000A", False),
        ("0000000B", True),
        ("0000000C", True),
    }
    dropped = next(item for item in items if item["uid"] == "0000000A")
    assert dropped["partner_identifier"] == emp.identifier.value
    assert dropped["removed_at"] is not None and dropped["added_at"]

    active = results(emp.get(client, KEYS_URL, data={"active": "true"}))
    assert sorted(item["uid"] for item in active) == ["0000000B", "0000000C"]
    assert [
        item["uid"] for item in results(emp.get(client, KEYS_URL, data={"uid": "0000000c"}))
    ] == ["0000000C"]


def test_filter_added_since(client, emp):
    push(client, emp, ["0000000A"])
    WhitelistEntry.objects.update(added_at=timezone.now() - timedelta(days=2))
    push(client, emp, ["0000000A", "0000000B"])
    since = (timezone.now() - timedelta(days=1)).isoformat()
    items = results(emp.get(client, KEYS_URL, data={"added_since": since}))
    assert [item["uid"] for item in items] == ["0000000B"]


def test_filter_by_partner_identifier(client, emp):
    second = PartnerIdentifierFactory(partner=emp.partner)
    push(client, emp, ["0000000A"])
    push(client, emp, ["0000000B"], identifier=second)
    items = results(emp.get(client, KEYS_URL, data={"partner_identifier": second.value}))
    assert [item["uid"] for item in items] == ["0000000B"]


def test_malformed_uid_filter_is_400(client, emp):
    push(client, emp, ["0000000A"])
    response = emp.get(client, KEYS_URL, data={"uid": "XYZ"})
    assert response.status_code == 400
    assert "uid" in response.json()


def test_another_emps_whitelist_stays_out_of_reach(client, emp, other_emp):
    push(client, other_emp, ["0000000A"])
    theirs = WhitelistEntry.objects.get()
    assert results(emp.get(client, KEYS_URL, data={"uid": "0000000A"})) == []
    assert (
        results(emp.get(client, KEYS_URL, data={"partner_identifier": other_emp.identifier.value}))
        == []
    )
    assert emp.get(client, f"{KEYS_URL}{theirs.pk}/").status_code == 404


def test_whitelist_pages_cost_a_constant_number_of_queries(
    client, emp, django_assert_max_num_queries
):
    push(client, emp, uids(150))
    # Key, page (with each entry's identifier joined), audit row.
    with django_assert_max_num_queries(3):
        body = emp.get(client, KEYS_URL).json()
    assert len(body["results"]) == 100 and body["next"]


# --- authorizations -----------------------------------------------------------------------------


def test_a_cpo_reads_its_verification_history(client, cpo, other_cpo):
    make_key("04A1B2C3", "DE*8PS*123456*7")
    make_key("04A1B2C4", "DE*8PS*123456*8", blocked=True)
    verify(client, cpo, "04a1b2c3")
    verify(client, cpo, "04A1B2C4")
    verify(client, cpo, "DEADBEEF")
    verify(client, other_cpo, "04A1B2C3")

    items = results(cpo.get(client, AUTHORIZATIONS_URL))
    assert [(item["uid"], item["result_code"], item["evco_id"]) for item in items] == [
        ("DEADBEEF", 191, ""),
        ("04A1B2C4", 192, ""),
        ("04A1B2C3", 0, "DE*8PS*123456*7"),
    ]
    refused = results(cpo.get(client, AUTHORIZATIONS_URL, data={"result_code": 192}))
    assert [item["uid"] for item in refused] == ["04A1B2C4"]
    by_uid = results(cpo.get(client, AUTHORIZATIONS_URL, data={"uid": "04a1b2c3"}))
    assert [item["uid"] for item in by_uid] == ["04A1B2C3"]


@pytest.mark.parametrize("written", ["DE*8PS*123456*7", "de-8ps-123456-7", "DE8PS1234567"])
def test_filter_by_evco_id_in_any_written_form(client, cpo, written):
    make_key("04A1B2C3", "DE*8PS*123456*7")
    make_key("04A1B2C4", "DE*8PS*123456*8")
    verify(client, cpo, "04A1B2C3")
    verify(client, cpo, "04A1B2C4")
    items = results(cpo.get(client, AUTHORIZATIONS_URL, data={"evco_id": written}))
    assert [item["uid"] for item in items] == ["04A1B2C3"]


def test_filter_since(client, cpo):
    verify(client, cpo, "0000000A")
    Authorization.objects.update(created_at=timezone.now() - timedelta(days=2))
    verify(client, cpo, "0000000B")
    since = (timezone.now() - timedelta(days=1)).isoformat()
    items = results(cpo.get(client, AUTHORIZATIONS_URL, data={"since": since}))
    assert [item["uid"] for item in items] == ["0000000B"]


def test_another_cpos_history_stays_out_of_reach(client, cpo, other_cpo):
    verify(client, other_cpo, "0000000A")
    theirs = Authorization.objects.get()
    assert results(cpo.get(client, AUTHORIZATIONS_URL, data={"uid": "0000000A"})) == []
    assert cpo.get(client, f"{AUTHORIZATIONS_URL}{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("url", [KEYS_URL, AUTHORIZATIONS_URL])
def test_lists_are_in_the_openapi_schema(client, db, url):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert url.encode() in response.content
