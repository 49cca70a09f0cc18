"""/api/v1/cdrs/: a CPO reads the CDRs it posted, a recipient those sent to it; JSON and CSV."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from cdrs.models import CDR
from tests.cdrs.helpers import START, iso, post_cdr, receiving_partner
from tests.factories import ConnectorFactory, build_cdrs, make_key
from tests.mixins import RestEndpointContract

URL = "/api/v1/cdrs/"


class TestCDRsContract(RestEndpointContract):
    url = URL

    def make_object(self, caller):
        count = CDR.objects.filter(cpo=caller.partner).count()
        return post_cdr(Client(), caller, f"{caller.partner.slug}-{count}")


def listed(client, caller, **query):
    response = caller.get(client, URL, data=query)
    assert response.status_code == 200, response.content
    return [item["session_id"] for item in response.json()["results"]]


def exported(client, caller, **query):
    response = caller.get(client, URL, data={"format": "csv", **query})
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def forwarded(client, cpo, partner_server):
    """A final and an open CDR of an EMP's customer, and a platform customer's CDR."""
    emp = receiving_partner("Roaming EMP", partner_server, "emp")
    make_key("04A1B2C3", "DE*EMP*123456*7", provider=emp.partner)
    make_key("0A0B0C0D", "DE*8PS*654321*0")
    final = post_cdr(client, cpo, "EMP-FINAL")
    post_cdr(client, cpo, "EMP-OPEN", final=False)
    user = {"identifier-type": "rfid", "identifier": "0A0B0C0D"}
    post_cdr(client, cpo, "PLATFORM", user=user)
    return emp, final


def test_cdr_shape(client, cpo):
    connector = ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    key = make_key()
    cdr = post_cdr(client, cpo)
    (item,) = cpo.get(client, URL).json()["results"]
    assert item == {
        "id": cdr.pk,
        "state": "final",
        "cpo": cpo.partner.name,
        "session_id": "S-1",
        "evse_id": "DE*8PS*E1001",
        "station": connector.station_id,
        "connector": connector.pk,
        # The platform's own customer: its CPO sees the identifiers masked.
        "user": {"identifier_type": "rfid", "identifier": "••••B2C3"},
        "evco_id": "•" * (len(key.contract.evco_id) - 4) + key.contract.evco_id[-4:],
        "recipient": None,
        "session_start": "2026-03-02T08:00:00Z",
        "session_stop": "2026-03-02T09:00:00Z",
        "charging_start": "2026-03-02T08:01:00Z",
        "charging_stop": "2026-03-02T08:55:00Z",
        "energy_kwh": "12.345600",
        "cost": {"amount": "7.4000", "currency": "EUR"},
        "unmatched_user": False,
        "unmatched_connector": False,
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }
    assert cpo.get(client, f"{URL}{cdr.pk}/").json() == item


def test_a_recipient_sees_the_final_cdrs_forwarded_to_it_only(client, cpo, forwarded):
    emp, final = forwarded
    assert listed(client, emp) == ["EMP-FINAL"]
    assert emp.get(client, f"{URL}{final.pk}/").json()["recipient"] == emp.partner.name
    assert [row["session_id"] for row in exported(client, emp)] == ["EMP-FINAL"]
    # The CPO sees all it posted.
    assert sorted(listed(client, cpo)) == ["EMP-FINAL", "EMP-OPEN", "PLATFORM"]


def test_another_partner_sees_nothing_by_id_filter_or_export(client, cpo, other_cpo, forwarded):
    emp, final = forwarded
    assert other_cpo.get(client, f"{URL}{final.pk}/").status_code == 404
    assert listed(client, other_cpo) == []
    assert listed(client, other_cpo, session_id="EMP-FINAL") == []
    assert exported(client, other_cpo) == []
    assert exported(client, other_cpo, session_id="EMP-FINAL") == []
    open_cdr = CDR.objects.get(session_id="EMP-OPEN")
    assert emp.get(client, f"{URL}{open_cdr.pk}/").status_code == 404


def test_filters(client, cpo):
    connector = ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E2002")
    make_key("04A1B2C3", "DE*8PS*123456*7")
    post_cdr(client, cpo, "A")
    post_cdr(
        client,
        cpo,
        "B",
        **{
            "connector-id": "DE*8PS*E2002",
            "user": {"identifier-type": "evco-id", "identifier": "DE*8PS*999999*9"},
            "session-interval": {"start": iso(START + timedelta(days=1))},
            "calculated-cost": {"amount": 3, "currency": "CHF"},
        },
        final=False,
    )
    assert listed(client, cpo, evse_id="de8pse2002") == ["B"]
    assert listed(client, cpo, station=connector.station_id) == ["B"]
    assert listed(client, cpo, uid="04a1b2c3") == ["A"]
    # The user's EVCO id, or the contract of the user's key, in any written form.
    assert listed(client, cpo, evco_id="de-8ps-999999-9") == ["B"]
    assert listed(client, cpo, evco_id="DE8PS1234567") == ["A"]
    assert listed(client, cpo, state="open") == ["B"]
    assert listed(client, cpo, session_id="A") == ["A"]
    assert listed(client, cpo, currency="chf") == ["B"]
    since = iso(START + timedelta(hours=12))
    assert listed(client, cpo, since=since) == ["B"]
    assert listed(client, cpo, until=since) == ["A"]
    CDR.objects.filter(session_id="A").update(updated_at=timezone.now() - timedelta(days=2))
    assert listed(client, cpo, updated_since=iso(timezone.now() - timedelta(days=1))) == ["B"]
    assert [row["session_id"] for row in exported(client, cpo, state="final")] == ["A"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"evse_id": "DE*8PS"}, "evse_id"),
        ({"uid": "XYZ"}, "uid"),
        ({"evco_id": "DE-1"}, "evco_id"),
        ({"state": "closed"}, "state"),
        ({"since": "yesterday"}, "since"),
        ({"updated_since": "2026-13-01T00:00:00Z"}, "updated_since"),
        ({"station": "first"}, "station"),
        ({"since": "0001-01-01T00:00:00+17:00"}, "since"),
    ],
)
def test_malformed_filter_is_400_naming_it(client, cpo, query, field):
    post_cdr(client, cpo)
    response = cpo.get(client, URL, data=query)
    assert response.status_code == 400
    assert field in response.json()
    # Asked for CSV, an error is still answered in JSON, as the schema documents it.
    response = cpo.get(client, URL, data={**query, "format": "csv"})
    assert response.status_code == 400 and field in response.json()


def test_times_with_any_offset_are_compared_in_utc(client, cpo):
    post_cdr(client, cpo)
    # PostgreSQL stores no +17:00 offset; the filter compares the same instant in UTC.
    assert listed(client, cpo, since="2026-03-03T01:00:00+17:00") == ["S-1"]
    assert listed(client, cpo, since="2026-03-03T01:00:01+17:00") == []
    assert listed(client, cpo, until="0180-10-27T14:28:41+17:00") == []


def test_cursor_pages_follow_changes_for_incremental_sync(client, cpo):
    build_cdrs(cpo, 5)
    first = cpo.get(client, URL, data={"page_size": 2}).json()
    assert [item["session_id"] for item in first["results"]] == ["B-0", "B-1"]
    # A CDR changed meanwhile moves to the end: the sync meets it again rather than missing it.
    CDR.objects.get(session_id="B-0").save()
    seen = [item["session_id"] for item in first["results"]]
    page = first
    while page["next"]:
        page = cpo.get(client, page["next"]).json()
        seen += [item["session_id"] for item in page["results"]]
    assert seen == ["B-0", "B-1", "B-2", "B-3", "B-4", "B-0"]


def test_csv_export(client, cpo):
    build_cdrs(cpo, 3)
    post_cdr(
        client,
        cpo,
        "=HYPERLINK(1)",
        **{"energy-consumed": "0.1", "calculated-cost": {"amount": 100, "currency": "EUR"}},
    )
    rows = exported(client, cpo)
    assert len(rows) == 4
    last = rows[-1]
    assert last["session_id"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert (last["energy_kwh"], last["cost_amount"], last["cost_currency"]) == ("0.1", "100", "EUR")
    assert last["session_start"] == "2026-03-02T08:00:00+00:00"
    assert last["cpo"] == cpo.partner.name and last["state"] == "final"
    assert sum(Decimal(row["energy_kwh"]) for row in rows) == Decimal("31.6")
    # Content negotiation reaches the same export.
    response = cpo.get(client, URL, HTTP_ACCEPT="text/csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("count", [5, 120])
def test_list_and_export_cost_a_constant_number_of_queries(
    client, cpo, count, django_assert_max_num_queries, partner_server
):
    emp = receiving_partner("Roaming EMP", partner_server, "emp")
    build_cdrs(cpo, count, recipient=emp.partner, contract=make_key().contract)
    # Key check, the page (cpo, recipient and contract joined), the audit row.
    with django_assert_max_num_queries(4):
        assert len(listed(client, cpo, page_size=200)) == count
    # The export reads the CDRs posted, then those received: one query each.
    with django_assert_max_num_queries(5):
        assert len(exported(client, emp)) == count
