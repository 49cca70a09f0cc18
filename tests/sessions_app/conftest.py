"""A CPO with a charging station, played by the real CPO simulator, and a customer's contract."""

import itertools

import pytest

from clients.models import ChargingKey, Contract, Customer
from demo.simulator import CpoSimulator
from oioi_portal.identifiers import normalize_evse_id
from oioi_portal.models import Partner
from stations.models import Connector, ConnectorStatus, Station
from stations.services import operator_company_get_or_create
from tests.factories import OperatorIdFactory, PartnerFactory

CPO_KEY = "cpo-key-given-to-the-platform-0001"
_evco_numbers = itertools.count(100000)


@pytest.fixture
def simulator():
    cpo_simulator = CpoSimulator(key=CPO_KEY).start()
    yield cpo_simulator
    cpo_simulator.stop()


@pytest.fixture
def remote_cpo(db, simulator):
    return PartnerFactory(
        name="Remote CPO", slug="remote-cpo", endpoint_url=simulator.url, endpoint_key=CPO_KEY
    )


def make_station(cpo, evse_id="DE*RMT*E0001", **fields):
    operator = cpo.operator_ids.first() or OperatorIdFactory(partner=cpo, value="DE*RMT")
    station = Station.objects.create(
        external_id=f"ST-{evse_id}",
        owner=cpo,
        operator=operator,
        operator_company=operator_company_get_or_create(operator),
        name="Remote P1",
        latitude=52.5,
        longitude=13.4,
        country="DE",
        **fields,
    )
    return Connector.objects.create(
        station=station,
        evse_id=evse_id,
        evse_id_normalized=normalize_evse_id(evse_id),
        type="Type2",
        speed=22,
        status=ConnectorStatus.AVAILABLE,
    )


@pytest.fixture
def connector(remote_cpo):
    return make_station(remote_cpo, is_reservable=True)


def make_contract(provider: Partner | None, *, payment=True, key_states=("active",)):
    customer = Customer.objects.create(name="Driver", has_valid_payment_method=payment)
    contract = Contract.objects.create(
        customer=customer, evco_id=f"DE*RMT*{next(_evco_numbers)}*1", provider=provider
    )
    for n, state in enumerate(key_states):
        ChargingKey.objects.create(
            uid=f"{contract.pk:06X}{n:02X}", contract=contract, customer=customer, state=state
        )
    return contract


def evco_user(contract):
    return {"identifier-type": "evco-id", "identifier": contract.evco_id}
