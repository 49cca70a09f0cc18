"""Reservations as connector state: kept by the services, read by the station reads."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from partners.models import Role
from sessions_app import remote, services
from sessions_app.models import Reservation
from stations.selectors import station_detail_list
from tests.factories import ConnectorFactory, ContractFactory, PartnerFactory
from tests.mixins import partner_with_roles


class FakeGateway:
    """Answers every ask with ``answer`` and notes what was asked."""

    def __init__(self, answer):
        self.answer = answer
        self.asked = []

    def reservation_start(self, cpo, **ask):
        self.asked.append(("reservation-start", ask))
        return self.answer

    def reservation_stop(self, cpo, **ask):
        self.asked.append(("reservation-stop", ask))
        return self.answer


@pytest.fixture
def emp(db):
    return partner_with_roles("Reserving EMP", {Role.EMP}).partner


@pytest.fixture
def connector(db):
    return ConnectorFactory(station__owner=PartnerFactory(), station__is_reservable=True)


@pytest.fixture
def use_gateway():
    """Put a FakeGateway answering ``answer`` in place of OIOI's, for the test."""
    registered = remote.gateway()

    def use(answer):
        gateway = FakeGateway(answer)
        remote.gateway_register(gateway)
        return gateway

    yield use
    remote.gateway_register(registered)


def reserve(emp, connector):
    contract = ContractFactory(provider=emp)
    return services.reservation_start(
        partner=emp,
        evse_id=connector.evse_id,
        reservation_identifiers=[{"evco_id": contract.evco_id}],
    )


def reservation_seen(connector, partner):
    (station,) = station_detail_list(partner=partner, station_ids=[connector.station_id])
    (seen,) = station.connectors.all()
    return seen.reservation_end, seen.reservation_by


def test_an_accepted_reservation_holds_the_connector_until_stopped(use_gateway, emp, connector):
    end = timezone.now() + timedelta(minutes=20)
    gateway = use_gateway(remote.RemoteAnswer(remote.Answer.ACCEPTED, 0, end=end))
    forwarded = reserve(emp, connector)
    assert gateway.asked[0][1]["evse_id"] == connector.evse_id
    assert forwarded.record.state == Reservation.State.ACTIVE
    assert reservation_seen(connector, emp) == (end, emp.pk)
    services.reservation_stop(
        partner=emp,
        identifier_type="evco-id",
        identifier=forwarded.record.contracts.get().evco_id,
    )
    assert reservation_seen(connector, emp) == (None, None)


@pytest.mark.parametrize("answer", [remote.Answer.REFUSED, remote.Answer.TIMEOUT])
def test_a_reservation_not_accepted_leaves_the_connector_free(use_gateway, emp, connector, answer):
    use_gateway(remote.RemoteAnswer(answer, 302, "No."))
    forwarded = reserve(emp, connector)
    assert (forwarded.record.result_code, forwarded.record.result_message) == (302, "No.")
    assert reservation_seen(connector, emp) == (None, None)


def test_an_expired_reservation_holds_nothing(emp, connector):
    connector.reserved_until = timezone.now() - timedelta(seconds=1)
    connector.reserved_by = emp
    connector.save()
    assert reservation_seen(connector, emp) == (None, None)


def test_the_migration_copies_active_reservations_onto_their_connectors(emp, connector):
    now = timezone.now()
    expired = ConnectorFactory(station=connector.station)
    for held, end, state in (
        (connector, now + timedelta(minutes=5), Reservation.State.ACTIVE),
        (connector, now + timedelta(minutes=9), Reservation.State.ACTIVE),
        (connector, now + timedelta(hours=1), Reservation.State.STOPPED),
        (expired, now - timedelta(minutes=1), Reservation.State.ACTIVE),
    ):
        Reservation.objects.create(
            requested_by=emp,
            cpo=held.station.owner,
            connector=held,
            evse_id="x",
            state=state,
            end_at=end,
        )
    migration = importlib.import_module("sessions_app.migrations.0003_connector_reservation_state")
    migration.fill(apps, None)
    connector.refresh_from_db()
    expired.refresh_from_db()
    assert (connector.reserved_until, connector.reserved_by_id) == (
        now + timedelta(minutes=9),
        emp.pk,
    )
    assert (expired.reserved_until, expired.reserved_by_id) == (None, None)
