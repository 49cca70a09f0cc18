"""
The reads for apps through the real OIOI endpoint: station-get-usage,
tariffs-get-by-station-ids, company-get-images and vehicle-get-all (docs/oioi.md, "Reads for
apps"), with the public documentation's examples.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cdrs.models import CDR
from partners.models import AuditLogEntry, Role
from stations.models import Company, CompanyImage, Connector, Station, Vehicle
from tests.cdrs.helpers import iso, post_cdr
from tests.factories import CDRFactory, ChargingSessionFactory, build_stations
from tests.mixins import OIOICallContract, partner_with_roles
from tests.stations.helpers import plugs, post_station

USAGE = "station-get-usage"
TARIFFS = "tariffs-get-by-station-ids"
IMAGES = "company-get-images"
VEHICLES = "vehicle-get-all"
READERS = frozenset({Role.EMP, Role.OEM})


class TestStationGetUsageContract(OIOICallContract):
    call = USAGE
    roles = READERS

    def payload(self, caller):
        station = (
            Station.objects.first()
            or (build_stations(partner_with_roles("Usage CPO", {Role.CPO}), 1)[0])
        )
        return {"station-id": station.pk}


class TestTariffsGetByStationIdsContract(OIOICallContract):
    call = TARIFFS
    roles = READERS

    def payload(self, caller):
        return {"station-ids": [1770]}


class TestCompanyGetImagesContract(OIOICallContract):
    call = IMAGES
    roles = READERS

    def payload(self, caller):
        return {"company-id": Company.objects.create(name="ACME Inc.").pk}


class TestVehicleGetAllContract(OIOICallContract):
    call = VEHICLES
    roles = READERS

    def payload(self, caller):
        return {}


def answered(response, code=0):
    assert response.status_code == 200, response.content
    assert response.json()["result"]["code"] == code, response.content
    return response.json()


def refused(response, names):
    assert response.status_code == 400, response.content
    assert response.json()["result"]["code"] == 230
    assert names in response.json()["result"]["message"]


def audited(response):
    entry = AuditLogEntry.objects.get(request_id=response["X-Request-ID"])
    return entry.call, entry.http_status, entry.result_code


# --- station-get-usage ----------------------------------------------------------------------


def usage(client, reader, station_id, code=0):
    return answered(reader.post(client, USAGE, {"station-id": station_id}), code)


def post_use(client, cpo, session_id, start, *, final=True, **fields):
    """session-post of a session at ``start`` (an hour long if ``final``)."""
    interval = {"start": iso(start)}
    if final:
        interval["stop"] = iso(start + timedelta(hours=1))
    fields = {"session-interval": interval, "charging-interval": interval, **fields}
    return post_cdr(client, cpo, session_id, final=final, **fields)


def test_usage_counts_the_cdrs_posted_for_the_station(client, cpo, reader):
    station = post_station(client, cpo, evse_ids=("DE*8PS*E1001", "DE*8PS*E1002"))
    elsewhere = post_station(client, cpo, "ST-2", evse_ids=("DE*8PS*E2001",))
    now = timezone.now()
    latest = (now - timedelta(days=1)).replace(microsecond=0)
    starts = {
        "A": latest,
        "B": now - timedelta(days=6, hours=23),
        "C": now - timedelta(days=8),
        "D": now - timedelta(days=29),
        "E": now - timedelta(days=31),
    }
    for session_id, start in starts.items():
        post_use(client, cpo, session_id, start)
    # Still open, at the station's second EVSE, its customer unknown: a use all the same.
    post_use(
        client,
        cpo,
        "OPEN",
        now - timedelta(days=2),
        final=False,
        **{
            "connector-id": "DE*8PS*E1002",
            "user": {"identifier-type": "rfid", "identifier": "0000AAAA"},
        },
    )
    post_use(client, cpo, "ELSEWHERE", now, **{"connector-id": "DE*8PS*E2001"})
    # A remote start that no CDR followed is no use.
    ChargingSessionFactory(connector=station.connectors.first(), started_at=now)
    assert CDR.objects.filter(station=station).count() == 6

    body = usage(client, reader, station.pk)

    assert body == {
        "station-usage": {
            "last-7-days-usage-count": 3,
            "last-30-days-usage-count": 5,
            "last-station-usage-date": latest.isoformat(),
        },
        "result": {"code": 0, "message": "Success."},
    }
    assert usage(client, reader, elsewhere.pk)["station-usage"]["last-7-days-usage-count"] == 1


def test_usage_of_a_station_never_used(client, cpo, reader):
    (station,) = build_stations(cpo, 1)
    assert usage(client, reader, station.pk)["station-usage"] == {
        "last-7-days-usage-count": 0,
        "last-30-days-usage-count": 0,
        "last-station-usage-date": None,
    }


def test_usage_of_a_station_the_caller_may_not_see_is_181(client, cpo, reader):
    shown, deleted, hidden, private = build_stations(cpo, 4)
    Station.objects.filter(pk=deleted.pk).update(is_deleted=True)
    Station.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Station.objects.filter(pk=private.pk).update(is_private=True)
    for station in (shown, deleted, hidden, private):
        CDRFactory(cpo=cpo.partner, station=station)

    assert usage(client, reader, shown.pk)["station-usage"]["last-7-days-usage-count"] == 1
    for station_id in (deleted.pk, hidden.pk, private.pk, 999_999):
        response = reader.post(client, USAGE, {"station-id": station_id})
        body = answered(response, 181)
        assert "station-usage" not in body
        assert audited(response) == (USAGE, 200, 181)
    # Its owner, reading as an EMP too, sees its own private station.
    both = partner_with_roles("CPO and EMP", {Role.CPO, Role.EMP})
    Station.objects.filter(pk=private.pk).update(owner=both.partner)
    assert usage(client, both, private.pk)["station-usage"]["last-7-days-usage-count"] == 1


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({}, "station-id"),
        ({"station-id": "one"}, "station-id"),
        ({"station-id": 0}, "station-id"),
        ({"station-id": 2**70}, "station-id"),
        ({"station-id": [1]}, "station-id"),
    ],
)
def test_malformed_usage_request_is_400_naming_the_field(client, reader, payload, names):
    refused(reader.post(client, USAGE, payload), f"{USAGE}.{names}")


@pytest.mark.parametrize("count", [2, 60])
def test_usage_costs_the_same_queries_whatever_the_cdrs(
    client, cpo, reader, count, django_assert_max_num_queries
):
    (station,) = build_stations(cpo, 1)
    CDRFactory.create_batch(count, cpo=cpo.partner, station=station)
    reader.post(client, "api-minimum-version-number", {})

    # Key, station, CDR counts, audit row.
    with django_assert_max_num_queries(4):
        body = usage(client, reader, station.pk)
    assert body["station-usage"]["last-30-days-usage-count"] == count


# --- tariffs-get-by-station-ids -------------------------------------------------------------


def tariffs(client, reader, payload):
    return answered(reader.post(client, TARIFFS, payload))


def test_tariffs_answer_the_documented_shape_without_a_tariff(client, cpo, reader):
    station = post_station(
        client,
        cpo,
        connectors=plugs(("DE*8PS*E1001", "Type2", 22), ("DE*8PS*E1002", "Combo", 50)),
    )
    free = post_station(client, cpo, "FREE", evse_ids=("DE*8PS*E9",), **{"is-free-charge": True})
    type2, combo = station.connectors.order_by("id")

    # The docs' second example: a user is accepted, and changes nothing.
    user = {"identifier-type": "username", "identifier": "john", "token": "b3853b6d91"}
    body = tariffs(client, reader, {"user": user, "station-ids": [station.pk, free.pk]})

    assert body == {
        "stations": [
            {
                "id": station.pk,
                "is-free-charge": False,
                "connectors": [{"id": type2.pk}, {"id": combo.pk}],
            },
            {
                "id": free.pk,
                "is-free-charge": True,
                "connectors": [{"id": free.connectors.get().pk}],
            },
        ],
        "result": {"code": 0, "message": "Success."},
    }
    assert tariffs(client, reader, {"station-ids": [station.pk, free.pk]}) == body


def test_tariffs_keep_the_order_asked_and_leave_out_what_the_caller_may_not_see(
    client, cpo, reader
):
    first, second, deleted, hidden, private = build_stations(cpo, 5)
    Station.objects.filter(pk=deleted.pk).update(is_deleted=True)
    Station.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Station.objects.filter(pk=private.pk).update(is_private=True)
    asked = [second.pk, 999_999, deleted.pk, first.pk, hidden.pk, private.pk, second.pk]

    body = tariffs(client, reader, {"station-ids": asked})

    assert [s["id"] for s in body["stations"]] == [second.pk, first.pk]
    assert tariffs(client, reader, {"station-ids": []})["stations"] == []


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({"station-ids": list(range(1, 12))}, "station-ids"),
        ({"station-ids": ["one"]}, "station-ids[0]"),
        ({"station-ids": 5}, "station-ids"),
        ({"station-ids": [2**70]}, "station-ids[0]"),
        ({}, "station-ids"),
        ({"station-ids": [1], "user": {"identifier-type": "email"}}, "user.identifier-type"),
    ],
)
def test_malformed_tariffs_request_is_400_naming_the_field(client, reader, payload, names):
    refused(reader.post(client, TARIFFS, payload), f"{TARIFFS}.{names}")


def test_ten_station_ids_are_enough(client, cpo, reader):
    stations = build_stations(cpo, 10)
    assert len(tariffs(client, reader, {"station-ids": [s.pk for s in stations]})["stations"]) == 10


@pytest.mark.parametrize("count", [2, 100])
def test_tariffs_cost_the_same_queries_whatever_the_connectors(
    client, cpo, reader, count, django_assert_max_num_queries
):
    stations = build_stations(cpo, 10)
    Connector.objects.bulk_create(
        Connector(
            station=stations[0],
            evse_id=f"DE*8PS*EX{n}",
            evse_id_normalized=f"DE8PSEX{n}",
            type="Type2",
            speed=11,
        )
        for n in range(count)
    )
    reader.post(client, "api-minimum-version-number", {})

    # Key, stations, connectors, audit row.
    with django_assert_max_num_queries(4):
        body = tariffs(client, reader, {"station-ids": [s.pk for s in stations]})
    assert len(body["stations"][0]["connectors"]) == count + 2


# --- company-get-images ---------------------------------------------------------------------

DOCUMENTED_URLS = [
    "https://s3.amazonaws.com/ksr/projects/392582/photo-main.jpg",
    "https://commons.wikimedia.org/wiki/File:Acme_anvil.gif#/media/File:Acme_anvil.gif",
]


def test_company_images_answer_the_documented_example(client, reader):
    company = Company.objects.create(name="ACME Inc.")
    # Listed by position, whatever the order staff added them in.
    CompanyImage.objects.create(company=company, url=DOCUMENTED_URLS[1], position=2)
    CompanyImage.objects.create(company=company, url=DOCUMENTED_URLS[0], position=1)
    CompanyImage.objects.create(
        company=Company.objects.create(name="Other"), url="https://other.example/a.png"
    )

    response = reader.post(client, IMAGES, {"company-id": company.pk})

    assert answered(response) == {
        "company": "ACME Inc.",
        "urls": DOCUMENTED_URLS,
        "result": {"code": 0, "message": "Success."},
    }


def test_company_without_images_answers_an_empty_list(client, cpo, reader):
    (station,) = build_stations(cpo, 1)
    body = answered(reader.post(client, IMAGES, {"company-id": station.operator_company_id}))
    assert (body["company"], body["urls"]) == ("Ops", [])


def test_unknown_company_is_183(client, reader):
    response = reader.post(client, IMAGES, {"company-id": 999_999})
    assert "urls" not in answered(response, 183)
    assert audited(response) == (IMAGES, 200, 183)


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ({}, "company-id"),
        ({"company-id": "acme"}, "company-id"),
        ({"company-id": -1}, "company-id"),
    ],
)
def test_malformed_images_request_is_400_naming_the_field(client, reader, payload, names):
    refused(reader.post(client, IMAGES, payload), f"{IMAGES}.{names}")


@pytest.mark.parametrize(
    "url",
    ["http://images.example/a.png", "/static/a.png", "images.example/a.png", "ftp://x.example/a"],
)
def test_an_image_url_is_absolute_https(db, url):
    image = CompanyImage(company=Company.objects.create(name="ACME Inc."), url=url)
    with pytest.raises(ValidationError) as refusal:
        image.full_clean()
    assert "url" in refusal.value.message_dict


@pytest.mark.parametrize("count", [1, 40])
def test_images_cost_the_same_queries_whatever_their_number(
    client, reader, count, django_assert_max_num_queries
):
    company = Company.objects.create(name="ACME Inc.")
    CompanyImage.objects.bulk_create(
        CompanyImage(company=company, url=f"https://img.example/{n}.png") for n in range(count)
    )
    reader.post(client, "api-minimum-version-number", {})

    # Key, company, images, audit row.
    with django_assert_max_num_queries(4):
        body = answered(reader.post(client, IMAGES, {"company-id": company.pk}))
    assert len(body["urls"]) == count


# --- vehicle-get-all ------------------------------------------------------------------------


def vehicles(client, reader):
    return answered(reader.post(client, VEHICLES, {}))


def test_vehicles_answer_the_documented_example(client, reader):
    twizzy = Vehicle.objects.create(
        brand="Renault", model="Twizzy", max_speed=45, connector_types=["Schuko"]
    )
    i3 = Vehicle.objects.create(brand="BMW", model="i3", max_speed=3.7, connector_types=["Type3"])

    assert vehicles(client, reader) == {
        "vehicle-get-all": {
            "vehicles": [
                {
                    "id": i3.pk,
                    "brand": "BMW",
                    "model": "i3",
                    "max-speed": 3.7,
                    "connector-types": ["Type3"],
                },
                {
                    "id": twizzy.pk,
                    "brand": "Renault",
                    "model": "Twizzy",
                    "max-speed": 45.0,
                    "connector-types": ["Schuko"],
                },
            ]
        },
        "result": {"code": 0, "message": "Success."},
    }


def test_an_empty_catalogue_is_an_empty_list(client, reader):
    assert vehicles(client, reader)["vehicle-get-all"] == {"vehicles": []}


@pytest.mark.parametrize("types", [["Type2", "Plug"], "Type2", [1], ["Type2", "Type2"]], ids=repr)
def test_a_vehicle_takes_known_connector_types_once(db, types):
    vehicle = Vehicle(brand="BMW", model="i3", max_speed=11, connector_types=types)
    with pytest.raises(ValidationError) as refusal:
        vehicle.full_clean()
    assert "connector_types" in refusal.value.message_dict


@pytest.mark.parametrize("count", [1, 50])
def test_vehicles_cost_the_same_queries_whatever_their_number(
    client, reader, count, django_assert_max_num_queries
):
    Vehicle.objects.bulk_create(
        Vehicle(brand="Brand", model=f"Model {n}", max_speed=11, connector_types=["Type2"])
        for n in range(count)
    )
    reader.post(client, "api-minimum-version-number", {})

    # Key, vehicles, audit row.
    with django_assert_max_num_queries(3):
        body = vehicles(client, reader)
    assert len(body["vehicle-get-all"]["vehicles"]) == count
