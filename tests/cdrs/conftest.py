"""CDRs as CPOs post them through the endpoint, and the data they refer to."""

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cdrs.models import CDR, CDRRevision
from cdrs.services import cdr_daily_totals_rebuild
from clients import services as client_services
from oioi_portal.models import Delivery
from tests.conftest import PartnerWithKey
from tests.sessions_app.conftest import make_station

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


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


def make_connector(owner, evse_id="DE*8PS*E1001"):
    """A station of ``owner`` (a Partner) with one connector of ``evse_id``."""
    return make_station(owner, evse_id)


def make_key(uid="04A1B2C3", evco_id="DE*8PS*123456*7", provider=None, fleet=None):
    key = client_services.charging_key_create(uid=uid, evco_id=evco_id, provider=provider)
    if fleet is not None:
        key.customer.fleet = fleet
        key.customer.save(update_fields=["fleet"])
    return key


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


def build_cdrs(cpo, count, *, prefix="B", **fields):
    """``count`` final CDRs of ``cpo`` (a PartnerWithKey) in bulk, as the benchmark builds them."""
    cdrs = CDR.objects.bulk_create(
        CDR(
            cpo=cpo.partner,
            partner_identifier=cpo.identifier,
            session_id=f"{prefix}-{n}",
            evse_id="DE*8PS*E1001",
            evse_id_normalized="DE8PSE1001",
            user_identifier_type="rfid",
            user_identifier="04A1B2C3",
            user_identifier_normalized="04A1B2C3",
            session_start=START + timedelta(minutes=n),
            session_stop=START + timedelta(minutes=n + 30),
            energy_kwh=Decimal("10.5"),
            cost_amount=Decimal("4.20"),
            cost_currency="EUR",
            state=CDR.State.FINAL,
            **fields,
        )
        for n in range(count)
    )
    cdr_daily_totals_rebuild()
    return cdrs
