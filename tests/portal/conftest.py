"""Partner users and the data the portal shows, built directly in the database."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from cdrs.models import CDR, CDRRevision, IdentifierType
from cdrs.selectors import billed_identifiers
from cdrs.services import cdr_daily_totals_rebuild
from oioi_portal.models import PartnerIdentifier
from sessions_app.models import ChargingSession
from stations.models import Connector, ConnectorStatus, Station
from stations.services import operator_company_get_or_create
from tests.factories import OperatorIdFactory

_numbers = itertools.count(1)


def make_station(cpo, *, name=None, city="Berlin", connectors=2, **fields):
    """A station of ``cpo`` with ``connectors`` EVSEs, one of them occupied."""
    n = next(_numbers)
    operator = cpo.operator_ids.first() or OperatorIdFactory(partner=cpo)
    station = Station.objects.create(
        external_id=f"ST-{n}",
        owner=cpo,
        operator=operator,
        operator_company=operator_company_get_or_create(operator),
        name=name or f"Station {n}",
        city=city,
        latitude=52.5,
        longitude=13.4,
        country="DE",
        last_dynamic_change=timezone.now(),
        **fields,
    )
    for c in range(connectors):
        evse_id = f"{operator.value}*E{n}{c}"
        Connector.objects.create(
            station=station,
            evse_id=evse_id,
            evse_id_normalized=evse_id.upper().replace("*", ""),
            type="Type2",
            speed=22,
            status=ConnectorStatus.OCCUPIED if c == 0 else ConnectorStatus.AVAILABLE,
            status_changed_at=timezone.now(),
        )
    return station


def make_cdr(
    cpo,
    *,
    recipient=None,
    station=None,
    start=None,
    energy="10.5",
    cost="4.20",
    currency="EUR",
    final=True,
    uid=None,
    revisions=1,
    **fields,
):
    """A CDR posted by ``cpo`` (final unless ``final`` is false), forwarded to ``recipient``."""
    n = next(_numbers)
    start = start or timezone.now() - timedelta(hours=2)
    identifier = PartnerIdentifier.objects.filter(partner=cpo).first() or (
        PartnerIdentifier.objects.create(partner=cpo, value=f"portal-test-identifier-{n:06d}")
    )
    connector = station.connectors.first() if station else None
    evse_id = connector.evse_id if connector else f"DE*XXX*E{n}"
    uid = uid or f"{0xA0000000 + n:08X}"
    cdr = CDR.objects.create(
        cpo=cpo,
        partner_identifier=identifier,
        session_id=f"S-{n}",
        evse_id=evse_id,
        evse_id_normalized=evse_id.upper().replace("*", ""),
        connector=connector,
        station=station,
        user_identifier_type=IdentifierType.RFID,
        user_identifier=uid,
        user_identifier_normalized=uid.upper(),
        recipient=recipient,
        **billed_identifiers(fields.get("contract"), connector),
        session_start=start,
        session_stop=start + timedelta(minutes=90) if final else None,
        energy_kwh=Decimal(energy) if energy is not None else None,
        cost_amount=Decimal(cost) if cost is not None else None,
        cost_currency=currency if cost is not None else "",
        state=CDR.State.FINAL if final else CDR.State.OPEN,
        final_at=start + timedelta(minutes=91) if final else None,
        **fields,
    )
    for number in range(1, revisions + 1):
        CDRRevision.objects.create(
            cdr=cdr,
            number=number,
            received_at=start + timedelta(minutes=number),
            payload={"session-id": cdr.session_id},
            key_prefix="abcd1234",
            request_id=f"req-{n}-{number}",
        )
    # Stored around cdr_post, as a bulk load would be: the daily totals are computed anew.
    cdr_daily_totals_rebuild()
    return cdr


def make_session(emp, connector, *, customer="DE*EMP*000001*1", state="started"):
    return ChargingSession.objects.create(
        requested_by=emp,
        cpo=connector.station.owner,
        connector=connector,
        evse_id=connector.evse_id,
        user_identifier_type="evco-id",
        user_identifier=customer,
        state=state,
        result_code=0,
        started_at=timezone.now() - timedelta(minutes=30),
    )
