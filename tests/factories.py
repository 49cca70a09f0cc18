"""
Rows the tests need, built directly in the database: factory-boy factories, and the bulk
builders that insert as the benchmark does. Data posted through the OIOI endpoint is built by
each folder's ``helpers`` module instead.
"""

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from cdrs.models import CDR, CDRRevision, IdentifierType
from cdrs.selectors import billed_identifiers
from cdrs.services import cdr_daily_totals_rebuild
from clients import services as client_services
from clients.models import ChargingKey, Contract, Customer
from core.identifiers import normalize_evse_id
from partners import services
from partners.models import OperatorId, Partner, PartnerIdentifier
from sessions_app.models import ChargingSession
from stations.models import Company, Connector, ConnectorStatus, Station
from stations.services import operator_company_get_or_create

# When the CDRs of the cdrs tests start (payloads and bulk-built rows alike).
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    is_cpo = True
    contact_email = factory.LazyAttribute(lambda o: f"ops@{o.slug}.example")


class PartnerIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerIdentifier

    partner = factory.SubFactory(PartnerFactory)
    value = factory.Sequence(lambda n: f"partner-identifier-{n:06d}")


class OperatorIdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatorId

    partner = factory.SubFactory(PartnerFactory)
    value = factory.Sequence(lambda n: f"DE*{n:03d}")


def issue_key(partner, **kwargs):
    """A new key for ``partner``; returns (ApiKey, plaintext)."""
    issued = services.api_key_issue(partner, **kwargs)
    return issued.api_key, issued.plaintext


# --- Stations ---------------------------------------------------------------------------------


class StationFactory(factory.django.DjangoModelFactory):
    """A station of ``owner`` under its first operator id, with ``connectors`` EVSEs (2 unless
    said), the first of them occupied."""

    class Meta:
        model = Station
        skip_postgeneration_save = True

    owner = factory.SubFactory(PartnerFactory)
    operator = factory.LazyAttribute(
        lambda o: o.owner.operator_ids.first() or OperatorIdFactory(partner=o.owner)
    )
    operator_company = factory.LazyAttribute(lambda o: operator_company_get_or_create(o.operator))
    external_id = factory.Sequence(lambda n: f"ST-{n}")
    name = factory.Sequence(lambda n: f"Station {n}")
    city = "Berlin"
    latitude = 52.5
    longitude = 13.4
    country = "DE"
    last_dynamic_change = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def connectors(station, create, count, **kwargs):
        for n in range(2 if count is None else count):
            status = ConnectorStatus.OCCUPIED if n == 0 else ConnectorStatus.AVAILABLE
            ConnectorFactory(station=station, status=status)


class ConnectorFactory(factory.django.DjangoModelFactory):
    """
    An EVSE; unless ``station`` is given, on a station of its own (``station__owner=partner``)
    that has no other connector and no city or status change yet.
    """

    class Meta:
        model = Connector

    station = factory.SubFactory(StationFactory, connectors=0, city="", last_dynamic_change=None)
    evse_id = factory.LazyAttributeSequence(lambda o, n: f"{o.station.operator.value}*E{n}")
    evse_id_normalized = factory.LazyAttribute(lambda o: normalize_evse_id(o.evse_id))
    type = "Type2"
    speed = 22
    status = ConnectorStatus.AVAILABLE
    status_changed_at = factory.LazyFunction(timezone.now)


def operator_of(partner_with_key):
    """The caller's registered operator id, DE*<3 characters of its pk>, registered once."""
    # Three digits of the pk, the last three: on PostgreSQL pks keep growing over the whole run
    # (sequences never roll back), and cutting the first three made pk 1030 and 1031 one id.
    value = f"DE*{partner_with_key.partner.pk % 1000:03d}"
    return OperatorId.objects.filter(partner=partner_with_key.partner).first() or (
        OperatorIdFactory(partner=partner_with_key.partner, value=value, name="Ops GmbH")
    )


BERLIN = {"min-lat": 52.3, "max-lat": 52.7, "min-long": 13.0, "max-long": 13.8}


def grid(box, count):
    """``count`` positions on the smallest square grid inside ``box`` that holds them."""
    side = math.isqrt(max(count - 1, 0)) + 1
    height, width = box["max-lat"] - box["min-lat"], box["max-long"] - box["min-long"]
    return [
        (
            box["min-lat"] + height * (n // side + 0.5) / side,
            box["min-long"] + width * (n % side + 0.5) / side,
        )
        for n in range(count)
    ]


def build_stations(owner, count=None, *, box=BERLIN, positions=None, prefix="B"):
    """
    Stations of ``owner`` (a PartnerWithKey) at ``positions``, or ``count`` of them on a grid
    inside ``box``, with two connectors each: bulk inserts, as the benchmark builds its network.
    """
    positions = positions or grid(box, count)
    operator = operator_of(owner)
    company, _ = Company.objects.get_or_create(operator=operator, defaults={"name": "Ops"})
    now = timezone.now()
    stations = Station.objects.bulk_create(
        Station(
            external_id=f"{prefix}-{n}",
            owner=owner.partner,
            operator=operator,
            operator_company=company,
            name=f"Station {prefix}{n}",
            latitude=latitude,
            longitude=longitude,
            city="Berlin",
            country="DE",
            last_static_change=now,
        )
        for n, (latitude, longitude) in enumerate(positions)
    )
    Connector.objects.bulk_create(
        Connector(
            station=station,
            evse_id=f"DE*8PS*E{prefix}{n}X{plug}",
            evse_id_normalized=f"DE8PSE{prefix}{n}X{plug}",
            type="Type2" if plug else "Combo",
            speed=22 if plug else 150,
            status=ConnectorStatus.AVAILABLE,
        )
        for n, station in enumerate(stations)
        for plug in range(2)
    )
    return stations


# --- Customers, contracts, charging keys --------------------------------------------------------


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = "Driver"
    has_valid_payment_method = True


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract of ``provider`` (None: the platform's), with a charging key per state in
    ``charging_keys`` (one active key unless said)."""

    class Meta:
        model = Contract
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    evco_id = factory.Sequence(lambda n: f"DE*RMT*{100000 + n}*1")
    provider = None

    @factory.post_generation
    def charging_keys(contract, create, states, **kwargs):
        for n, state in enumerate(("active",) if states is None else states):
            ChargingKeyFactory(contract=contract, uid=f"{contract.pk:06X}{n:02X}", state=state)


class ChargingKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChargingKey

    contract = factory.SubFactory(ContractFactory, charging_keys=())
    uid = factory.Sequence(lambda n: f"{0xC0000000 + n:08X}")
    state = ChargingKey.State.ACTIVE


def make_key(
    uid="04A1B2C3", evco_id="DE*8PS*123456*7", provider=None, *, blocked=False, payment=True,
    fleet=None,
):  # fmt: skip
    """A charging key made as staff make it (clients.services), its contract shared by EVCO id."""
    key = client_services.charging_key_create(
        uid=uid,
        evco_id=evco_id,
        provider=provider,
        blocked=blocked,
        has_valid_payment_method=payment,
    )
    if fleet is not None:
        key.customer.fleet = fleet
        key.customer.save(update_fields=["fleet"])
    return key


# --- Charging sessions ------------------------------------------------------------------------


class ChargingSessionFactory(factory.django.DjangoModelFactory):
    """A session ``requested_by`` a partner at ``connector``, for an EVCO id, started."""

    class Meta:
        model = ChargingSession

    requested_by = factory.SubFactory(PartnerFactory, is_cpo=False, is_emp=True)
    connector = factory.SubFactory(ConnectorFactory)
    cpo = factory.LazyAttribute(lambda o: o.connector.station.owner)
    evse_id = factory.LazyAttribute(lambda o: o.connector.evse_id)
    user_identifier_type = "evco-id"
    user_identifier = "DE*EMP*000001*1"
    state = ChargingSession.State.STARTED
    result_code = 0
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=30))


# --- CDRs -------------------------------------------------------------------------------------


class CDRFactory(factory.django.DjangoModelFactory):
    """
    A CDR of ``cpo`` (final unless ``final`` is false) started ``start``, at ``station``'s first
    connector if given, with ``revisions`` revisions; the daily totals are computed anew after it,
    as after a bulk load. ``energy`` and ``cost`` are decimal strings (None: unknown).
    """

    class Meta:
        model = CDR
        skip_postgeneration_save = True

    class Params:
        final = True
        start = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
        energy = "10.5"
        cost = "4.20"
        currency = "EUR"
        uid = factory.Sequence(lambda n: f"{0xA0000000 + n:08X}")

    cpo = factory.SubFactory(PartnerFactory)
    partner_identifier = factory.LazyAttribute(
        lambda o: o.cpo.identifiers.first() or PartnerIdentifierFactory(partner=o.cpo)
    )
    session_id = factory.Sequence(lambda n: f"S-{n}")
    station = None
    connector = factory.LazyAttribute(lambda o: o.station.connectors.first() if o.station else None)
    evse_id = factory.LazyAttributeSequence(
        lambda o, n: o.connector.evse_id if o.connector else f"DE*XXX*E{n}"
    )
    evse_id_normalized = factory.LazyAttribute(lambda o: o.evse_id.upper().replace("*", ""))
    user_identifier_type = IdentifierType.RFID
    user_identifier = factory.SelfAttribute("uid")
    user_identifier_normalized = factory.LazyAttribute(lambda o: o.uid.upper())
    recipient = None
    contract = None
    evco_id = factory.LazyAttribute(
        lambda o: billed_identifiers(o.contract, o.connector)["evco_id"]
    )
    station_name = factory.LazyAttribute(
        lambda o: billed_identifiers(o.contract, o.connector)["station_name"]
    )
    station_city = factory.LazyAttribute(
        lambda o: billed_identifiers(o.contract, o.connector)["station_city"]
    )
    session_start = factory.SelfAttribute("start")
    session_stop = factory.LazyAttribute(
        lambda o: o.start + timedelta(minutes=90) if o.final else None
    )
    energy_kwh = factory.LazyAttribute(lambda o: None if o.energy is None else Decimal(o.energy))
    cost_amount = factory.LazyAttribute(lambda o: None if o.cost is None else Decimal(o.cost))
    cost_currency = factory.LazyAttribute(lambda o: "" if o.cost is None else o.currency)
    state = factory.LazyAttribute(lambda o: CDR.State.FINAL if o.final else CDR.State.OPEN)
    final_at = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=91) if o.final else None)

    @factory.post_generation
    def revisions(cdr, create, count, **kwargs):
        for number in range(1, (1 if count is None else count) + 1):
            CDRRevision.objects.create(
                cdr=cdr,
                number=number,
                received_at=cdr.session_start + timedelta(minutes=number),
                payload={"session-id": cdr.session_id},
                key_prefix="abcd1234",
                request_id=f"req-{cdr.pk}-{number}",
            )
        cdr_daily_totals_rebuild()


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
