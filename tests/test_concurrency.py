"""
Parallel partners on the same objects, through the real endpoint, each thread with its own
database connection (as gunicorn workers have): the result is consistent, nothing duplicated,
no update lost, history complete. Run on SQLite and on PostgreSQL.
"""

from datetime import timedelta

import pytest
from django.test import Client

from cdrs.models import CDRDailyTotal
from cdrs.selectors import cdr_daily_totals_drift
from clients.models import WhitelistEntry
from partners.models import Role
from stations.models import Connector, ConnectorStatusChange, Station
from tests.cdrs.helpers import START, cdr_payload, iso
from tests.helpers import codes, in_parallel
from tests.mixins import partner_with_roles
from tests.stations.helpers import station_payload, status_payload

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_station_posted_at_once_is_one_station():
    cpo = partner_with_roles("Busy CPO", {Role.CPO})
    payloads = [
        station_payload(cpo, "ST-RACE", evse_ids=("DE*8PS*E7001", "DE*8PS*E7002"), name=f"N{n}")
        for n in range(4)
    ]
    answers = in_parallel(*(lambda c, p=p: cpo.post(c, "station-post", p) for p in payloads))
    assert codes(answers) == [(200, 0)] * 4, [a.json() for a in answers]
    station = Station.objects.get(external_id="ST-RACE")
    assert station.name in {f"N{n}" for n in range(4)}
    assert sorted(station.connectors.values_list("evse_id", flat=True)) == [
        "DE*8PS*E7001",
        "DE*8PS*E7002",
    ]
    assert Connector.objects.count() == 2


def test_parallel_statuses_lose_no_history():
    cpo = partner_with_roles("Status CPO", {Role.CPO})
    response = cpo.post(Client(), "station-post", station_payload(cpo, evse_ids=("DE*8PS*E7101",)))
    assert response.json()["result"]["code"] == 0
    statuses = ["Occupied", "Available", "Offline", "Reserved", "Occupied", "Available"]
    answers = in_parallel(
        *(
            lambda c, s=s: cpo.post(
                c, "connector-post-status", status_payload(cpo, "DE*8PS*E7101", s)
            )
            for s in statuses
        )
    )
    assert codes(answers) == [(200, 0)] * len(statuses)
    connector = Connector.objects.get()
    history = list(ConnectorStatusChange.objects.filter(connector=connector).order_by("id"))
    # Every change is a link in one chain: each starts where the one before ended, and the
    # chain ends at the connector's status.
    assert history
    for before, after in zip(history, history[1:], strict=False):
        assert after.previous_status == before.status
    assert history[-1].status == connector.status


def test_parallel_whitelists_leave_one_of_them_whole():
    emp = partner_with_roles("Racing EMP", {Role.EMP})
    first = [f"{n:08X}" for n in range(0, 300)]
    second = [f"{n:08X}" for n in range(200, 500)]
    payloads = [
        {"partner-identifier": emp.identifier.value, "rfids": rfids} for rfids in (first, second)
    ]
    answers = in_parallel(*(lambda c, p=p: emp.post(c, "rfid-post", p) for p in payloads))
    assert codes(answers) == [(200, 0), (200, 0)]
    active = set(WhitelistEntry.objects.filter(is_active=True).values_list("uid", flat=True))
    assert active in (set(first), set(second))
    assert WhitelistEntry.objects.values("uid").distinct().count() == WhitelistEntry.objects.count()


def test_parallel_cdrs_of_one_day_add_up_in_its_daily_total():
    cpo = partner_with_roles("CDR CPO", {Role.CPO})
    # Six first posts of the day at once race to make its row, then six move to the next day.
    payloads = [cdr_payload(cpo, f"S-{n}", final=False) for n in range(6)]
    answers = in_parallel(*(lambda c, p=p: cpo.post(c, "session-post", p) for p in payloads))
    assert codes(answers) == [(200, 0)] * 6
    next_day = {"start": iso(START + timedelta(days=1))}
    payloads = [
        cdr_payload(cpo, f"S-{n}", final=False, **{"session-interval": next_day}) for n in range(6)
    ]
    answers = in_parallel(*(lambda c, p=p: cpo.post(c, "session-post", p) for p in payloads))
    assert codes(answers) == [(200, 0)] * 6
    assert sorted(CDRDailyTotal.objects.values_list("day", "sessions")) == [
        (START.date(), 0),
        (START.date() + timedelta(days=1), 6),
    ]
    assert cdr_daily_totals_drift() == []
