"""connector-post-status through the real OIOI endpoint."""

import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from partners.models import AuditLogEntry, Role
from stations.models import Connector, ConnectorStatusChange, Station
from stations.selectors import connector_list_evse_statuses, connector_list_evse_to_change
from tests.factories import build_stations
from tests.mixins import OIOICallContract, PartnerIdentifierContract
from tests.stations.helpers import plugs, post_station, post_status, snapshot, status_payload

CALL = "connector-post-status"


class TestConnectorPostStatusContract(OIOICallContract, PartnerIdentifierContract):
    call = CALL
    roles = frozenset({Role.CPO})
    uses_partner_identifier = True

    def payload(self, caller):
        if caller.partner.is_cpo and not Station.objects.filter(owner=caller.partner).exists():
            build_stations(caller, 1, prefix=f"C{caller.partner.pk}")
        evse_id = Connector.objects.filter(station__owner=caller.partner).first()
        return status_payload(caller, evse_id.evse_id if evse_id else "DE*8PS*E1")


def result_code(response):
    return response.status_code, response.json()["result"]["code"]


def test_updates_every_plug_of_the_evse_keeps_history_and_bumps_dynamic_change(client, cpo):
    station = post_station(
        client,
        cpo,
        connectors=plugs(
            ("DE*8PS*E1001", "Type2", 22),
            ("DE*8PS*E1001", "Combo", 50),
            ("DE*8PS*E1002", "Type2", 22),
        ),
    )
    assert station.last_dynamic_change is None

    response = cpo.post(client, CALL, status_payload(cpo, "de8pse1001", "Occupied"))

    assert result_code(response) == (200, 0)
    station.refresh_from_db()
    assert station.last_dynamic_change is not None
    statuses = dict(station.connectors.values_list("type", "status").filter(evse_id="DE*8PS*E1001"))
    assert statuses == {"Type2": "Occupied", "Combo": "Occupied"}
    assert station.connectors.get(evse_id="DE*8PS*E1002").status == "Unknown"
    history = ConnectorStatusChange.objects.order_by("connector_id")
    assert [(h.previous_status, h.status, h.source) for h in history] == [
        ("Unknown", "Occupied", "connector-post-status")
    ] * 2
    assert history[0].request_id == response["X-Request-ID"]
    assert history[0].changed_at == station.last_dynamic_change
    assert history[0].connector.status_changed_at == station.last_dynamic_change


def test_each_change_is_kept_and_a_repeated_status_writes_nothing(client, cpo):
    post_station(client, cpo)
    for status in ("Available", "Occupied", "Occupied", "Available"):
        assert result_code(cpo.post(client, CALL, status_payload(cpo, status=status))) == (200, 0)

    changes = ConnectorStatusChange.objects.order_by("changed_at", "id")
    assert [(c.previous_status, c.status) for c in changes] == [
        ("Unknown", "Available"),
        ("Available", "Occupied"),
        ("Occupied", "Available"),
    ]
    station = Station.objects.get()
    before = snapshot()
    past = timezone.now() - timedelta(hours=1)
    Station.objects.filter(pk=station.pk).update(last_dynamic_change=past)

    cpo.post(client, CALL, status_payload(cpo, status="Available"))

    assert ConnectorStatusChange.objects.count() == 3
    assert Station.objects.get().last_dynamic_change == past
    assert snapshot()[1] == before[1]


@pytest.mark.parametrize("case", ["unknown", "other partner", "deleted"])
def test_evse_not_pushed_by_the_caller_is_181_and_changes_nothing(client, cpo, other_cpo, case):
    post_station(client, other_cpo, "THEIRS", evse_ids=("DE*8PS*E9",))
    post_station(client, cpo, "MINE", evse_ids=("DE*8PS*E1",))
    post_station(client, cpo, "GONE", evse_ids=("DE*8PS*E2",), deleted=True, latitude=50.0)
    evse_id = {"unknown": "DE*8PS*E404", "other partner": "DE*8PS*E9", "deleted": "DE*8PS*E2"}
    before = snapshot()

    response = cpo.post(client, CALL, status_payload(cpo, evse_id[case]))

    assert result_code(response) == (200, 181)
    assert snapshot() == before
    assert not ConnectorStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"connector-id": "not-an-evse"}, "connector-id"),
        ({"connector-id": None}, "connector-id"),
        ({"status": "Charging"}, "status"),
        ({"status": None}, "status"),
    ],
)
def test_malformed_status_is_400_naming_the_field_and_changes_nothing(client, cpo, change, field):
    post_station(client, cpo)
    before = snapshot()

    response = cpo.post(client, CALL, {**status_payload(cpo), **change})

    assert result_code(response) == (400, 230)
    assert f"{CALL}.{field}" in response.json()["result"]["message"]
    assert snapshot() == before


def test_hidden_station_still_takes_statuses(client, cpo):
    station = post_station(client, cpo)
    Station.objects.filter(pk=station.pk).update(is_hidden=True)

    assert result_code(cpo.post(client, CALL, status_payload(cpo))) == (200, 0)
    assert station.connectors.get().status == "Occupied"


@pytest.mark.parametrize("plug_count", [1, 40])
def test_costs_a_constant_number_of_queries(client, cpo, plug_count, django_assert_max_num_queries):
    """Key, partner identifier, lookup; savepoint, lock, history, connectors, station, release;
    audit row."""
    station = build_stations(cpo, 1)[0]
    Connector.objects.bulk_create(
        Connector(
            station=station,
            evse_id="DE*8PS*E77",
            evse_id_normalized="DE8PSE77",
            type="Type2",
            speed=22,
        )
        for _ in range(plug_count)
    )
    cpo.post(client, "api-minimum-version-number", {})

    with django_assert_max_num_queries(10):
        response = cpo.post(client, CALL, status_payload(cpo, "DE*8PS*E77", "Offline"))
    assert result_code(response) == (200, 0)
    assert ConnectorStatusChange.objects.count() == plug_count

    # A repeated status is one read: key, partner identifier, lookup, audit row.
    with django_assert_max_num_queries(4):
        response = cpo.post(client, CALL, status_payload(cpo, "DE*8PS*E77", "Offline"))
    assert result_code(response) == (200, 0)
    assert AuditLogEntry.objects.filter(call=CALL).count() == 2


def test_the_reads_plain_sql_gives_what_the_orm_does(client, cpo, other_cpo):
    post_station(
        client,
        cpo,
        "MINE",
        connectors=plugs(("DE*8PS*E1", "Type2", 22), ("DE*8PS*E1", "Combo", 50)),
    )
    post_station(client, cpo, "GONE", evse_ids=("DE*8PS*E2",), deleted=True, latitude=50.0)
    post_station(client, other_cpo, "THEIRS", evse_ids=("DE*8PS*E3",))
    post_status(client, cpo, "DE*8PS*E1", "Occupied")
    Connector.objects.filter(type="Combo").update(status="Available")

    found = []
    for owner, evse_id, status in itertools.product(
        (cpo.partner, other_cpo.partner),
        ("DE8PSE1", "DE8PSE2", "DE8PSE3", "DE8PSE404"),
        ("Occupied", "Available"),
    ):
        connectors = Connector.objects.for_partner(owner, usable=False).filter(
            evse_id_normalized=evse_id
        )
        statuses = connector_list_evse_statuses(owner_id=owner.pk, evse_id_normalized=evse_id)
        assert sorted(statuses) == sorted(connectors.values_list("status", flat=True))
        with transaction.atomic():
            changing = connector_list_evse_to_change(
                owner_id=owner.pk, evse_id_normalized=evse_id, status=status
            )
        expected = connectors.exclude(status=status).values_list("pk", "station_id", "status")
        assert sorted(changing) == sorted(expected)
        found.append((owner.name, evse_id, status, len(statuses), len(changing)))
    # Each owner's connectors of an EVSE id are found, and only theirs, deleted stations' not.
    assert [row for row in found if row[3]] == [
        ("Test CPO", "DE8PSE1", "Occupied", 2, 1),
        ("Test CPO", "DE8PSE1", "Available", 2, 1),
        ("Other CPO", "DE8PSE3", "Occupied", 1, 1),
        ("Other CPO", "DE8PSE3", "Available", 1, 1),
    ]
