"""
cdrs.signals.cdr_final through the real services: sent once, when a post makes a CDR final,
inside the post's transaction, with the documented arguments; OIOI's receiver queues the
forwarding delivery in that transaction, so a rolled-back post leaves none.
"""

import pytest
from django.db import transaction

from cdrs import services
from cdrs.models import CDR
from cdrs.signals import cdr_final
from oioi.serializers.cdrs import SessionPostSerializer
from partners.models import Delivery
from tests.cdrs.helpers import cdr_payload, post_cdr
from tests.factories import PartnerFactory, make_key
from tests.helpers import signal_sent


@pytest.fixture
def announced():
    """What cdr_final is sent with, and whether inside a transaction, while the test runs."""
    with signal_sent(cdr_final) as sent:
        yield sent


@pytest.fixture
def provider(db):
    emp = PartnerFactory(name="Roaming EMP", is_cpo=False, is_emp=True)
    make_key(provider=emp)
    return emp


# Transactional: outside the services the test runs in autocommit, so "in a transaction" is
# the services' own.
@pytest.mark.django_db(transaction=True)
def test_sent_once_when_a_post_makes_the_cdr_final(client, cpo, provider, announced):
    assert transaction.get_autocommit()
    post_cdr(client, cpo, final=False)
    assert announced == []
    cdr = post_cdr(client, cpo)
    post_cdr(client, cpo)  # an identical re-post changes nothing and announces nothing
    assert announced == [{"signal": cdr_final, "sender": CDR, "cdr": cdr, "in_transaction": True}]
    (sent,) = announced
    assert (sent["cdr"].state, sent["cdr"].recipient) == (CDR.State.FINAL, provider)


def test_sent_for_a_cdr_without_recipient_too(client, cpo, announced):
    make_key()  # the platform's own customer: nobody to forward to
    cdr = post_cdr(client, cpo)
    assert [(sent["cdr"], sent["cdr"].recipient) for sent in announced] == [(cdr, None)]
    assert not Delivery.objects.exists()


def test_a_rolled_back_post_queues_nothing(cpo, provider, announced):
    serializer = SessionPostSerializer(data=cdr_payload(cpo))
    assert serializer.is_valid(), serializer.errors

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        result = services.cdr_post(
            partner=cpo.partner,
            partner_identifier=cpo.identifier,
            data=serializer.validated_data,
            key_prefix=cpo.api_key.prefix,
            request_id="",
        )
        # OIOI's receiver queued the forwarding in the post's transaction ...
        assert Delivery.objects.get().dedupe_key == f"cdr:{result.cdr.pk}"
        raise Abandoned
    # ... which took it along when it rolled back.
    assert len(announced) == 1
    assert not CDR.objects.exists()
    assert not Delivery.objects.exists()
