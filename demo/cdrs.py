"""
Demo CDRs for ``seed_demo``: a few thousand over the last months at the demo stations, of the
demo keys (the platform's, the demo EMP's, and an OEM's and a fleet's made here), a few of them
open or flagged. Built in bulk; idempotent. They are history: nothing is queued to send.
"""

import random
import secrets
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from cdrs import selectors, services
from cdrs.models import CDR, CDRRevision
from clients import services as client_services
from clients.models import ChargingKey
from core import identifiers
from demo.partners import DEMO_CPO
from oioi.wire import cdr_wire_payload
from partners import services as partner_services
from partners.models import Partner
from stations.models import Connector

PREFIX = "demo-cdr-"
COUNT = 3000
DAYS = 120
# Keys this module adds when missing: (UID, EVCO id, providing partner, fleet partner).
EXTRA_KEYS = (
    ("CD0E0001", "DE*CDR*C00000001", "Demo OEM", None),
    ("CD0F0001", "DE*CDR*C00000002", None, "Demo Fleet"),
)
# Users the demo CDRs name: the demo keys, and a UID nobody knows (flagged for review).
DEMO_UIDS = ("04A1B2C3", "0E0E0E01", "CD0E0001", "CD0F0001")
UNKNOWN_UID = "DEADBEEF"
PRICES = {"EUR": Decimal("0.49"), "CHF": Decimal("0.55")}
CENT = Decimal("0.01")


def _extra_keys():
    for uid, evco_id, provider_name, fleet_name in EXTRA_KEYS:
        provider = Partner.objects.filter(name=provider_name).first() if provider_name else None
        fleet = Partner.objects.filter(name=fleet_name).first() if fleet_name else None
        if ChargingKey.objects.filter(uid=uid).exists() or (provider_name and provider is None):
            continue
        key = client_services.charging_key_create(uid=uid, evco_id=evco_id, provider=provider)
        if fleet is not None:
            key.customer.fleet = fleet
            key.customer.save(update_fields=["fleet"])


def _charge_points(demo_cpo):
    """(CPO, its partner identifier, connector or None) to charge at; made up without stations."""
    connectors = list(
        Connector.objects.filter(
            station__external_id__startswith="demo-", station__is_deleted=False
        )
        .select_related("station__owner")
        .order_by("id")
    )
    if not connectors:
        return [(demo_cpo, _identifier(demo_cpo), None)]
    identifier_of = {}
    points = []
    for connector in connectors:
        owner = connector.station.owner
        if owner.pk not in identifier_of:
            identifier_of[owner.pk] = _identifier(owner)
        points.append((owner, identifier_of[owner.pk], connector))
    return points


def _identifier(cpo):
    """The CPO's first partner identifier; one is registered for a demo CPO that has none."""
    identifier = cpo.identifiers.order_by("pk").first()
    return identifier or partner_services.partner_identifier_add(
        cpo, f"{slugify(cpo.name)}-{secrets.token_urlsafe(12)}"
    )


def seed(site, now=None):
    if CDR.objects.filter(session_id__startswith=PREFIX).exists():
        return ["Demo CDRs already present; nothing created."]
    demo_cpo = Partner.objects.filter(name=DEMO_CPO).first()
    if demo_cpo is None:
        return []
    _extra_keys()
    now = now or timezone.now()
    rng = random.Random(6)  # noqa: S311 (repeatable demo data, not a secret)
    points = _charge_points(demo_cpo)
    users = {uid: selectors.user_match("rfid", uid) for uid in (*DEMO_UIDS, UNKNOWN_UID)}
    cdrs = [_demo_cdr(n, rng, now, points, users) for n in range(COUNT)]
    CDR.objects.bulk_create(cdrs, batch_size=1000)
    CDRRevision.objects.bulk_create(
        (
            CDRRevision(
                cdr=cdr,
                number=1,
                received_at=cdr.session_stop or cdr.session_start,
                payload=cdr_wire_payload(cdr, cdr.partner_identifier),
                key_prefix="seed_demo",
                request_id=f"{PREFIX}{cdr.pk}",
            )
            for cdr in cdrs
        ),
        batch_size=1000,
    )
    # Stored in bulk, around cdr_post: the report's daily totals are computed from them.
    services.cdr_daily_totals_rebuild()
    flagged = sum(cdr.needs_review for cdr in cdrs)
    forwarded = sum(cdr.recipient_id is not None for cdr in cdrs)
    return [
        f"Created {COUNT} demo CDRs over the last {DAYS} days ({forwarded} of partners' "
        f"customers, {flagged} flagged for review)."
    ]


def _demo_cdr(n, rng, now, points, users):
    cpo, identifier, connector = rng.choice(points)
    # One in fifty names a UID nobody knows, one in a hundred an EVSE id the CPO never pushed.
    uid = UNKNOWN_UID if n % 50 == 7 else rng.choice(DEMO_UIDS)
    user = users[uid]
    if connector is None or n % 100 == 3:
        evse_id, connector = f"DE*8PS*E9{n:05d}", None
    else:
        evse_id = connector.evse_id
    start = now - timedelta(days=DAYS * (COUNT - n) / COUNT, minutes=rng.randrange(600))
    minutes = rng.randrange(20, 240)
    # The most recent few are still charging.
    stop = start + timedelta(minutes=minutes) if n < COUNT - 10 else None
    energy = (Decimal(rng.randrange(2000, 60000)) / 1000).quantize(Decimal("0.001"))
    currency = "CHF" if n % 20 == 0 else "EUR"
    unmatched_user = user.unmatched
    return CDR(
        cpo=cpo,
        partner_identifier=identifier,
        session_id=f"{PREFIX}{n:05d}",
        evse_id=evse_id,
        evse_id_normalized=identifiers.normalize_evse_id(evse_id),
        connector=connector,
        station_id=connector.station_id if connector else None,
        user_identifier_type="rfid",
        user_identifier=uid,
        user_identifier_normalized=uid,
        charging_key=user.charging_key,
        contract=user.contract,
        customer_id=user.contract.customer_id if user.contract else None,
        recipient=user.recipient,
        **selectors.billed_identifiers(user.contract, connector),
        session_start=start,
        session_stop=stop,
        charging_start=start + timedelta(minutes=1),
        charging_stop=stop - timedelta(minutes=2) if stop else None,
        energy_kwh=energy,
        cost_amount=(energy * PRICES[currency]).quantize(CENT),
        cost_currency=currency,
        state=CDR.State.FINAL if stop else CDR.State.OPEN,
        final_at=stop,
        unmatched_user=unmatched_user,
        unmatched_connector=connector is None,
        needs_review=unmatched_user or connector is None,
    )
