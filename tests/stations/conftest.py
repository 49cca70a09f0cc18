"""Stations as CPOs post them, and bulk-built networks for the read calls' tests."""

import copy
import math

import pytest
from django.utils import timezone

from oioi_portal.models import OperatorId
from stations.models import Company, Connector, ConnectorStatus, Station
from tests.conftest import PartnerWithKey
from tests.factories import OperatorIdFactory

BERLIN = {"min-lat": 52.3, "max-lat": 52.7, "min-long": 13.0, "max-long": 13.8}


def operator_of(partner_with_key):
    """The caller's registered operator id, DE*<3 characters of its pk>, registered once."""
    # Three digits of the pk, the last three: on PostgreSQL pks keep growing over the whole run
    # (sequences never roll back), and cutting the first three made pk 1030 and 1031 one id.
    value = f"DE*{partner_with_key.partner.pk % 1000:03d}"
    return OperatorId.objects.filter(partner=partner_with_key.partner).first() or (
        OperatorIdFactory(partner=partner_with_key.partner, value=value, name="Ops GmbH")
    )


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


@pytest.fixture
def reader(db):
    """An EMP app reading stations."""
    return PartnerWithKey(name="Reader EMP", slug="reader-emp", is_cpo=False, is_emp=True)
