"""
Final CDRs forwarded as session-post to the EMP, OEM or fleet partner behind the charging key,
through the durable deliveries, to real local partner servers.
"""

import pytest

from cdrs.models import CDR
from oioi import deliveries
from partners.models import Delivery
from tests.cdrs.helpers import cdr_payload, post_cdr, receiving_partner, snapshot
from tests.factories import PartnerIdentifierFactory, make_key


@pytest.fixture
def receivers(db, partner_server):
    """An EMP, an OEM and a fleet, all on one partner server, told apart by their keys."""
    return {
        "emp": receiving_partner("Roaming EMP", partner_server, "emp"),
        "oem": receiving_partner("Car OEM", partner_server, "oem"),
        "fleet": receiving_partner("Lease Fleet", partner_server, "fleet"),
    }


def received_by(partner_server):
    """{endpoint key: [session-post payloads]} of what the partner server received."""
    found = {}
    for request in partner_server.calls("session-post"):
        key = request.headers["Authorization"].removeprefix("key=")
        found.setdefault(key, []).append(request.body["session-post"])
    return found


@pytest.mark.parametrize("who", ["emp", "oem", "fleet"])
def test_a_final_cdr_goes_to_the_partner_behind_the_key_only(
    client, cpo, receivers, partner_server, who
):
    recipient = receivers[who]
    if who == "fleet":
        make_key(fleet=recipient.partner)
    else:
        make_key(provider=recipient.partner)

    cdr = post_cdr(client, cpo)
    assert cdr.recipient == recipient.partner
    assert deliveries.deliveries_run_due(limit=10) == 1

    assert list(received_by(partner_server)) == [recipient.partner.endpoint_key]
    (sent,) = received_by(partner_server)[recipient.partner.endpoint_key]
    assert sent == {
        "user": {"identifier-type": "rfid", "identifier": "04A1B2C3"},
        "session-id": "S-1",
        "connector-id": "DE*8PS*E1001",
        "session-interval": {
            "start": "2026-03-02T08:00:00+00:00",
            "stop": "2026-03-02T09:00:00+00:00",
        },
        "charging-interval": {
            "start": "2026-03-02T08:01:00+00:00",
            "stop": "2026-03-02T08:55:00+00:00",
        },
        "energy-consumed": 12.3456,
        "calculated-cost": {"amount": 7.4, "currency": "EUR"},
        # The recipient's own partner identifier, not the CPO's.
        "partner-identifier": recipient.identifier.value,
    }
    delivery = Delivery.objects.get()
    assert (delivery.partner, delivery.state) == (recipient.partner, Delivery.State.DELIVERED)
    assert delivery.dedupe_key == f"cdr:{cdr.pk}"


def test_the_provider_comes_before_the_fleet(client, cpo, receivers):
    make_key(provider=receivers["emp"].partner, fleet=receivers["fleet"].partner)
    assert post_cdr(client, cpo).recipient == receivers["emp"].partner


def test_an_open_cdr_is_not_forwarded_until_final_and_then_once(
    client, cpo, receivers, partner_server
):
    make_key(provider=receivers["emp"].partner)
    opened = post_cdr(client, cpo, final=False)
    assert opened.recipient == receivers["emp"].partner
    assert not Delivery.objects.exists()

    post_cdr(client, cpo)
    post_cdr(client, cpo)  # an identical re-post
    assert deliveries.deliveries_run_due(limit=10) == 1
    assert Delivery.objects.count() == 1
    assert len(partner_server.calls("session-post")) == 1


def test_the_first_active_identifier_names_the_recipient(client, cpo, receivers, partner_server):
    emp = receivers["emp"]
    emp.identifier.is_active = False
    emp.identifier.save()
    active = PartnerIdentifierFactory(partner=emp.partner)
    PartnerIdentifierFactory(partner=emp.partner)
    make_key(provider=emp.partner)
    post_cdr(client, cpo)
    deliveries.deliveries_run_due(limit=10)
    (sent,) = partner_server.calls("session-post")
    assert sent.body["session-post"]["partner-identifier"] == active.value


def test_a_platform_customers_cdr_is_not_forwarded(client, cpo, receivers, partner_server):
    make_key()
    cdr = post_cdr(client, cpo)
    assert cdr.contract is not None and cdr.recipient is None
    assert not Delivery.objects.exists()
    assert deliveries.deliveries_run_due(limit=10) == 0
    assert partner_server.received == []


def test_an_unmatched_users_cdr_is_not_forwarded(client, cpo, receivers, partner_server):
    cdr = post_cdr(client, cpo)
    assert cdr.unmatched_user and cdr.recipient is None
    assert not Delivery.objects.exists()


def test_a_refused_post_queues_nothing(client, cpo, receivers):
    make_key(provider=receivers["emp"].partner)
    post_cdr(client, cpo, final=False)
    before = snapshot()
    payload = cdr_payload(
        cpo,
        **{"session-interval": {"start": "2026-03-02T08:00:00Z", "stop": "2026-03-01T08:00:00Z"}},
    )
    response = cpo.post(client, "session-post", payload)
    assert response.status_code == 400
    assert snapshot() == before
    assert CDR.objects.get().state == CDR.State.OPEN
