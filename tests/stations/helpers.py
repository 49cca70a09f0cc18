"""Stations and statuses as CPOs post them through the endpoint, and the rows they write."""

import copy

from stations.models import Company, Connector, Station
from tests.factories import operator_of


def plugs(*specs):
    """Connectors of a station-post payload from (EVSE id, type, kW) triples."""
    return [{"id": evse_id, "name": kind, "speed": speed} for evse_id, kind, speed in specs]


def station_payload(caller, station_id="ST-1", evse_ids=("DE*8PS*E1001",), **fields):
    """A complete, valid station-post payload for ``caller``; ``fields`` replace station fields."""
    station = {
        "id": station_id,
        "name": "Hauptbahnhof P1",
        "description": "Level 1, next to the lifts.",
        "latitude": 52.525,
        "longitude": 13.369,
        "address": {
            "street": "Europaplatz",
            "street-number": "1",
            "city": "Berlin",
            "zip": "10557",
            "country": "DE",
        },
        "contact": {"phone": "+49 30 1234567", "website": "https://cpo.example"},
        "cpo-id": operator_of(caller).value,
        "is-open-24": True,
        "connectors": plugs(*((evse_id, "Type2", 22) for evse_id in evse_ids)),
        "open-hour-notes": [{"times": ["07:30", "19:00"], "days": ["Mo", "Fr"]}],
        "notes": "Ask at the desk.",
        "is-reservable": False,
        "floor-level": 1,
        "is-free-charge": False,
        "total-parking": 4,
        "is-green-power-available": True,
        "is-plugin-charge": False,
        "is-roofed": True,
        "is-private": False,
        "deleted": False,
    }
    station.update(copy.deepcopy(fields))
    return {"partner-identifier": caller.identifier.value, "station": station}


def post_station(client, caller, *args, **fields):
    response = caller.post(client, "station-post", station_payload(caller, *args, **fields))
    assert response.status_code == 200, response.content
    assert response.json()["result"]["code"] == 0, response.content
    return Station.objects.get(external_id=args[0] if args else "ST-1")


def status_payload(caller, evse_id="DE*8PS*E1001", status="Occupied"):
    return {
        "partner-identifier": caller.identifier.value,
        "connector-id": evse_id,
        "status": status,
    }


def post_status(client, caller, evse_id, status):
    """connector-post-status through the endpoint, as the CPO's system sends it."""
    response = caller.post(client, "connector-post-status", status_payload(caller, evse_id, status))
    assert response.json()["result"]["code"] == 0, response.content
    return response


def snapshot():
    """Everything station-post and connector-post-status write, to assert that nothing did."""
    return (
        list(Station.objects.order_by("pk").values()),
        list(Connector.objects.order_by("pk").values()),
        list(Company.objects.order_by("pk").values()),
    )
