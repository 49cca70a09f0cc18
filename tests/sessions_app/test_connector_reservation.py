"""Reservations as connector state: kept by the services, read by the station reads."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from partners.models import Role
from sessions_app.models import Reservation
from stations.selectors import station_detail_list
from tests.factories import ConnectorFactory, ContractFactory
from tests.mixins import partner_with_roles


@pytest.fixture
def emp(db):
    return partner_with_roles("Reserving EMP", {Role.EMP})


def reserve(client, emp, connector):
    contract = ContractFactory(provider=emp.partner)
    payload = {"connector-id": connector.evse_id, "identifier": [{"evco-id": contract.evco_id}]}
    return emp.post(client, "reservation-start", payload), contract


def reservation_seen(connector, partner):
    (station,) = station_detail_list(partner=partner, station_ids=[connector.station_id])
    (seen,) = station.connectors.all()
    return seen.reservation_end, seen.reservation_by


def test_an_accepted_reservation_holds_the_connector_until_stopped(
    client, emp, connector, simulator
):
    response, contract = reserve(client, emp, connector)
    end = parse_datetime(response.json()["reservation-start"]["end"])
    assert reservation_seen(connector, emp.partner) == (end, emp.partner.pk)
    stop = {"identifier-type": "evco-id", "identifier": contract.evco_id}
    assert emp.post(client, "reservation-stop", stop).json()["result"]["code"] == 0
    assert reservation_seen(connector, emp.partner) == (None, None)


@pytest.mark.parametrize(
    "answer, code",
    [
        ({"body": b'{"result": {"code": 320, "message": "In use."}}'}, 320),
        ({"body": b'{"result": {"code": 0, "message": "Late."}}', "delay": 1.5}, 302),
    ],
    ids=["refused", "timeout"],
)
def test_a_reservation_not_accepted_leaves_the_connector_free(
    client, emp, connector, partner_server, settings, answer, code
):
    settings.OIOI_FORWARD_TIMEOUT_SECONDS = 0.5
    partner_server.answer(**answer)
    cpo = connector.station.owner
    cpo.endpoint_url = partner_server.url
    cpo.save()
    response, _ = reserve(client, emp, connector)
    assert response.json()["result"]["code"] == code
    assert Reservation.objects.get().result_code == code
    assert reservation_seen(connector, emp.partner) == (None, None)


def test_an_expired_reservation_holds_nothing(emp, connector):
    connector.reserved_until = timezone.now() - timedelta(seconds=1)
    connector.reserved_by = emp.partner
    connector.save()
    assert reservation_seen(connector, emp.partner) == (None, None)


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
            requested_by=emp.partner,
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
        emp.partner.pk,
    )
    assert (expired.reserved_until, expired.reserved_by_id) == (None, None)
