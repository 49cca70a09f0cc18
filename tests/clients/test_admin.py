"""The clients back-office, driven through the real admin as signed-in staff users."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse

from clients import services
from clients.models import Authorization, ChargingKey, Contract, Customer, Whitelist
from partners import groups
from tests.clients.helpers import client_state, staff_client, uids, verify
from tests.factories import PartnerFactory, PartnerIdentifierFactory, make_key

CUSTOMERS_URL = reverse("admin:clients_customer_changelist")
CUSTOMER_ADD_URL = reverse("admin:clients_customer_add")
KEYS_URL = reverse("admin:clients_chargingkey_changelist")
KEY_ADD_URL = reverse("admin:clients_chargingkey_add")
WHITELISTS_URL = reverse("admin:clients_whitelist_changelist")
ENTRIES_URL = reverse("admin:clients_whitelistentry_changelist")
AUTHORIZATIONS_URL = reverse("admin:clients_authorization_changelist")


def key_url(key, view="change"):
    return reverse(f"admin:clients_chargingkey_{view}", args=[key.pk])


def listed(response):
    assert response.status_code == 200, response.content
    return list(response.context["cl"].result_list)


@pytest.fixture
def keys(db):
    """Two platform customers' keys and an EMP's, each on its own contract."""
    emp = PartnerFactory(name="Roaming EMP", slug="roaming-emp", is_cpo=False, is_emp=True)
    anna = make_key("04A1B2C3", "DE*8PS*123456*7")
    anna.customer.name, anna.customer.email = "Anna Driver", "anna@example.com"
    anna.customer.save()
    return {
        "anna": anna,
        "bert": make_key("04A1B2C4", "DE*8PS*654321*0", blocked=True),
        "emp": make_key("0A0B0C0D", "DE*EMP*C12345678", emp),
    }


# --- Customers ----------------------------------------------------------------------------------


def test_customer_page_shows_its_contracts_and_keys_inline(superuser_client, keys):
    anna = keys["anna"]
    make_key("04A1B2C5", "DE*8PS*123456*7")  # a second key on the same contract
    response = superuser_client.get(
        reverse("admin:clients_customer_change", args=[anna.customer.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "DE*8PS*123456*7" in page
    assert "04A1B2C3" in page and "04A1B2C5" in page
    assert "04A1B2C4" not in page  # another customer's key
    assert key_url(anna) in page


@pytest.mark.parametrize(
    ("term", "who"),
    [
        ("04a1b2c3", "anna"),
        ("de-8ps-123456-7", "anna"),
        ("DE8PS1234567", "anna"),
        ("anna@example", "anna"),
        ("de*emp*c12345678", "emp"),
        ("0a0b0c0d", "emp"),
    ],
)
def test_customers_are_found_by_uid_or_evco_id_in_any_form(superuser_client, keys, term, who):
    found = listed(superuser_client.get(CUSTOMERS_URL, {"q": term}))
    assert found == [keys[who].customer]


def test_add_a_customer_with_a_contract(superuser_client, db):
    data = {
        "name": "Carla",
        "email": "carla@example.com",
        "has_valid_payment_method": "on",
        "contracts-TOTAL_FORMS": "1",
        "contracts-INITIAL_FORMS": "0",
        "contracts-0-evco_id": "de-8ps-777777-7",
        "contracts-0-provider": "",
        "charging_keys-TOTAL_FORMS": "0",
        "charging_keys-INITIAL_FORMS": "0",
    }
    response = superuser_client.post(CUSTOMER_ADD_URL, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    contract = Contract.objects.get()
    assert (contract.evco_id, contract.evco_id_normalized) == ("de-8ps-777777-7", "DE8PS7777777")
    assert contract.customer.name == "Carla" and contract.provider is None

    data["contracts-0-evco_id"] = "DE8PS7777777"
    data["name"] = "Carla again"
    response = superuser_client.post(CUSTOMER_ADD_URL, data)
    assert response.status_code == 200  # the same contract, written otherwise
    assert Customer.objects.count() == 1

    data["contracts-0-evco_id"] = "not an evco id"
    response = superuser_client.post(CUSTOMER_ADD_URL, data)
    assert response.status_code == 200
    assert "An EVCO id looks like" in response.content.decode()
    assert Customer.objects.count() == 1 and Contract.objects.count() == 1


def test_customer_list_filters_by_provider(superuser_client, keys):
    platform = listed(superuser_client.get(CUSTOMERS_URL, {"provider": "platform"}))
    assert set(platform) == {keys["anna"].customer, keys["bert"].customer}
    provider = keys["emp"].contract.provider
    assert listed(superuser_client.get(CUSTOMERS_URL, {"provider": provider.pk})) == [
        keys["emp"].customer
    ]


# --- Charging keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "who"),
    [
        ("04a1b2c3", "anna"),
        ("04A1B2C3", "anna"),
        ("DE*8PS*123456*7", "anna"),
        ("de-8ps-123456-7", "anna"),
        ("DE8PS1234567", "anna"),
        ("Anna", "anna"),
        ("de8psc12345678", None),
        ("DE-EMP-C12345678", "emp"),
    ],
)
def test_keys_are_found_by_uid_in_any_case_or_evco_id_with_or_without_separators(
    superuser_client, keys, term, who
):
    found = listed(superuser_client.get(KEYS_URL, {"q": term}))
    assert found == ([keys[who]] if who else [])


def test_block_and_unblock_with_a_reason_are_audited(superuser_client, admin_user, keys, cpo):
    anna = keys["anna"]
    page = superuser_client.get(key_url(anna)).content.decode()
    assert key_url(anna, "block") in page and key_url(anna, "unblock") not in page

    response = superuser_client.post(key_url(anna, "block"), {"reason": "Card reported stolen."})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.state, anna.state_reason, anna.state_changed_by) == (
        "blocked",
        "Card reported stolen.",
        admin_user,
    )
    assert verify(superuser_client, cpo, "04A1B2C3")[1] == 192

    response = superuser_client.post(key_url(anna, "unblock"), {"reason": "Card found again."})
    assert response.status_code == 302
    assert verify(superuser_client, cpo, "04A1B2C3")[1] == 0

    log = list(
        LogEntry.objects.filter(object_id=str(anna.pk))
        .order_by("pk")
        .values_list("user", "action_flag", "change_message")
    )
    assert log == [
        (admin_user.pk, CHANGE, "Blocked: Card reported stolen."),
        (admin_user.pk, CHANGE, "Unblocked: Card found again."),
    ]


def test_deactivate(superuser_client, keys, cpo):
    anna = keys["anna"]
    response = superuser_client.post(key_url(anna, "deactivate"), {"reason": "Replaced."})
    assert response.status_code == 302
    assert ChargingKey.objects.get(pk=anna.pk).state == "inactive"
    assert verify(superuser_client, cpo, "04A1B2C3")[1] == 191


@pytest.mark.parametrize(
    ("view", "reason", "error"),
    [
        ("block", "", "This field is required."),
        ("block", "   ", "This field is required."),
        ("unblock", "Why not.", "already active"),
    ],
)
def test_a_state_change_without_reason_or_to_the_same_state_changes_nothing(
    superuser_client, keys, view, reason, error
):
    before = client_state()
    response = superuser_client.post(key_url(keys["anna"], view), {"reason": reason})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert client_state() == before
    assert not LogEntry.objects.exists()


def test_add_a_key_normalizes_its_uid(superuser_client, keys):
    contract = keys["anna"].contract
    response = superuser_client.post(
        KEY_ADD_URL, {"uid": "04a1b2c3d5e6f7", "contract": contract.pk}
    )
    assert response.status_code == 302
    key = ChargingKey.objects.get(uid="04A1B2C3D5E6F7")
    assert key.customer == contract.customer and key.state == "active"

    before = client_state()
    for uid in ("04a1b2c3", "04A1B2C", "not-hex!"):
        response = superuser_client.post(KEY_ADD_URL, {"uid": uid, "contract": contract.pk})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["uid"]
    assert client_state() == before


def test_keys_are_never_deleted_and_their_uid_is_fixed(superuser_client, keys):
    anna = keys["anna"]
    assert superuser_client.get(key_url(anna, "delete")).status_code == 403
    superuser_client.post(key_url(anna), {"uid": "FFFFFFFF", "contract": keys["bert"].contract.pk})
    anna.refresh_from_db()
    assert (anna.uid, anna.contract_id) == ("04A1B2C3", keys["anna"].contract_id)


def test_support_group_reads_but_cannot_block(keys):
    support = staff_client("support", groups.SUPPORT)
    anna = keys["anna"]
    for url in (CUSTOMERS_URL, KEYS_URL, key_url(anna), WHITELISTS_URL, AUTHORIZATIONS_URL):
        assert support.get(url).status_code == 200, url
    assert key_url(anna, "block") not in support.get(key_url(anna)).content.decode()
    assert support.post(key_url(anna, "block"), {"reason": "No."}).status_code == 403
    assert (
        support.post(KEY_ADD_URL, {"uid": "FFFFFFFF", "contract": anna.contract_id}).status_code
        == 403
    )
    assert ChargingKey.objects.get(pk=anna.pk).state == "active"


def test_partner_management_group_blocks_keys(keys):
    manager = staff_client("manager", groups.PARTNER_MANAGEMENT)
    response = manager.post(key_url(keys["anna"], "block"), {"reason": "Unpaid invoices."})
    assert response.status_code == 302
    assert ChargingKey.objects.get(pk=keys["anna"].pk).state == "blocked"


# --- Whitelists ---------------------------------------------------------------------------------


@pytest.fixture
def whitelists(db):
    emp = PartnerFactory(name="Roaming EMP", slug="roaming-emp", is_cpo=False, is_emp=True)
    other = PartnerFactory(name="Other EMP", slug="other-emp", is_cpo=False, is_emp=True)
    mine = PartnerIdentifierFactory(partner=emp)
    theirs = PartnerIdentifierFactory(partner=other)
    services.whitelist_replace(mine, uids(5))
    services.whitelist_replace(mine, uids(4, start=2))
    services.whitelist_replace(theirs, uids(3, start=0x69))
    return {"emp": emp, "other": other, "mine": mine, "theirs": theirs}


def test_whitelists_per_partner_with_counts_and_last_push(superuser_client, whitelists):
    response = superuser_client.get(WHITELISTS_URL, {"partner": whitelists["emp"].pk})
    (whitelist,) = listed(response)
    assert whitelist.partner_identifier == whitelists["mine"]
    assert (whitelist.active_count, whitelist.inactive_count) == (4, 2)
    assert (whitelist.last_push_size, whitelist.last_push_added, whitelist.last_push_removed) == (
        4,
        1,
        2,
    )
    rows = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert "Roaming EMP" in rows and "Other EMP" not in rows

    entries = listed(
        superuser_client.get(
            ENTRIES_URL, {"whitelist__id__exact": whitelist.pk, "is_active__exact": "1"}
        )
    )
    assert sorted(entry.uid for entry in entries) == uids(4, start=2)


def test_whitelist_entries_are_found_by_uid_in_any_case(superuser_client, whitelists):
    found = listed(superuser_client.get(ENTRIES_URL, {"q": "0000006a"}))
    assert [(entry.uid, entry.whitelist.partner_identifier) for entry in found] == [
        ("0000006A", whitelists["theirs"])
    ]
    mine = listed(superuser_client.get(ENTRIES_URL, {"partner": whitelists["emp"].pk}))
    assert sorted(entry.uid for entry in mine) == uids(6)


def test_whitelists_are_read_only(superuser_client, whitelists):
    whitelist = Whitelist.objects.get(partner_identifier=whitelists["mine"])
    url = reverse("admin:clients_whitelist_change", args=[whitelist.pk])
    assert superuser_client.get(url).status_code == 200
    assert superuser_client.post(url, {"pushed_at": ""}).status_code == 403
    assert superuser_client.get(reverse("admin:clients_whitelist_add")).status_code == 403
    assert (
        superuser_client.get(
            reverse("admin:clients_whitelist_delete", args=[whitelist.pk])
        ).status_code
        == 403
    )


# --- Authorization log --------------------------------------------------------------------------


def test_authorization_log_filters_and_search(superuser_client, keys, cpo, other_cpo):
    verify(superuser_client, cpo, "04A1B2C3")
    verify(superuser_client, cpo, "04A1B2C4")
    verify(superuser_client, other_cpo, "04A1B2C3")
    verify(superuser_client, other_cpo, "DEADBEEF")

    by_partner = listed(
        superuser_client.get(AUTHORIZATIONS_URL, {"partner__id__exact": cpo.partner.pk})
    )
    assert sorted(a.uid for a in by_partner) == ["04A1B2C3", "04A1B2C4"]
    locked = listed(superuser_client.get(AUTHORIZATIONS_URL, {"result_code": "192"}))
    assert [(a.partner, a.uid) for a in locked] == [(cpo.partner, "04A1B2C4")]
    by_uid = listed(superuser_client.get(AUTHORIZATIONS_URL, {"q": "04a1b2c3"}))
    assert sorted(a.partner.name for a in by_uid) == ["Other CPO", "Test CPO"]
    by_evco = listed(superuser_client.get(AUTHORIZATIONS_URL, {"q": "de-8ps-654321-0"}))
    assert [a.uid for a in by_evco] == ["04A1B2C4"]


def test_authorization_log_is_read_only(superuser_client, keys, cpo):
    verify(superuser_client, cpo, "04A1B2C3")
    entry = Authorization.objects.get()
    url = reverse("admin:clients_authorization_change", args=[entry.pk])
    assert superuser_client.get(url).status_code == 200
    assert superuser_client.post(url, {"result_code": "0"}).status_code == 403
    assert (
        superuser_client.get(
            reverse("admin:clients_authorization_delete", args=[entry.pk])
        ).status_code
        == 403
    )


# --- Query counts -------------------------------------------------------------------------------

# Session, user, the count, the page's rows, the filters' choices: none of them per row.
LIST_MAX_QUERIES = 8


@pytest.mark.parametrize("rows", [3, 30])
def test_lists_cost_the_same_for_3_or_30_rows(
    superuser_client, cpo, django_assert_max_num_queries, rows
):
    emp = PartnerFactory(name="Roaming EMP", slug="roaming-emp", is_cpo=False, is_emp=True)
    for n in range(rows):
        make_key(f"{n:08X}", f"DE*8PS*{n:06d}*1", emp if n % 2 else None, blocked=n % 3 == 0)
        verify(superuser_client, cpo, f"{n:08X}")
        # UIDs apart from the keys': a whitelist leaves off another provider's key.
        services.whitelist_replace(PartnerIdentifierFactory(partner=emp), uids(2, start=100 + n))

    for url, count in (
        (CUSTOMERS_URL, rows),
        (KEYS_URL, rows),
        (WHITELISTS_URL, rows),
        (ENTRIES_URL, 2 * rows),
        (AUTHORIZATIONS_URL, rows),
    ):
        with django_assert_max_num_queries(LIST_MAX_QUERIES):
            assert len(listed(superuser_client.get(url))) == count, url
