"""rfid-post through the real endpoint: complete-whitelist replacement, all-or-nothing, cost."""

import pytest

from clients.models import Whitelist, WhitelistEntry
from tests.clients.helpers import push, uids, verify, whitelist_state
from tests.factories import PartnerIdentifierFactory, make_key
from tests.mixins import OIOICallContract, PartnerIdentifierContract


class TestRfidPostContract(OIOICallContract, PartnerIdentifierContract):
    call = "rfid-post"
    roles = frozenset({"emp"})

    def payload(self, caller):
        return {"rfids": ["0A0B0C0D"], "partner-identifier": caller.identifier.value}


def active_uids(identifier):
    return set(
        WhitelistEntry.objects.filter(
            whitelist__partner_identifier=identifier, is_active=True
        ).values_list("uid", flat=True)
    )


def processed(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"] == {"code": 0, "message": "Success."}
    return body["rfid"]["processed"]


def test_first_push_adds_every_uid(client, emp):
    assert processed(push(client, emp, ["0A0B0C0D", "04a1b2c3d5e6f7", "04A1B2C3D5E6F708A9B0"])) == 3
    assert active_uids(emp.identifier) == {"0A0B0C0D", "04A1B2C3D5E6F7", "04A1B2C3D5E6F708A9B0"}


def test_push_replaces_the_whole_list(client, cpo, emp):
    push(client, emp, ["0000000A", "0000000B", "0000000C"])
    assert processed(push(client, emp, ["0000000B", "0000000C", "0000000D"])) == 1

    assert active_uids(emp.identifier) == {"0000000B", "0000000C", "0000000D"}
    dropped = WhitelistEntry.objects.get(uid="0000000A")
    assert not dropped.is_active and dropped.removed_at is not None
    assert verify(client, cpo, "0000000A")[1] == 191
    assert verify(client, cpo, "0000000D")[1] == 0
    whitelist = Whitelist.objects.get(partner_identifier=emp.identifier)
    assert (whitelist.last_push_size, whitelist.last_push_added, whitelist.last_push_removed) == (
        3,
        1,
        1,
    )


def test_pushing_the_same_list_again_processes_nothing(client, emp):
    push(client, emp, ["0000000A", "0000000B"])
    added_at = WhitelistEntry.objects.get(uid="0000000A").added_at
    assert processed(push(client, emp, ["0000000B", "0000000A"])) == 0
    assert WhitelistEntry.objects.get(uid="0000000A").added_at == added_at


def test_a_uid_back_on_the_list_counts_as_newly_added(client, cpo, emp):
    push(client, emp, ["0000000A"])
    first = WhitelistEntry.objects.get(uid="0000000A")
    push(client, emp, ["0000000B"])
    assert processed(push(client, emp, ["0000000A", "0000000B"])) == 1

    again = WhitelistEntry.objects.get(uid="0000000A")
    assert again.pk == first.pk and again.is_active
    assert again.removed_at is None and again.added_at > first.added_at
    assert verify(client, cpo, "0000000A")[1] == 0


def test_empty_list_withdraws_every_uid(client, cpo, emp):
    push(client, emp, ["0000000A", "0000000B"])
    assert processed(push(client, emp, [])) == 0
    assert active_uids(emp.identifier) == set()
    assert verify(client, cpo, "0000000A")[1] == 191


def test_duplicates_in_one_list_are_harmless(client, emp):
    assert processed(push(client, emp, ["0000000A", "0000000a", "0000000A", "0000000B"])) == 2
    assert WhitelistEntry.objects.count() == 2
    whitelist = Whitelist.objects.get()
    assert whitelist.last_push_size == 2


def test_each_partner_identifier_has_its_own_list(client, emp, other_emp):
    second = PartnerIdentifierFactory(partner=emp.partner)
    push(client, emp, ["0000000A"])
    push(client, emp, ["0000000B"], identifier=second)
    push(client, other_emp, ["0000000C"])
    push(client, emp, ["0000000D"])

    assert active_uids(emp.identifier) == {"0000000D"}
    assert active_uids(second) == {"0000000B"}
    assert active_uids(other_emp.identifier) == {"0000000C"}


@pytest.mark.parametrize(
    ("rfids", "names"),
    [
        (["0000000A", "0000000B", "0000000C", "XYZ00000"], "rfid-post.rfids[3]"),
        (["0000000A", "0000000B", "0000000C", "0000000"], "rfid-post.rfids[3]"),
        (["0000000A", None], "rfid-post.rfids[1]"),
        (["0000000A", ["0000000B"]], "rfid-post.rfids[1]"),
        ("0000000A", "rfid-post.rfids"),
        ({"0": "0000000A"}, "rfid-post.rfids"),
        (None, "rfid-post.rfids"),
    ],
)
def test_one_bad_uid_is_400_naming_it_and_changes_nothing(client, emp, rfids, names):
    push(client, emp, ["0000000E", "0000000F"])
    before = whitelist_state()
    response = push(client, emp, rfids)
    assert response.status_code == 400, response.content
    assert response.json()["result"]["code"] == 230
    assert names in response.json()["result"]["message"]
    assert "rfid" not in response.json()
    assert whitelist_state() == before


def test_missing_rfids_is_400(client, emp):
    response = emp.post(client, "rfid-post", {"partner-identifier": emp.identifier.value})
    assert (response.status_code, response.json()["result"]["code"]) == (400, 230)
    assert "rfid-post.rfids" in response.json()["result"]["message"]
    assert not Whitelist.objects.exists()


def test_another_partners_identifier_changes_nothing(client, emp, other_emp):
    push(client, other_emp, ["0000000A"])
    before = whitelist_state()
    response = emp.post(
        client, "rfid-post", {"rfids": [], "partner-identifier": other_emp.identifier.value}
    )
    assert response.json()["result"]["code"] == 211
    assert whitelist_state() == before


def test_a_large_list_replaces_a_large_list(client, cpo, emp):
    assert processed(push(client, emp, uids(3000))) == 3000
    assert processed(push(client, emp, uids(3000, start=1000))) == 1000
    assert len(active_uids(emp.identifier)) == 3000
    assert WhitelistEntry.objects.filter(is_active=False).count() == 1000
    assert verify(client, cpo, "00000000")[1] == 191
    assert verify(client, cpo, f"{3999:08X}")[1] == 0


# API key, partner identifier, whitelist (locked), another provider's keys among the UIDs, the
# three set statements, the whitelist's figures, the audit row, and the call's savepoint and its
# release.
POST_MAX_QUERIES = 11
# The first push under an identifier creates its whitelist: a savepoint, the insert, its release.
FIRST_POST_MAX_QUERIES = POST_MAX_QUERIES + 3


@pytest.mark.parametrize("size", [10, 1000])
def test_post_runs_the_same_number_of_queries_whatever_the_size(
    client, emp, django_assert_max_num_queries, size
):
    second = PartnerIdentifierFactory(partner=emp.partner)
    push(client, emp, [])  # marks the key used: the once-a-minute write is not rfid-post's
    with django_assert_max_num_queries(FIRST_POST_MAX_QUERIES):
        assert processed(push(client, emp, uids(size), identifier=second)) == size
    with django_assert_max_num_queries(POST_MAX_QUERIES):
        assert processed(push(client, emp, uids(size))) == size
    with django_assert_max_num_queries(POST_MAX_QUERIES):
        assert processed(push(client, emp, uids(size, start=size // 2))) == size // 2


def test_another_providers_keys_are_left_off_in_the_same_number_of_queries(
    client, emp, other_emp, django_assert_max_num_queries
):
    theirs = uids(10, start=100)
    for n, uid in enumerate(theirs):
        make_key(uid, f"DE*OTH*{n:06d}*1", other_emp.partner if n % 2 else None)
    make_key("00000005", "DE*EMP*000005*1", emp.partner)  # its own: stays on the list
    push(client, emp, [])
    with django_assert_max_num_queries(POST_MAX_QUERIES):
        response = push(client, emp, uids(1000))
    body = response.json()
    assert body["rfid"] == {"processed": 990, "ignored": theirs}
    assert body["result"]["message"].startswith("Success. 10 UID(s) left off the list")
    assert active_uids(emp.identifier) == set(uids(1000)) - set(theirs)
