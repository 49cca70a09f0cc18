"""CDRs as CPOs post them through the endpoint, and the rows session-post writes."""

import copy
from datetime import timedelta

from cdrs.models import CDR, CDRRevision
from partners.models import Delivery
from tests.factories import START
from tests.helpers import PartnerWithKey


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def cdr_payload(caller, session_id="S-1", *, final=True, **fields):
    """A valid session-post payload of ``caller``; ``fields`` replace members (hyphenated)."""
    payload = {
        "user": {"identifier-type": "rfid", "identifier": "04A1B2C3"},
        "session-id": session_id,
        "connector-id": "DE*8PS*E1001",
        "session-interval": {"start": iso(START)},
        "charging-interval": {"start": iso(START + timedelta(minutes=1))},
        "energy-consumed": 12.3456,
        "calculated-cost": {"amount": "7.40", "currency": "EUR"},
        "partner-identifier": caller.identifier.value,
    }
    if final:
        payload["session-interval"]["stop"] = iso(START + timedelta(hours=1))
        payload["charging-interval"]["stop"] = iso(START + timedelta(minutes=55))
    payload.update(copy.deepcopy(fields))
    return payload


def post_cdr(client, caller, *args, **fields):
    """session-post through the endpoint; asserts it was accepted and returns the stored CDR."""
    payload = cdr_payload(caller, *args, **fields)
    response = caller.post(client, "session-post", payload)
    assert response.status_code == 200, response.content
    assert response.json()["result"]["code"] == 0, response.content
    return CDR.objects.get(cpo=caller.partner, session_id=payload["session-id"])


def snapshot():
    """Every row session-post writes, to assert that a refused post wrote nothing."""
    return (
        list(CDR.objects.order_by("pk").values()),
        list(CDRRevision.objects.order_by("pk").values()),
        list(Delivery.objects.order_by("pk").values()),
    )


def receiving_partner(name, server, role, **fields):
    """A partner with an endpoint on ``server``, told apart by the endpoint key it gave us."""
    return PartnerWithKey(
        name=name,
        slug=name.lower().replace(" ", "-"),
        is_cpo=False,
        **{f"is_{role}": True},
        endpoint_url=server.url,
        endpoint_key=f"key-of-{name.lower().replace(' ', '-')}-for-us",
        **fields,
    )
