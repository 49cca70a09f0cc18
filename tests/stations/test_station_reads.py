"""station-get-surface and station-get-by-ids through the real OIOI endpoint."""

import pytest

from partners.models import Role
from stations.models import Company, Connector, ConnectorStatus, Station
from tests.factories import BERLIN, build_stations
from tests.mixins import OIOICallContract, partner_with_roles
from tests.stations.helpers import plugs, post_station, post_status

SURFACE = "station-get-surface"
BY_IDS = "station-get-by-ids"
READERS = frozenset({Role.EMP, Role.OEM})


class TestStationGetSurfaceContract(OIOICallContract):
    call = SURFACE
    roles = READERS

    def payload(self, caller):
        return BERLIN


class TestStationGetByIdsContract(OIOICallContract):
    call = BY_IDS
    roles = READERS

    def payload(self, caller):
        return {"station-ids": [1, 2]}


def surface(client, reader, box=BERLIN, **filters):
    payload = {**box, "filters": filters} if filters else box
    response = reader.post(client, SURFACE, payload)
    assert response.status_code == 200, response.content
    assert response.json()["result"]["code"] == 0
    return response.json()


def surface_ids(client, reader, box=BERLIN, **filters):
    return [station["id"] for station in surface(client, reader, box, **filters)["stations"]]


def by_ids(client, reader, ids):
    response = reader.post(client, BY_IDS, {"station-ids": ids})
    assert response.status_code == 200, response.content
    assert response.json()["result"]["code"] == 0
    return response.json()


def refused(response, names):
    assert response.status_code == 400, response.content
    assert response.json()["result"]["code"] == 230
    assert names in response.json()["result"]["message"]


# --- station-get-surface --------------------------------------------------------------------


def test_surface_answers_the_stations_in_the_box(client, cpo, reader):
    station = post_station(
        client,
        cpo,
        connectors=plugs(("DE*8PS*E1001", "Type2", 22), ("DE*8PS*E1002", "Combo", 150)),
    )
    post_station(client, cpo, "MUNICH", evse_ids=("DE*8PS*E2",), latitude=48.13, longitude=11.57)
    post_status(client, cpo, "DE*8PS*E1002", "Occupied")
    connectors = {c.evse_id: c.pk for c in station.connectors.all()}

    body = surface(client, reader)

    assert body["hasMore"] is False
    assert body["stations"] == [
        {
            "id": station.pk,
            "name": "Hauptbahnhof P1",
            "latitude": 52.525,
            "longitude": 13.369,
            "dynamic-status-summary": "Occupied",
            "owner-type": "cpo",
            "last-static-change": station.last_static_change.isoformat(),
            "connector-statuses": {
                str(connectors["DE*8PS*E1001"]): "Unknown",
                str(connectors["DE*8PS*E1002"]): "Occupied",
            },
        }
    ]


@pytest.mark.parametrize(
    ("statuses", "summary"),
    [
        (["Available", "Offline"], "Available"),
        (["Reserved", "Offline"], "Occupied"),
        (["Occupied", "Unknown"], "Occupied"),
        (["Offline", "Unknown"], "Offline"),
        (["Unknown", "Unknown"], None),
    ],
)
def test_dynamic_status_summary_is_derived_from_the_connectors(
    client, cpo, reader, statuses, summary
):
    station = build_stations(cpo, 1)[0]
    for connector, status in zip(station.connectors.order_by("id"), statuses, strict=True):
        Connector.objects.filter(pk=connector.pk).update(status=status)

    (answer,) = surface(client, reader)["stations"]
    assert answer["dynamic-status-summary"] == summary
    (detail,) = by_ids(client, reader, [station.pk])["stations"]
    assert detail["dynamic-status-summary"] == summary


def test_deleted_hidden_and_private_stations(client, cpo, reader):
    shown, deleted, hidden, private = build_stations(cpo, 4)
    Station.objects.filter(pk=deleted.pk).update(is_deleted=True)
    Station.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Station.objects.filter(pk=private.pk).update(is_private=True)
    both = partner_with_roles("CPO and EMP", {Role.CPO, Role.EMP})
    Station.objects.filter(pk=private.pk).update(owner=both.partner)

    assert surface_ids(client, reader) == [shown.pk]
    assert surface_ids(client, both) == [shown.pk, private.pk]
    every = [shown.pk, deleted.pk, hidden.pk, private.pk]
    assert [s["id"] for s in by_ids(client, reader, every)["stations"]] == [shown.pk]
    assert [s["id"] for s in by_ids(client, both, every)["stations"]] == [shown.pk, private.pk]


def test_box_edges_are_inside_and_outside_is_out(client, cpo, reader):
    inside = [(10.0, 20.0), (10.5, 20.5), (10.0, 20.5), (10.25, 20.25)]
    outside = [(9.999, 20.2), (10.501, 20.2), (10.2, 19.999), (10.2, 20.501)]
    build_stations(cpo, positions=inside + outside)

    answer = surface(
        client, reader, {"min-lat": 10, "max-lat": 10.5, "min-long": 20, "max-long": 20.5}
    )

    assert [(s["latitude"], s["longitude"]) for s in answer["stations"]] == inside


def test_box_across_the_antimeridian(client, cpo, reader):
    west = post_station(
        client, cpo, "FIJI", evse_ids=("FJ*ABC*E1",), latitude=-17.7, longitude=178.4
    )
    east = post_station(
        client, cpo, "SAMOA", evse_ids=("WS*ABC*E1",), latitude=-13.8, longitude=-171.7
    )
    post_station(client, cpo, "PERTH", evse_ids=("AU*ABC*E1",), latitude=-31.9, longitude=115.8)
    box = {"min-lat": -40.0, "max-lat": 0.0, "min-long": 170.0, "max-long": -170.0}

    assert surface_ids(client, reader, box) == [west.pk, east.pk]


def test_filters(client, cpo, reader):
    plain, hotel, fast, excluded = build_stations(cpo, 4)
    hotel_company = Company.objects.create(name="Hotel Adlon", type="hotel")
    Station.objects.filter(pk=hotel.pk).update(owner_company=hotel_company, accepts_app=False)
    Connector.objects.filter(station=fast).update(type="Chademo", speed=50)
    other = partner_with_roles("Second CPO", {Role.CPO})
    (elsewhere,) = build_stations(other, 1, prefix="O")

    assert surface_ids(client, reader, excludes=[excluded.pk, elsewhere.pk]) == [
        plain.pk,
        hotel.pk,
        fast.pk,
    ]
    assert surface_ids(client, reader, **{"company-types": ["hotel"]}) == [hotel.pk]
    assert surface_ids(client, reader, **{"company-types": ["cpo"]}) == [
        plain.pk,
        fast.pk,
        excluded.pk,
        elsewhere.pk,
    ]
    assert surface_ids(client, reader, **{"connector-types": ["Chademo", "Tesla"]}) == [fast.pk]
    assert surface_ids(client, reader, **{"connector-speeds-greater": 100}) == [
        plain.pk,
        hotel.pk,
        excluded.pk,
        elsewhere.pk,
    ]
    assert surface_ids(client, reader, **{"connector-speeds-less": 49.9}) == [
        plain.pk,
        hotel.pk,
        excluded.pk,
        elsewhere.pk,
    ]
    # One connector must meet every connector filter: a fast Combo and a slow Type2 do not.
    assert (
        surface_ids(
            client, reader, **{"connector-types": ["Type2"], "connector-speeds-greater": 100}
        )
        == []
    )
    assert surface_ids(client, reader, **{"operator-ids": [elsewhere.operator_company_id]}) == [
        elsewhere.pk
    ]
    assert surface_ids(client, reader, payable=["app"]) == [
        plain.pk,
        fast.pk,
        excluded.pk,
        elsewhere.pk,
    ]
    assert surface_ids(client, reader, payable=["rfid"]) == [
        plain.pk,
        hotel.pk,
        fast.pk,
        excluded.pk,
        elsewhere.pk,
    ]


def test_the_cap_gives_a_spatially_even_sample_and_has_more(client, cpo, reader, settings):
    settings.OIOI_SURFACE_MAX_STATIONS = 16
    # A dense cluster in the south-west corner, listed first, and a sparse grid over the box.
    corner = {"min-lat": 52.30, "max-lat": 52.32, "min-long": 13.00, "max-long": 13.02}
    build_stations(cpo, 100, box=corner, prefix="DENSE")
    build_stations(cpo, 16, prefix="SPARSE")

    body = surface(client, reader)
    answer = body["stations"]

    assert body["hasMore"] is True and len(answer) == 16
    # Every cell of the 4 × 4 grid over the box gives one station: no piling up in the corner.
    cells = {
        (int((s["latitude"] - 52.3) / 0.1), int((s["longitude"] - 13.0) / 0.2)) for s in answer
    }
    assert len(cells) == 16
    assert [s["id"] for s in answer] == sorted(s["id"] for s in answer)
    assert surface(client, reader)["stations"] == answer


def test_has_more_is_false_when_everything_fits(client, cpo, reader, settings):
    settings.OIOI_SURFACE_MAX_STATIONS = 5
    build_stations(cpo, 5)
    body = surface(client, reader)
    assert (len(body["stations"]), body["hasMore"]) == (5, False)


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"min-lat": 53.0}, "min-lat"),
        ({"max-lat": 91}, "max-lat"),
        ({"min-long": -181}, "min-long"),
        ({"max-long": "east"}, "max-long"),
        ({"min-lat": None}, "min-lat"),
        ({"filters": {"connector-types": ["Plug"]}}, "filters.connector-types[0]"),
        ({"filters": {"payable": ["cash"]}}, "filters.payable[0]"),
        ({"filters": {"excludes": ["x"]}}, "filters.excludes[0]"),
        ({"filters": {"excludes": [2**70]}}, "filters.excludes[0]"),
        ({"filters": {"operator-ids": list(range(1, 1002))}}, "filters.operator-ids"),
        ({"filters": {"connector-speeds-greater": "fast"}}, "filters.connector-speeds-greater"),
        ({"user": {"identifier-type": "email", "identifier": "a"}}, "user.identifier-type"),
    ],
)
def test_malformed_surface_request_is_400_naming_the_field(client, reader, change, names):
    refused(reader.post(client, SURFACE, {**BERLIN, **change}), f"{SURFACE}.{names}")


def test_surface_accepts_a_user(client, cpo, reader):
    build_stations(cpo, 1)
    payload = {**BERLIN, "user": {"identifier-type": "evco-id", "identifier": "DE*8PS*123456*7"}}
    assert len(reader.post(client, SURFACE, payload).json()["stations"]) == 1


@pytest.mark.parametrize("count", [10, 200])
def test_surface_costs_the_same_queries_whatever_the_answer(
    client, cpo, reader, count, django_assert_max_num_queries
):
    build_stations(cpo, count)
    reader.post(client, "api-minimum-version-number", {})

    # Key, stations, connectors, audit row.
    with django_assert_max_num_queries(4):
        body = surface(client, reader)
    assert len(body["stations"]) == count


# --- station-get-by-ids ---------------------------------------------------------------------


def test_by_ids_answers_the_full_detail_with_companies(client, cpo, reader):
    station = post_station(
        client,
        cpo,
        connectors=plugs(("DE*8PS*E1001", "Type2", 22.2), ("DE*8PS*E1002", "Combo", 50)),
        contact={"phone": "+49 30 1", "web": "www.cpo.example", "email": "ops@cpo.example"},
    )
    post_status(client, cpo, "DE*8PS*E1001", "Available")
    hotel = Company.objects.create(
        name="Hotel Adlon", type="hotel", city="Berlin", website="adlon.example"
    )
    emp = Company.objects.create(name="Roaming EMP", type="emp")
    Station.objects.filter(pk=station.pk).update(owner_company=hotel, is_validated=True)
    station.service_providers.set([emp])
    station.refresh_from_db()
    type2, combo = station.connectors.order_by("id")

    body = by_ids(client, reader, [station.pk, 999999])

    (detail,) = body["stations"]
    assert detail == {
        "id": station.pk,
        "address": {
            "street": "Europaplatz",
            "street-number": "1",
            "city": "Berlin",
            "zip": "10557",
            "country": "DE",
        },
        "contact": {
            "email": "ops@cpo.example",
            "web": "www.cpo.example",
            "website": "www.cpo.example",
            "phone": "+49 30 1",
            "fax": None,
        },
        "operator-company-id": station.operator_company_id,
        "floor-level": 1,
        "is-free-charge": False,
        "last-static-change": station.last_static_change.isoformat(),
        "last-dynamic-change": station.last_dynamic_change.isoformat(),
        "name": "Hauptbahnhof P1",
        "description": "Level 1, next to the lifts.",
        "latitude": 52.525,
        "longitude": 13.369,
        "open-hour-notes": [{"times": ["07:30", "19:00"], "days": ["Mo", "Fr"]}],
        "total-parking": 4,
        "notes": "Ask at the desk.",
        "is-green-power-available": True,
        "is-plugin-charge": False,
        "is-roofed": True,
        "is-reservable": False,
        "has-dynamic-info": True,
        "is-open-24": True,
        "dynamic-status-summary": "Available",
        "is-validated": True,
        "is-private": False,
        "owner-company-id": hotel.pk,
        "service-providers": [emp.pk],
        "connectors": [
            {
                "id": type2.pk,
                "status": "Available",
                "last-change": type2.status_changed_at.isoformat(),
                "name": "Type2",
                "speed": "22.2kW",
                "mode": None,
                "external-id": "DE*8PS*E1001",
                "reservation": None,
            },
            {
                "id": combo.pk,
                "status": "Unknown",
                "last-change": None,
                "name": "Combo",
                "speed": "50kW",
                "mode": None,
                "external-id": "DE*8PS*E1002",
                "reservation": None,
            },
        ],
    }
    operator = station.operator_company
    assert body["companies"] == [
        {
            "id": company.pk,
            "name": company.name,
            "contact": {
                "email": None,
                "web": company.website or None,
                "website": company.website or None,
                "phone": None,
                "fax": None,
            },
            "address": {
                "street": None,
                "street-number": None,
                "city": company.city or None,
                "zip": None,
                "country": None,
            },
            "description": None,
            "type": company.type,
        }
        for company in sorted([operator, hotel, emp], key=lambda c: c.pk)
    ]


def test_by_ids_keeps_the_order_asked_and_leaves_out_unknown_ids(client, cpo, reader):
    first, second, third = build_stations(cpo, 3)
    ids = [
        s["id"] for s in by_ids(client, reader, [third.pk, 999999, first.pk, third.pk])["stations"]
    ]
    assert ids == [third.pk, first.pk]
    assert by_ids(client, reader, [])["stations"] == []


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({"station-ids": list(range(1, 12))}, "station-ids"),
        ({"station-ids": ["one"]}, "station-ids[0]"),
        ({"station-ids": 5}, "station-ids"),
        ({"station-ids": [2**70]}, "station-ids[0]"),
        ({"station-ids": [0]}, "station-ids[0]"),
        ({}, "station-ids"),
    ],
)
def test_malformed_by_ids_request_is_400_naming_the_field(client, reader, payload, names):
    refused(reader.post(client, BY_IDS, payload), f"{BY_IDS}.{names}")


def test_ten_ids_are_enough(client, cpo, reader):
    stations = build_stations(cpo, 12)
    answer = by_ids(client, reader, [s.pk for s in stations[:10]])
    assert len(answer["stations"]) == 10


@pytest.mark.parametrize("count", [10, 200])
def test_by_ids_costs_the_same_queries_whatever_the_stations(
    client, cpo, reader, count, django_assert_max_num_queries
):
    stations = build_stations(cpo, count)
    Connector.objects.bulk_create(
        Connector(
            station=stations[0],
            evse_id=f"DE*8PS*EX{n}",
            evse_id_normalized=f"DE8PSEX{n}",
            type="Type2",
            speed=11,
            status=ConnectorStatus.OFFLINE,
        )
        for n in range(count)
    )
    providers = Company.objects.bulk_create(
        Company(name=f"EMP {n}", type="emp") for n in range(count // 10)
    )
    for station in stations[:10]:
        station.service_providers.set(providers)
    reader.post(client, "api-minimum-version-number", {})

    # Key, stations with their companies, connectors, service providers, audit row.
    with django_assert_max_num_queries(5):
        body = by_ids(client, reader, [s.pk for s in stations[:10]])
    assert len(body["stations"]) == 10
    assert len(body["stations"][0]["connectors"]) == count + 2
    assert len(body["companies"]) == 1 + count // 10


@pytest.mark.parametrize(
    ("speed", "written"),
    [(22.2, "22.2kW"), (50, "50kW"), ("3.70", "3.7kW"), (350.0, "350kW"), (1_000_000, "1000000kW")],
)
def test_connector_speed_is_written_minimally(client, cpo, reader, speed, written):
    station = post_station(client, cpo, connectors=plugs(("DE*8PS*E1", "Combo", speed)))
    (detail,) = by_ids(client, reader, [station.pk])["stations"]
    assert [c["speed"] for c in detail["connectors"]] == [written]
