"""user-get-recent-sessions and user-get-recent-stations: the user's own, newest first, in a
constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stations.models import Station
from tests.app_users.helpers import by_token, register
from tests.factories import CDRFactory, ChargingSessionFactory, build_stations


def sessions(client, oem, token):
    response = oem.post(client, "user-get-recent-sessions", {"user": by_token(token)})
    assert response.json()["result"]["code"] == 0, response.content
    return response.json()["user"]["sessions"]


def stations(client, oem, token, limit):
    payload = {"user": by_token(token), "limit": limit}
    response = oem.post(client, "user-get-recent-stations", payload)
    assert response.json()["result"]["code"] == 0, response.content
    return response.json()["user"]["stations"]


def cdr(cpo, user, station=None, minutes_ago=60, **fields):
    return CDRFactory(
        cpo=cpo.partner,
        station=station,
        customer=user.customer,
        contract=user.contract,
        start=timezone.now() - timedelta(minutes=minutes_ago),
        **fields,
    )


def test_recent_sessions_in_the_documented_shape(client, oem, cpo):
    user, token = register(oem)
    other, _ = register(oem, "jane")
    station = build_stations(cpo, 1)[0]
    Station.objects.filter(pk=station.pk).update(
        street="Tempelhofer Ufer", street_number="17", zip_code="10963", city="Berlin"
    )
    remote = ChargingSessionFactory(
        requested_by=oem.partner, connector=station.connectors.first(), contract=user.contract
    )
    newest = cdr(cpo, user, station, minutes_ago=10, charging_session=remote)
    cdr(cpo, user, None, minutes_ago=100, cost=None, final=False)
    cdr(cpo, other, station)
    got = sessions(client, oem, token)
    assert len(got) == 2
    first, second = got
    assert first == {
        "request-sent": remote.requested_at.isoformat(),
        "connector-id": newest.connector_id,
        "charging-station-id": station.pk,
        "session-interval": {
            "start": newest.session_start.isoformat(),
            "end": newest.session_stop.isoformat(),
        },
        "charging-interval": {"start": None, "end": None},
        "energy-consumed": 10.5,
        "cost": "4.20",
        "currency": "EUR",
        "external-session-id": newest.session_id,
        "address": "Tempelhofer Ufer 17, 10963 Berlin, DE",
    }
    assert second["request-sent"] is None and second["connector-id"] is None
    assert second["cost"] is None and second["currency"] is None
    assert second["session-interval"]["end"] is None


def test_recent_sessions_are_the_twenty_newest(client, oem, cpo):
    user, token = register(oem)
    made = [cdr(cpo, user, minutes_ago=n) for n in range(1, 26)]
    got = sessions(client, oem, token)
    assert [s["external-session-id"] for s in got] == [c.session_id for c in made[:20]]


def test_recent_stations_newest_use_first_deleted_left_out(client, oem, cpo):
    user, token = register(oem)
    old, new, deleted, remote_only, unused = build_stations(cpo, 5)
    cdr(cpo, user, old, minutes_ago=300)
    cdr(cpo, user, old, minutes_ago=200)
    cdr(cpo, user, new, minutes_ago=100)
    cdr(cpo, user, deleted, minutes_ago=5)
    ChargingSessionFactory(
        requested_by=oem.partner,
        connector=remote_only.connectors.first(),
        contract=user.contract,
        requested_at=timezone.now() - timedelta(minutes=150),
    )
    Station.objects.filter(pk=deleted.pk).update(is_deleted=True)
    got = stations(client, oem, token, 50)
    assert [s["id"] for s in got] == [new.pk, remote_only.pk, old.pk]
    assert got[0] == {
        "id": new.pk,
        "name": new.name,
        "latitude": new.latitude,
        "longitude": new.longitude,
        "dynamic-status-summary": "Available",
        "owner-type": "cpo",
    }
    assert [s["id"] for s in stations(client, oem, token, 2)] == [new.pk, remote_only.pk]
    for limit in (0, 51, "x"):
        payload = {"user": by_token(token), "limit": limit}
        response = oem.post(client, "user-get-recent-stations", payload)
        assert response.status_code == 400
        assert "limit" in response.json()["result"]["message"]


@pytest.mark.parametrize("call", ["user-get-recent-sessions", "user-get-recent-stations"])
def test_queries_do_not_grow_with_the_history(
    client, oem, cpo, call, django_assert_max_num_queries
):
    user, token = register(oem)
    few = build_stations(cpo, 2, prefix="F")
    for station in few:
        cdr(cpo, user, station)
    payload = {"user": by_token(token), "limit": 50}
    with CaptureQueriesContext(connection) as baseline:
        assert oem.post(client, call, payload).json()["result"]["code"] == 0
    for station in build_stations(cpo, 20, prefix="M"):
        cdr(cpo, user, station)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert oem.post(client, call, payload).json()["result"]["code"] == 0
