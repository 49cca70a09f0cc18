"""
clients.signals.offline_whitelist_due through the real services: sent per offline CPO whose
copy is due, inside the transaction recording it as sent, with the documented arguments; OIOI's
receiver queues the rfid-post in that transaction, so a rolled-back run leaves none.
"""

import hashlib

import pytest
from django.db import transaction
from django.utils import timezone

from clients import services
from clients.models import OfflineWhitelistPush
from clients.signals import offline_whitelist_due
from partners.models import Delivery
from tests.factories import PartnerFactory, make_key
from tests.helpers import signal_sent


@pytest.fixture
def announced():
    """What offline_whitelist_due is sent with, and whether inside a transaction."""
    with signal_sent(offline_whitelist_due) as sent:
        yield sent


@pytest.fixture
def offline_cpos(db):
    return [PartnerFactory(name=f"Offline CPO {n}", offline_authorization=True) for n in (1, 2)]


# Transactional: outside the services the test runs in autocommit, so "in a transaction" is
# the services' own.
@pytest.mark.django_db(transaction=True)
def test_sent_per_offline_cpo_with_the_complete_list(offline_cpos, announced):
    PartnerFactory(name="Online CPO")
    make_key("0A0A0A02", "DE*8PS*000002*2")
    make_key("0A0A0A01", "DE*8PS*000001*1")
    now = timezone.now()
    assert transaction.get_autocommit()
    assert services.offline_whitelists_push(now=now) == 2
    uids = ["0A0A0A01", "0A0A0A02"]
    assert announced == [
        {
            "signal": offline_whitelist_due,
            "sender": OfflineWhitelistPush,
            "partner": cpo,
            "uids": uids,
            "fingerprint": hashlib.sha256("\n".join(uids).encode()).hexdigest(),
            "now": now,
            "in_transaction": True,
        }
        for cpo in offline_cpos
    ]
    # Nothing changed since: nothing is due.
    assert services.offline_whitelists_push(now=now) == 0
    assert len(announced) == 2


def test_a_rolled_back_run_queues_nothing(offline_cpos, announced):
    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        assert services.offline_whitelists_push() == 2
        # OIOI's receiver queued the rfid-posts in the run's transaction ...
        assert Delivery.objects.filter(call="rfid-post").count() == 2
        raise Abandoned
    # ... which took them along, and the copies are not recorded as sent: the next run sends.
    assert len(announced) == 2
    assert not Delivery.objects.exists()
    assert not OfflineWhitelistPush.objects.exists()
    assert services.offline_whitelists_push() == 2
