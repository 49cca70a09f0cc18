"""
Offline authorization: CPOs flagged for it receive the complete whitelist (rfid-post) through
the durable deliveries, once changes have settled and at least daily; the real CPO simulator
receives it.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients import services
from demo.simulator import CpoSimulator
from partners.models import Delivery
from tests.clients.helpers import push, uids
from tests.factories import PartnerFactory, PartnerIdentifierFactory, make_key


@pytest.fixture
def simulator():
    cpo_simulator = CpoSimulator(key="offline-cpo-key-0123456789").start()
    yield cpo_simulator
    cpo_simulator.stop()


@pytest.fixture
def offline_cpo(db, simulator):
    cpo = PartnerFactory(
        name="Offline CPO",
        endpoint_url=simulator.url,
        endpoint_key="offline-cpo-key-0123456789",
        offline_authorization=True,
    )
    PartnerIdentifierFactory(partner=cpo, value="offline-cpo-identifier-1")
    return cpo


def pushes():
    return list(Delivery.objects.filter(call="rfid-post").order_by("id"))


# Transactional: the worker closes stale connections between rounds, as a long-running
# process must.
@pytest.mark.django_db(transaction=True)
def test_the_complete_list_is_pushed_and_received(client, offline_cpo, emp, simulator):
    make_key("0A0A0A01", "DE*8PS*000001*1")  # the platform's own
    make_key("0A0A0A02", "DE*8PS*000002*2", blocked=True)
    make_key("0A0A0A03", "DE*8PS*000003*3", payment=False)
    push(client, emp, ["0B0B0B01", "0B0B0B02"])
    online_only = PartnerFactory(name="Online CPO")
    assert services.offline_whitelists_push() == 1
    (delivery,) = pushes()
    assert delivery.partner == offline_cpo
    assert delivery.payload == {
        "rfids": ["0A0A0A01", "0B0B0B01", "0B0B0B02"],
        "partner-identifier": "offline-cpo-identifier-1",
    }
    # The worker sends it; the simulator checks our key and counts the UIDs.
    call_command("delivery_worker", "--once")
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert simulator.received == [("rfid-post", delivery.payload)]
    assert not Delivery.objects.filter(partner=online_only).exists()


def test_changes_are_pushed_once_they_settle(client, offline_cpo, emp, settings):
    settings.OFFLINE_WHITELIST_DEBOUNCE_SECONDS = 60
    now = timezone.now()
    services.offline_whitelists_push(now=now)  # the first, full push
    assert len(pushes()) == 1
    # Nothing changed: nothing more, until the day is over.
    assert services.offline_whitelists_push(now=now + timedelta(minutes=5)) == 0

    push(client, emp, uids(3))
    later = now + timedelta(minutes=10)
    assert services.offline_whitelists_push(now=later) == 0  # just noticed: let it settle
    push(client, emp, uids(5))  # a burst of changes
    assert services.offline_whitelists_push(now=later + timedelta(seconds=30)) == 0
    assert services.offline_whitelists_push(now=later + timedelta(seconds=90)) == 1
    assert pushes()[-1].payload["rfids"] == uids(5)
    assert services.offline_whitelists_push(now=later + timedelta(minutes=30)) == 0


def test_pushed_daily_whatever_happened(offline_cpo):
    now = timezone.now()
    services.offline_whitelists_push(now=now)
    assert services.offline_whitelists_push(now=now + timedelta(hours=23)) == 0
    assert services.offline_whitelists_push(now=now + timedelta(hours=24)) == 1
    assert len(pushes()) == 2


def test_no_offline_cpo_costs_nothing(db, django_assert_num_queries):
    PartnerFactory(name="Online CPO")
    with django_assert_num_queries(1):
        assert services.offline_whitelists_push() == 0
