"""/api/v1/stations/ and /api/v1/connectors/: a CPO reads and filters the stations it pushed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stations.models import Connector, Station
from tests.factories import OperatorIdFactory, build_stations
from tests.mixins import RestEndpointContract
from tests.stations.helpers import plugs, post_station, post_status

STATIONS_URL = "/api/v1/stations/"
CONNECTORS_URL = "/api/v1/connectors/"


class TestStationsContract(RestEndpointContract):
    url = STATIONS_URL

    def make_object(self, caller):
        return build_stations(caller, 1, prefix=f"P{caller.partner.pk}")[0]


class TestConnectorsContract(RestEndpointContract):
    url = CONNECTORS_URL

    def make_object(self, caller):
        return build_stations(caller, 1, prefix=f"P{caller.partner.pk}")[0].connectors.first()


def listed(client, caller, url, **query):
    response = caller.get(client, url, data=query)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_station_shape(client, cpo):
    station = post_station(client, cpo, deleted=True)
    connector = station.connectors.get()

    (item,) = cpo.get(client, f"{STATIONS_URL}?deleted=true").json()["results"]

    assert item["id"] == station.pk and item["external_id"] == "ST-1"
    assert item["operator"] == station.operator.value
    assert item["address"] == {
        "street": "Europaplatz",
        "street_number": "1",
        "city": "Berlin",
        "zip_code": "10557",
        "country": "DE",
    }
    assert item["contact"]["website"] == "https://cpo.example"
    assert (item["is_deleted"], item["is_hidden"], item["status_summary"]) == (True, False, None)
    assert item["connectors"] == [
        {
            "id": connector.pk,
            "evse_id": "DE*8PS*E1001",
            "type": "Type2",
            "speed": 22.0,
            "status": "Unknown",
            "status_changed_at": None,
        }
    ]
    assert cpo.get(client, f"{STATIONS_URL}{station.pk}/").json() == item


def test_station_filters(client, cpo, other_cpo):
    berlin, hamburg, offline, gone = build_stations(cpo, 4)
    Station.objects.filter(pk=hamburg.pk).update(city="Hamburg", latitude=53.55, longitude=9.99)
    Connector.objects.filter(station=offline).update(status="Offline", type="Chademo", speed=50)
    Station.objects.filter(pk=gone.pk).update(is_deleted=True, country="AT")
    old = timezone.now() - timedelta(days=3)
    Station.objects.exclude(pk=berlin.pk).update(last_static_change=old)
    second = OperatorIdFactory(partner=cpo.partner, value="DE*SEC")
    Station.objects.filter(pk=offline.pk).update(operator=second)
    build_stations(other_cpo, 2, prefix="THEIRS")
    every = [berlin.pk, hamburg.pk, offline.pk, gone.pk]

    assert listed(client, cpo, STATIONS_URL) == every[::-1]
    assert listed(client, cpo, STATIONS_URL, city="hamburg") == [hamburg.pk]
    assert listed(client, cpo, STATIONS_URL, country="at") == [gone.pk]
    assert listed(client, cpo, STATIONS_URL, deleted="false") == [offline.pk, hamburg.pk, berlin.pk]
    assert listed(client, cpo, STATIONS_URL, operator="desec") == [offline.pk]
    assert listed(client, cpo, STATIONS_URL, status="Offline") == [offline.pk]
    assert listed(client, cpo, STATIONS_URL, connector_type="Chademo") == [offline.pk]
    assert listed(client, cpo, STATIONS_URL, speed_min=100) == [gone.pk, hamburg.pk, berlin.pk]
    assert listed(client, cpo, STATIONS_URL, speed_max=49) == [gone.pk, hamburg.pk, berlin.pk]
    # One connector meets every connector filter: a Type2 of 150 kW there is not.
    assert listed(client, cpo, STATIONS_URL, connector_type="Type2", speed_min=100) == []
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert listed(client, cpo, STATIONS_URL, changed_since=since) == [berlin.pk]
    Station.objects.filter(pk=gone.pk).update(last_dynamic_change=timezone.now())
    assert listed(client, cpo, STATIONS_URL, changed_since=since) == [gone.pk, berlin.pk]
    assert listed(client, cpo, STATIONS_URL, bbox="9,53,10.5,54") == [hamburg.pk]
    assert listed(client, cpo, STATIONS_URL, bbox="13,52,14,53") == [gone.pk, offline.pk, berlin.pk]


def test_connector_filters(client, cpo, other_cpo):
    station = post_station(
        client,
        cpo,
        connectors=plugs(("DE*8PS*E1", "Type2", 22), ("DE*8PS*E2", "Combo", 150)),
    )
    type2, combo = station.connectors.order_by("id")
    hamburg_address = {
        "street": "A",
        "street-number": "1",
        "city": "Hamburg",
        "zip": "2",
        "country": "DE",
    }
    post_station(
        client,
        cpo,
        "HH",
        evse_ids=("DE*8PS*E3",),
        latitude=53.55,
        longitude=9.99,
        address=hamburg_address,
    )
    (hamburg,) = Connector.objects.filter(evse_id="DE*8PS*E3")
    post_status(client, cpo, "DE*8PS*E2", "Offline")
    (theirs,) = build_stations(other_cpo, 1, prefix="THEIRS")

    assert listed(client, cpo, CONNECTORS_URL) == [hamburg.pk, combo.pk, type2.pk]
    assert listed(client, cpo, CONNECTORS_URL, evse_id="de8pse2") == [combo.pk]
    assert listed(client, cpo, CONNECTORS_URL, station=station.pk) == [combo.pk, type2.pk]
    assert listed(client, cpo, CONNECTORS_URL, station=theirs.pk) == []
    assert listed(client, cpo, CONNECTORS_URL, status="Offline") == [combo.pk]
    assert listed(client, cpo, CONNECTORS_URL, type="Type2") == [hamburg.pk, type2.pk]
    assert listed(client, cpo, CONNECTORS_URL, speed_min=100, speed_max=200) == [combo.pk]
    assert listed(client, cpo, CONNECTORS_URL, city="HAMBURG") == [hamburg.pk]
    assert listed(client, cpo, CONNECTORS_URL, operator=station.operator.value) == [
        hamburg.pk,
        combo.pk,
        type2.pk,
    ]
    assert listed(client, cpo, CONNECTORS_URL, bbox="9,53,10.5,54") == [hamburg.pk]
    Station.objects.update(last_static_change=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert listed(client, cpo, CONNECTORS_URL, changed_since=since) == [combo.pk]
    item = cpo.get(client, f"{CONNECTORS_URL}{combo.pk}/").json()
    assert item == {
        "id": combo.pk,
        "station": station.pk,
        "station_external_id": "ST-1",
        "evse_id": "DE*8PS*E2",
        "type": "Combo",
        "speed": 150.0,
        "status": "Offline",
        "status_changed_at": Connector.objects.get(pk=combo.pk)
        .status_changed_at.isoformat()
        .replace("+00:00", "Z"),
    }


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (STATIONS_URL, {"operator": "D-1"}, "operator"),
        (STATIONS_URL, {"status": "Charging"}, "status"),
        (STATIONS_URL, {"bbox": "1,2,3"}, "bbox"),
        (STATIONS_URL, {"bbox": "0,60,10,50"}, "bbox"),
        (STATIONS_URL, {"changed_since": "yesterday"}, "changed_since"),
        (CONNECTORS_URL, {"changed_since": "0001-01-01T00:00:00+15:00"}, "changed_since"),
        (CONNECTORS_URL, {"evse_id": "DE*8PS"}, "evse_id"),
        (CONNECTORS_URL, {"speed_min": "fast"}, "speed_min"),
    ],
)
def test_malformed_filter_is_400_naming_it(client, cpo, url, query, field):
    response = cpo.get(client, url, data=query)
    assert response.status_code == 400
    assert field in response.json()


def test_changed_since_takes_any_offset(client, cpo):
    station = build_stations(cpo, 1)[0]
    for url in (STATIONS_URL, CONNECTORS_URL):
        # Beyond PostgreSQL's ±15:59, and long before any change: everything matches.
        assert len(listed(client, cpo, url, changed_since="0568-07-22T08:27:38.81-17:36")) > 0
    assert listed(client, cpo, STATIONS_URL, changed_since="9999-12-31T23:00:00-00:30") == []
    assert station.pk in listed(client, cpo, STATIONS_URL, changed_since="2000-01-01T00:00:00Z")


def test_bbox_across_the_antimeridian(client, cpo):
    fiji, samoa, perth = build_stations(
        cpo, positions=[(-17.7, 178.4), (-13.8, -171.7), (-31.9, 115.8)]
    )
    assert listed(client, cpo, STATIONS_URL, bbox="170,-40,-170,0") == [samoa.pk, fiji.pk]
    assert listed(client, cpo, CONNECTORS_URL, bbox="110,-40,120,0") == list(
        perth.connectors.order_by("-id").values_list("id", flat=True)
    )


@pytest.mark.parametrize("count", [10, 200])
def test_lists_cost_a_constant_number_of_queries(client, cpo, count, django_assert_max_num_queries):
    build_stations(cpo, count)
    cpo.get(client, STATIONS_URL)

    # Key, page of stations, their connectors, audit row.
    with django_assert_max_num_queries(4):
        response = cpo.get(client, STATIONS_URL, data={"page_size": 1000})
    assert len(response.json()["results"]) == count
    # Key, page of connectors with their stations, audit row.
    with django_assert_max_num_queries(3):
        response = cpo.get(client, CONNECTORS_URL, data={"page_size": 1000})
    assert len(response.json()["results"]) == 2 * count


def test_stations_are_in_the_openapi_schema(client, db):
    schema = client.get("/api/v1/schema/").content.decode()
    for text in ("/api/v1/stations/", "/api/v1/connectors/", "bbox", "changed_since", "speed_min"):
        assert text in schema
