"""station-post through the real OIOI endpoint: the upsert and every rule of docs/oioi.md."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import Role
from stations.models import Company, Connector, Station
from tests.factories import BERLIN, OperatorIdFactory, operator_of
from tests.mixins import OIOICallContract, PartnerIdentifierContract, partner_with_roles
from tests.stations.helpers import plugs, post_station, snapshot, station_payload

CALL = "station-post"


class TestStationPostContract(OIOICallContract, PartnerIdentifierContract):
    call = CALL
    roles = frozenset({Role.CPO})
    uses_partner_identifier = True

    def payload(self, caller):
        return station_payload(caller)


def answer(response, http_status, code, names=None):
    assert response.status_code == http_status, response.content
    result = response.json()["result"]
    assert result["code"] == code, result
    if names:
        assert names in result["message"], result["message"]


def test_creates_the_station_with_its_connectors(client, cpo):
    station = post_station(client, cpo, evse_ids=("DE*8PS*E1001", "DE*8PS*E1002"))

    assert station.owner == cpo.partner
    assert station.partner_identifier == cpo.identifier
    assert station.operator == operator_of(cpo)
    assert (station.name, station.latitude, station.longitude) == (
        "Hauptbahnhof P1",
        52.525,
        13.369,
    )
    assert (station.street, station.street_number, station.zip_code, station.city) == (
        "Europaplatz",
        "1",
        "10557",
        "Berlin",
    )
    assert (station.country, station.phone, station.website) == (
        "DE",
        "+49 30 1234567",
        "https://cpo.example",
    )
    assert station.open_hour_notes == [{"times": ["07:30", "19:00"], "days": ["Mo", "Fr"]}]
    assert (station.floor_level, station.total_parking, station.notes) == (1, 4, "Ask at the desk.")
    assert station.is_open_24 and station.is_roofed and station.is_green_power_available
    assert not (station.is_private or station.is_deleted or station.is_hidden)
    connectors = list(station.connectors.values_list("evse_id", "evse_id_normalized", "type"))
    assert connectors == [
        ("DE*8PS*E1001", "DE8PSE1001", "Type2"),
        ("DE*8PS*E1002", "DE8PSE1002", "Type2"),
    ]
    operator_company = station.operator_company
    assert (operator_company.operator, operator_company.partner) == (operator_of(cpo), cpo.partner)
    assert operator_company.type == Company.Type.CPO


def test_real_world_variants_are_accepted(client, cpo):
    """`street-number` as a number, `web` for `website`, `notes` as a boolean, numbers as text."""
    payload = station_payload(
        cpo,
        address={"street": "A", "street-number": 12, "city": "B", "zip": "1", "country": "de"},
        contact={"phone": "1", "web": "www.example.com"},
        notes=False,
        connectors=[{"id": "de8pse77", "name": "Combo", "speed": "50"}],
        **{"cpo-id": operator_of(cpo).normalized.lower(), "floor-level": "2"},
    )
    payload["station"].pop("open-hour-notes")
    payload["station"].pop("deleted")

    answer(cpo.post(client, CALL, payload), 200, 0)

    station = Station.objects.get()
    assert (station.street_number, station.website, station.notes) == ("12", "www.example.com", "")
    assert (station.country, station.floor_level, station.open_hour_notes) == ("DE", 2, [])
    assert not station.is_deleted
    assert station.connectors.get().speed == 50.0


def test_repost_updates_static_data_and_bumps_last_static_change(client, cpo):
    station = post_station(client, cpo)
    connector_ids = list(station.connectors.values_list("pk", flat=True))
    past = timezone.now() - timedelta(days=1)
    Station.objects.filter(pk=station.pk).update(last_static_change=past)

    post_station(
        client,
        cpo,
        name="Hbf P2",
        connectors=[{"id": "DE*8PS*E1001", "name": "Type2", "speed": 11}],
    )

    station.refresh_from_db()
    assert station.name == "Hbf P2"
    assert station.last_static_change > past
    assert list(station.connectors.values_list("pk", "speed")) == [(connector_ids[0], 11.0)]


def test_identical_repost_changes_nothing(client, cpo):
    station = post_station(client, cpo)
    past = timezone.now() - timedelta(days=1)
    Station.objects.filter(pk=station.pk).update(last_static_change=past)
    before = snapshot()

    post_station(client, cpo)

    assert snapshot() == before


def test_station_of_another_partner_is_403_and_unchanged(client, cpo, other_cpo):
    post_station(client, other_cpo)
    before = snapshot()

    response = cpo.post(client, CALL, station_payload(cpo, name="Taken over"))

    answer(response, 403, 220)
    assert snapshot() == before


def test_ownership_is_checked_before_the_rules(client, cpo, other_cpo):
    post_station(client, other_cpo)
    payload = station_payload(cpo, **{"cpo-id": "XX*ZZZ"})

    answer(cpo.post(client, CALL, payload), 403, 220)


@pytest.mark.parametrize("cpo_id", ["XX*ZZZ", "registered-elsewhere"])
def test_unregistered_cpo_id_is_230_naming_it(client, cpo, other_cpo, cpo_id):
    if cpo_id == "registered-elsewhere":
        cpo_id = operator_of(other_cpo).value
    before = snapshot()

    response = cpo.post(client, CALL, station_payload(cpo, **{"cpo-id": cpo_id}))

    answer(response, 400, 230, names="cpo-id")
    assert snapshot() == before


def test_cpo_id_is_compared_case_insensitively_with_the_star_optional(client, cpo):
    OperatorIdFactory(partner=cpo.partner, value="DE*8PS")
    post_station(client, cpo, **{"cpo-id": "de8ps"})

    assert Station.objects.get().operator.normalized == "DE8PS"


@pytest.mark.parametrize(
    "connectors",
    [
        [
            {"id": "DE*8PS*E1001", "name": "Type2", "speed": 22},
            {"id": "DE*8PS*E1002", "name": "Type2", "speed": 22},
        ],
        [{"id": "DE*8PS*E1009", "name": "Type2", "speed": 22}],
        [{"id": "DE*8PS*E1001", "name": "Combo", "speed": 22}],
    ],
    ids=["added", "replaced", "type changed"],
)
def test_changed_connector_set_is_230_and_the_station_unchanged(client, cpo, connectors):
    post_station(client, cpo)
    before = snapshot()

    payload = station_payload(cpo, name="Renamed", connectors=connectors)
    response = cpo.post(client, CALL, payload)

    answer(response, 400, 230, names="connectors")
    assert snapshot() == before


def test_a_connector_listed_twice_is_230(client, cpo):
    payload = station_payload(cpo, evse_ids=("DE*8PS*E1", "de*8ps*e1"))

    answer(cpo.post(client, CALL, payload), 400, 230, names="connectors[1].id")
    assert not Station.objects.exists()


def test_several_plugs_may_share_an_evse_id(client, cpo):
    station = post_station(
        client,
        cpo,
        connectors=plugs(("DE*8PS*E1", "Type2", 22), ("DE*8PS*E1", "Combo", 50)),
    )

    assert station.connectors.count() == 2


@pytest.mark.parametrize("owner", ["same partner", "other partner"])
def test_evse_id_of_another_station_elsewhere_is_322(client, cpo, other_cpo, owner):
    first = cpo if owner == "same partner" else other_cpo
    post_station(client, first, "ST-A", evse_ids=("DE*8PS*E1001",))
    before = snapshot()

    payload = station_payload(cpo, "ST-B", evse_ids=("de8pse1001",), latitude=48.1)
    response = cpo.post(client, CALL, payload)

    answer(response, 200, 322)
    assert snapshot() == before


def test_evse_id_of_another_station_at_the_same_place_is_230(client, cpo):
    post_station(client, cpo, "ST-A", evse_ids=("DE*8PS*E1001",))
    before = snapshot()

    payload = station_payload(cpo, "ST-B", evse_ids=("DE*8PS*E2", "DE8PSE1001"))
    response = cpo.post(client, CALL, payload)

    answer(response, 400, 230, names="connectors[1].id")
    assert snapshot() == before


def test_deleted_soft_deletes_keeps_evse_ids_reserved_and_repost_restores(client, cpo, reader):
    def read_ids():
        surface = reader.post(client, "station-get-surface", BERLIN).json()["stations"]
        by_ids = reader.post(client, "station-get-by-ids", {"station-ids": [station.pk]})
        return [s["id"] for s in surface], [s["id"] for s in by_ids.json()["stations"]]

    station = post_station(client, cpo)
    assert read_ids() == ([station.pk], [station.pk])
    post_station(client, cpo, deleted=True)
    station.refresh_from_db()
    assert station.is_deleted and station.connectors.count() == 1
    assert read_ids() == ([], [])

    reuse = station_payload(cpo, "ST-2", evse_ids=("DE*8PS*E1001",))
    answer(cpo.post(client, CALL, reuse), 400, 230)

    post_station(client, cpo, deleted=False)
    station.refresh_from_db()
    assert not station.is_deleted
    assert read_ids() == ([station.pk], [station.pk])


def test_checks_run_in_order_fields_then_partner_identifier_then_ownership(client, cpo, other_cpo):
    post_station(client, other_cpo)
    stranger = partner_with_roles("Stranger CPO", {Role.CPO})
    payload = station_payload(cpo, latitude=123)
    payload["partner-identifier"] = stranger.identifier.value

    answer(cpo.post(client, CALL, payload), 400, 230, names="latitude")
    payload["station"]["latitude"] = 52.5
    answer(cpo.post(client, CALL, payload), 200, 211)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "station.name"),
        ({"name": None}, "station.name"),
        ({"latitude": 91}, "station.latitude"),
        ({"longitude": "east"}, "station.longitude"),
        ({"longitude": "NaN"}, "station.longitude"),
        ({"is-open-24": "perhaps"}, "station.is-open-24"),
        ({"connectors": []}, "station.connectors"),
        (
            {"connectors": [{"id": "DE*8PS", "name": "Type2", "speed": 22}]},
            "station.connectors[0].id",
        ),
        (
            {"connectors": [{"id": "DE*8PS*E1", "name": "Plug", "speed": 22}]},
            "station.connectors[0].name",
        ),
        (
            {"connectors": [{"id": "DE*8PS*E1", "name": "Type2", "speed": -1}]},
            "station.connectors[0].speed",
        ),
        (
            {"connectors": [{"id": "DE*8PS*E1", "name": "Type2", "speed": "fast"}]},
            "station.connectors[0].speed",
        ),
        (
            {
                "address": {
                    "street": "A",
                    "street-number": "1",
                    "city": "B",
                    "zip": "1",
                    "country": "DEU",
                }
            },
            "station.address.country",
        ),
        (
            {"address": {"street": "A", "city": "B", "zip": "1", "country": "DE"}},
            "station.address.street-number",
        ),
        ({"contact": {"fax": "1"}}, "station.contact.phone"),
        ({"cpo-id": "D*8PS"}, "station.cpo-id"),
        (
            {"open-hour-notes": [{"times": ["07:30"], "days": ["Mo", "Xx"]}]},
            "station.open-hour-notes[0].days[1]",
        ),
        (
            {"open-hour-notes": [{"times": ["7h"], "days": ["Mo"]}]},
            "station.open-hour-notes[0].times[0]",
        ),
        ({"floor-level": "ground"}, "station.floor-level"),
        ({"total-parking": -1}, "station.total-parking"),
        ({"notes": ["a"]}, "station.notes"),
    ],
)
def test_malformed_station_is_400_naming_the_field_and_changes_nothing(client, cpo, change, field):
    post_station(client, cpo, "ST-0", evse_ids=("DE*8PS*E0",))
    before = snapshot()

    response = cpo.post(client, CALL, station_payload(cpo, **change))

    answer(response, 400, 230, names=f"station-post.{field}")
    assert snapshot() == before


def test_missing_station_is_400(client, cpo):
    response = cpo.post(client, CALL, {"partner-identifier": cpo.identifier.value})
    answer(response, 400, 230, names="station-post.station")
    assert not Station.objects.exists() and not Connector.objects.exists()
