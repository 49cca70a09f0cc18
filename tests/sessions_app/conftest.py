"""A CPO with a charging station, played by the real CPO simulator."""

import pytest

from demo.simulator import CpoSimulator
from tests.factories import ConnectorFactory, PartnerFactory

CPO_KEY = "cpo-key-given-to-the-platform-0001"


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


@pytest.fixture
def connector(remote_cpo):
    return ConnectorFactory(
        station__owner=remote_cpo, station__is_reservable=True, evse_id="DE*RMT*E0001"
    )
