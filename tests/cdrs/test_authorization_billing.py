"""
Who authorizes a charge is who is billed for it, end to end through the OIOI endpoint: an EMP's
whitelist (rfid-post), the CPO's rfid-verify, its session-post and the CDR's delivery to a real
local partner server, and the offline whitelist pushed to CPOs. See
docs/decisions/authorization-and-billing.md.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from cdrs.models import CDR
from clients import services as client_services
from clients.models import WhitelistEntry
from oioi import deliveries
from partners.models import Delivery
from tests.cdrs.helpers import START, iso, post_cdr, receiving_partner
from tests.clients.helpers import push, verify
from tests.factories import ConnectorFactory, PartnerFactory, PartnerIdentifierFactory, make_key

D_UID = "0D0D0D01"  # provider D's charging key
D_EVCO = "DE*DDD*000001*1"
SHARED_UID = "0C0C0C01"  # nobody's key


@pytest.fixture
def emps(db, partner_server):
    """EMPs A, B and D, each with an API key and an endpoint on the one partner server."""
    return {name: receiving_partner(f"EMP {name}", partner_server, "emp") for name in "ABD"}


@pytest.fixture
def charger(cpo):
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    return cpo


def charge(client, cpo, uid, session_id="S-1", start=None):
    """The CPO's final CDR for a charge with ``uid``, through session-post."""
    start = start or timezone.now() + timedelta(minutes=1)
    interval = {"start": iso(start), "stop": iso(start + timedelta(hours=1))}
    return post_cdr(
        client,
        cpo,
        session_id,
        user={"identifier-type": "rfid", "identifier": uid},
        **{"session-interval": interval, "charging-interval": interval},
    )


def delivered_to(partner_server):
    """{endpoint key: [session ids]} of the CDRs the partner server received, after sending."""
    deliveries.deliveries_run_due(limit=100)
    found = {}
    for request in partner_server.calls("session-post"):
        key = request.headers["Authorization"].removeprefix("key=")
        found.setdefault(key, []).append(request.body["session-post"]["session-id"])
    return found


def rfid_answer(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"]["code"] == 0
    return body


# --- Another provider's key on an EMP's whitelist -----------------------------------------------


@pytest.mark.parametrize("d_whitelists_it", [True, False])
def test_a_uid_another_emp_whitelists_is_answered_and_billed_by_its_provider_only(
    client, charger, emps, partner_server, d_whitelists_it
):
    a, d = emps["A"], emps["D"]
    make_key(D_UID, D_EVCO, provider=d.partner)
    if d_whitelists_it:
        push(client, d, [D_UID])

    body = rfid_answer(push(client, a, ["0A0A0A01", D_UID.lower()]))
    # Accepted, the rest of A's list in force, D's key named as left off; whose key is not said.
    assert body["rfid"] == {"processed": 1, "ignored": [D_UID]}
    assert "1 UID(s) left off the list" in body["result"]["message"]
    assert "EMP D" not in body["result"]["message"]
    assert not WhitelistEntry.objects.filter(whitelist__partner_identifier=a.identifier, uid=D_UID)

    status, code, answer = verify(client, charger, D_UID)
    if d_whitelists_it:
        assert (status, code, answer["evco-id"]) == (200, 0, D_EVCO)
    else:
        assert (status, code, answer["evco-id"]) == (200, 191, None)
    assert verify(client, charger, "0A0A0A01")[1] == 0

    cdr = charge(client, charger, D_UID)
    assert (cdr.recipient, cdr.contract.evco_id, cdr.needs_review) == (d.partner, D_EVCO, False)
    assert delivered_to(partner_server) == {d.partner.endpoint_key: ["S-1"]}


def test_an_entry_made_before_the_key_existed_authorizes_nothing(
    client, charger, emps, partner_server
):
    a, d = emps["A"], emps["D"]
    push(client, a, [D_UID])
    assert verify(client, charger, D_UID)[:2] == (200, 0)
    # Staff then register the UID as D's key: D's rules alone answer, A's entry is ignored.
    make_key(D_UID, D_EVCO, provider=d.partner)
    assert WhitelistEntry.objects.get(uid=D_UID).is_active
    assert verify(client, charger, D_UID)[:2] == (200, 191)

    cdr = charge(client, charger, D_UID)
    assert cdr.recipient == d.partner
    assert delivered_to(partner_server) == {d.partner.endpoint_key: ["S-1"]}
    # A's next push leaves it off, and says so.
    assert rfid_answer(push(client, a, [D_UID]))["rfid"] == {"processed": 0, "ignored": [D_UID]}
    assert not WhitelistEntry.objects.get(uid=D_UID).is_active


def test_the_platforms_keys_answer_by_the_platforms_rules_whoever_whitelists_them(
    client, charger, emps
):
    make_key(D_UID, "DE*8PS*000001*1")
    client_services.charging_key_create(uid="0D0D0D02", evco_id="DE*8PS*000002*2", blocked=True)
    body = rfid_answer(push(client, emps["A"], ["0D0D0D02", D_UID]))
    assert body["rfid"] == {"processed": 0, "ignored": [D_UID, "0D0D0D02"]}
    assert "2 UID(s) left off the list" in body["result"]["message"]
    assert verify(client, charger, "0D0D0D02")[:2] == (200, 192)
    assert verify(client, charger, D_UID)[2]["evco-id"] == "DE*8PS*000001*1"


def test_an_emp_may_whitelist_its_own_key(client, charger, emps, partner_server):
    d = emps["D"]
    make_key(D_UID, D_EVCO, provider=d.partner)
    assert rfid_answer(push(client, d, [D_UID]))["rfid"] == {"processed": 1, "ignored": []}
    assert rfid_answer(push(client, d, [D_UID]))["result"]["message"] == "Success."
    assert verify(client, charger, D_UID)[:2] == (200, 0)


# --- UIDs we hold no key for --------------------------------------------------------------------


def test_a_uid_on_one_whitelist_is_billed_to_that_emp(client, charger, emps, partner_server):
    a = emps["A"]
    push(client, a, [SHARED_UID])
    push(client, emps["B"], ["0B0B0B01"])
    assert verify(client, charger, SHARED_UID)[:2] == (200, 0)

    cdr = charge(client, charger, SHARED_UID)
    assert (cdr.recipient, cdr.contract, cdr.unmatched_user, cdr.needs_review) == (
        a.partner,
        None,
        False,
        False,
    )
    assert delivered_to(partner_server) == {a.partner.endpoint_key: ["S-1"]}


def test_a_uid_on_two_whitelists_is_stored_and_flagged_and_sent_to_nobody(
    client, charger, emps, partner_server
):
    push(client, emps["A"], [SHARED_UID])
    push(client, emps["B"], [SHARED_UID])
    # Both vouch for it: the driver charges.
    status, code, answer = verify(client, charger, SHARED_UID)
    assert (status, code, answer["evco-id"]) == (200, 0, None)

    cdr = charge(client, charger, SHARED_UID)
    assert (cdr.recipient, cdr.unmatched_user, cdr.needs_review) == (None, True, True)
    assert CDR.objects.needing_review().get() == cdr
    assert delivered_to(partner_server) == {}
    assert not Delivery.objects.exists()

    # Once B drops it, A alone answers for later charges; the flagged one stays for staff.
    push(client, emps["B"], [])
    later = charge(client, charger, SHARED_UID, "S-2")
    assert later.recipient == emps["A"].partner
    assert delivered_to(partner_server) == {emps["A"].partner.endpoint_key: ["S-2"]}
    cdr.refresh_from_db()
    assert (cdr.recipient, cdr.needs_review) == (None, True)


def test_a_uid_whitelisted_only_after_the_charge_began_is_not_billed_to_that_emp(
    client, charger, emps, partner_server
):
    push(client, emps["A"], [SHARED_UID])
    cdr = charge(client, charger, SHARED_UID, start=START)  # before A's push
    assert (cdr.recipient, cdr.unmatched_user, cdr.needs_review) == (None, True, True)
    assert delivered_to(partner_server) == {}


def test_the_recipient_alone_reads_the_cdr(client, charger, emps):
    a, b, d = emps["A"], emps["B"], emps["D"]
    make_key(D_UID, D_EVCO, provider=d.partner)
    push(client, a, [SHARED_UID, D_UID])
    charge(client, charger, SHARED_UID, "S-A")
    charge(client, charger, D_UID, "S-D")

    def listed(caller):
        response = caller.get(client, "/api/v1/cdrs/")
        assert response.status_code == 200, response.content
        return sorted(item["session_id"] for item in response.json()["results"])

    assert listed(a) == ["S-A"]
    assert listed(d) == ["S-D"]
    assert listed(b) == []
    assert listed(charger) == ["S-A", "S-D"]


# --- The offline whitelist ----------------------------------------------------------------------


@pytest.fixture
def offline_cpo(db, partner_server):
    cpo = PartnerFactory(
        name="Offline CPO",
        endpoint_url=partner_server.url,
        endpoint_key="offline-cpo-key",
        offline_authorization=True,
    )
    PartnerIdentifierFactory(partner=cpo)
    return cpo


def pushed_whitelist(partner_server, now):
    """The rfids of the whitelist the offline CPO receives after a push at ``now``."""
    assert client_services.offline_whitelists_push(now=now) == 1
    deliveries.deliveries_run_due(limit=10)
    return partner_server.calls("rfid-post")[-1].body["rfid-post"]["rfids"]


def test_the_offline_whitelist_holds_what_rfid_verify_would_accept(
    client, emps, offline_cpo, partner_server
):
    a, d = emps["A"], emps["D"]
    # A whitelists them while they are nobody's keys; then they become others' keys.
    push(client, a, [SHARED_UID, D_UID, "0D0D0D02", "0D0D0D03"])
    make_key(D_UID, D_EVCO, provider=d.partner)
    client_services.charging_key_create(uid="0D0D0D02", evco_id="DE*8PS*000002*2", blocked=True)
    make_key("0D0D0D03", "DE*8PS*000003*3")
    now = timezone.now()
    # D does not whitelist its key, the platform's is blocked: only what would verify goes out.
    assert pushed_whitelist(partner_server, now) == [SHARED_UID, "0D0D0D03"]

    push(client, d, [D_UID])
    assert pushed_whitelist(partner_server, now + timedelta(days=2)) == [
        SHARED_UID,
        D_UID,
        "0D0D0D03",
    ]
