"""
Billing integrity: a CDR keeps the identifiers it was billed with, one rule decides what a
partner sees of another's customer on every interface, and every total equals its rows.
"""

import csv
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from cdrs.models import CDR
from clients.models import Contract
from oioi import deliveries
from stations.models import Station
from tests.cdrs.helpers import START, post_cdr, receiving_partner
from tests.cdrs.test_forwarding import received_by
from tests.factories import CDRFactory, ConnectorFactory, build_cdrs, make_key
from tests.mixins import portal_user, xlsx_rows
from tests.partners.test_admin import form_data
from tests.stations.helpers import station_payload

API = "/api/v1/cdrs/"
BILLED_EVCO_ID = "DE*EMP*123456*7"
MASKED_EVCO_ID = "•••••••••••56*7"
UID = "04A1B2C3"
MASKED_UID = "••••B2C3"


@pytest.fixture
def billed(client, cpo, partner_server):
    """A final CDR of an EMP's customer at the CPO's station, forwarded to the EMP."""
    emp = receiving_partner("Roaming EMP", partner_server, "emp")
    connector = ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    make_key(UID, BILLED_EVCO_ID, provider=emp.partner)
    cdr = post_cdr(client, cpo, "BILLED")
    return emp, connector.station, cdr


def rest(caller, path="", **query):
    response = caller.get(Client(), f"{API}{path}", data=query)
    assert response.status_code == 200, response.content
    return response


def rest_csv(caller):
    response = rest(caller, format="csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def portal_client(partner, username):
    client = Client()
    client.force_login(portal_user(partner, username, admin=True))
    return client


def portal_csv(client, export="csv", **query):
    response = client.get(
        "/portal/cdrs/",
        {
            "period": "dates",
            "date_from": "2026-03-01",
            "date_to": "2026-03-31",
            "export": export,
            **query,
        },
    )
    assert response.status_code == 200, response.content
    if export == "xlsx":
        header, *rows = xlsx_rows(response)
        return [dict(zip(header, row, strict=True)) for row in rows]
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# --- What a CDR says is fixed once final -----------------------------------------------------


def test_master_data_edited_later_rewrites_no_billed_cdr(superuser_client, client, billed, cpo):
    emp, station, cdr = billed
    assert (cdr.evco_id, cdr.station_name, cdr.station_city) == (
        BILLED_EVCO_ID,
        station.name,
        station.city,
    )
    contract = Contract.objects.get(evco_id=BILLED_EVCO_ID)
    url = reverse("admin:clients_contract_change", args=[contract.pk])
    data = form_data(superuser_client.get(url))
    data["evco_id"] = "DE*EMP*999999*9"
    assert superuser_client.post(url, data).status_code == 302
    # A station is the CPO's: it renames it with station-post.
    renamed = station_payload(cpo, station.external_id, evse_ids=["DE*8PS*E1001"])["station"]
    renamed.update(name="Renamed station", address={**renamed["address"], "city": "Elsewhere"})
    response = cpo.post(
        client, "station-post", {"partner-identifier": cpo.identifier.value, "station": renamed}
    )
    assert response.json()["result"]["code"] == 0, response.content
    contract.refresh_from_db()
    station.refresh_from_db()
    assert (contract.evco_id, station.name) == ("DE*EMP*999999*9", "Renamed station")

    (item,) = rest(emp).json()["results"]
    assert item["evco_id"] == BILLED_EVCO_ID
    (row,) = rest_csv(emp)
    assert row["evco_id"] == BILLED_EVCO_ID
    (row,) = portal_csv(portal_client(emp.partner, "emp-user"))
    assert row["evco_id"] == BILLED_EVCO_ID
    page = portal_client(cpo.partner, "cpo-user").get(f"/portal/cdrs/{cdr.pk}/")
    text = page.content.decode()
    assert "Renamed station" not in text and "Elsewhere" not in text
    assert f"<dd>{cdr.station_name}</dd>" in text


def test_the_migration_copies_what_existing_cdrs_say_now(billed):
    _, station, cdr = billed
    CDR.objects.update(evco_id="", station_name="", station_city="")
    migration = importlib.import_module("cdrs.migrations.0004_cdr_billed_identifiers")

    migration.copy_billed_identifiers(apps, None)

    cdr.refresh_from_db()
    assert (cdr.evco_id, cdr.station_name, cdr.station_city) == (
        BILLED_EVCO_ID,
        station.name,
        station.city,
    )


# --- One rule for what a partner sees of another's customer ----------------------------------


def test_the_cpo_sees_the_customer_masked_the_recipient_in_full_on_every_interface(
    billed, cpo, other_cpo, partner_server
):
    emp, _, cdr = billed
    for caller, uid, evco_id in ((cpo, MASKED_UID, MASKED_EVCO_ID), (emp, UID, BILLED_EVCO_ID)):
        name = caller.partner.name
        (item,) = rest(caller).json()["results"]
        assert (item["user"]["identifier"], item["evco_id"]) == (uid, evco_id), name
        item = rest(caller, f"{cdr.pk}/").json()
        assert (item["user"]["identifier"], item["evco_id"]) == (uid, evco_id), name
        (row,) = rest_csv(caller)
        assert (row["user_identifier"], row["evco_id"]) == (uid, evco_id), name
        portal = portal_client(caller.partner, f"user-of-{caller.partner.slug}")
        for export in ("csv", "xlsx"):
            (row,) = portal_csv(portal, export)
            assert (row["user_identifier"], row["evco_id"]) == (uid, evco_id), (name, export)
        listed = portal.get("/portal/cdrs/?period=dates&date_from=2026-03-01&date_to=2026-03-31")
        assert uid in listed.content.decode(), name
        detail = portal.get(f"/portal/cdrs/{cdr.pk}/").content.decode()
        assert f'<span id="customer-identifier">{uid}</span>' in detail, name
        if uid != UID:
            for text in (listed.content.decode(), detail):
                assert UID not in text and BILLED_EVCO_ID not in text
    # OIOI: the session-post forwarded to the recipient names its customer in full.
    assert deliveries.deliveries_run_due(limit=10) == 1
    (sent,) = received_by(partner_server)[emp.partner.endpoint_key]
    assert sent["user"] == {"identifier-type": "rfid", "identifier": UID}
    # Another partner sees nothing of it at all.
    assert other_cpo.get(Client(), f"{API}{cdr.pk}/").status_code == 404
    assert rest_csv(other_cpo) == []
    other = portal_client(other_cpo.partner, "other-user")
    assert other.get(f"/portal/cdrs/{cdr.pk}/").status_code == 404


def test_a_cpo_that_is_also_the_recipient_sees_its_own_customer_in_full(client, cpo):
    cpo.partner.is_emp = True
    cpo.partner.save()
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    make_key(UID, BILLED_EVCO_ID, provider=cpo.partner)
    post_cdr(client, cpo, "OWN")
    (item,) = rest(cpo).json()["results"]
    assert (item["user"]["identifier"], item["evco_id"]) == (UID, BILLED_EVCO_ID)


# --- Totals equal the rows they sum ----------------------------------------------------------


def summed(rows, energy, cost, currency):
    """(count, energy, {currency: cost}) of rows, as the lists' totals state them."""
    costs = {}
    for row in rows:
        if row[cost] not in (None, ""):
            costs[row[currency]] = costs.get(row[currency], 0) + Decimal(row[cost])
    return (
        len(rows),
        sum((Decimal(row[energy] or 0) for row in rows), Decimal(0)),
        costs,
    )


def as_summed(totals):
    return totals.count, totals.energy_kwh, totals.cost_by_currency


@pytest.fixture
def every_path(client, cpo, other_cpo, partner_server, management_client):
    """
    CDRs written through every path there is: session-post (open, then completed; matched and
    not; in two currencies and none), a bulk load rebuilt into daily totals (seed_demo's and
    the benchmark's way), rows stored around session-post (the portal tests' way), and a
    review in the admin. The admin changes no CDR otherwise.
    """
    emp = receiving_partner("Roaming EMP", partner_server, "emp")
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    make_key(UID, BILLED_EVCO_ID, provider=emp.partner)
    post_cdr(client, cpo, "OPENED-THEN-FINAL", final=False)
    post_cdr(client, cpo, "OPENED-THEN-FINAL")
    post_cdr(client, cpo, "STILL-OPEN", final=False, **{"energy-consumed": 3.5})
    post_cdr(
        client,
        cpo,
        "CHF",
        **{"calculated-cost": {"amount": "2.25", "currency": "CHF"}, "energy-consumed": 1.5},
    )
    post_cdr(client, cpo, "NO-COST", **{"calculated-cost": None})
    flagged = post_cdr(
        client,
        other_cpo,
        "FLAGGED",
        **{"user": {"identifier-type": "rfid", "identifier": "FFFF0000"}},
    )
    build_cdrs(other_cpo, 7, prefix="BULK")
    CDRFactory(cpo=cpo.partner, recipient=emp.partner, start=START, energy="4.125", cost="1.1")
    management_client.post(
        reverse("admin:cdrs_cdr_changelist"),
        {
            "action": "review_selected",
            "_selected_action": [flagged.pk],
            "apply": "1",
            "note": "test card",
        },
    )
    assert CDR.objects.get(pk=flagged.pk).reviewed_at is not None
    return emp


ADMIN_FILTERS = [
    {},
    {"state": "open"},
    {"state": "final"},
    {"currency": "CHF"},
    {"currency": "EUR"},
    {"flag": "needs_review"},
    {"flag": "reviewed"},
    {"q": "de8pse1001"},
    {
        "session_start__gte": "2026-03-02 00:00:00+00:00",
        "session_start__lt": "2026-03-03 00:00:00+00:00",
    },
]


def test_admin_totals_equal_the_rows_for_every_filter(support_client, every_path, cpo):
    for query in [*ADMIN_FILTERS, {"cpo": cpo.partner.pk}, {"recipient": every_path.partner.pk}]:
        response = support_client.get(reverse("admin:cdrs_cdr_changelist"), query)
        assert response.status_code == 200, query
        rows = list(
            response.context["cl"].queryset.values("energy_kwh", "cost_amount", "cost_currency")
        )
        expected = summed(rows, "energy_kwh", "cost_amount", "cost_currency")
        assert as_summed(response.context["totals"]) == expected, query
        assert expected[0] == response.context["cl"].result_count, query


PORTAL_FILTERS = [
    {},
    {"state": "open"},
    {"state": "final"},
    {"currency": "chf"},
    {"currency": "eur"},
    {"evse_id": "de8pse1001"},
    {"uid": UID.lower()},
    {"evco_id": BILLED_EVCO_ID},
    {"date_from": "2026-03-03"},
]


@pytest.mark.parametrize("who", ["cpo", "other_cpo", "emp"])
def test_portal_totals_equal_the_rows_for_every_filter(every_path, cpo, other_cpo, who):
    partner = {"cpo": cpo, "other_cpo": other_cpo, "emp": every_path}[who].partner
    portal = portal_client(partner, f"{who}-user")
    station = Station.objects.get(owner=cpo.partner)
    # The station filter offers the partner's own stations, and those its customers charged at.
    for query in [*PORTAL_FILTERS, {"station": station.pk}]:
        full = {"period": "dates", "date_from": "2026-03-01", "date_to": "2026-03-31", **query}
        response = portal.get("/portal/cdrs/", full)
        assert response.status_code == 200, query
        rows = portal_csv(portal, **full)
        expected = summed(rows, "energy_kwh", "cost_amount", "cost_currency")
        assert as_summed(response.context["totals"]) == expected, (who, query)


# --- The staff review reaches the partners -----------------------------------------------------


def test_the_staff_review_is_shown_to_both_partners_not_who_did_it(
    client, cpo, other_cpo, partner_server, management_client
):
    emp = receiving_partner("Roaming EMP", partner_server, "emp")
    make_key(UID, BILLED_EVCO_ID, provider=emp.partner)
    # Matched user, unknown EVSE: forwarded to the EMP and flagged for review.
    cdr = post_cdr(client, cpo, "FLAGGED")
    assert cdr.needs_review and cdr.recipient == emp.partner
    cpo_portal = portal_client(cpo.partner, "cpo-user")
    page = cpo_portal.get(f"/portal/cdrs/{cdr.pk}/").content.decode()
    assert "Awaiting review by our staff." in page

    note = "EVSE renamed by the CPO <b>yesterday</b>."
    management_client.post(
        reverse("admin:cdrs_cdr_changelist"),
        {"action": "review_selected", "_selected_action": [cdr.pk], "apply": "1", "note": note},
    )

    cdr.refresh_from_db()
    assert cdr.reviewed_by.username == "manager" and cdr.reviewed_at is not None
    for portal in (cpo_portal, portal_client(emp.partner, "emp-user")):
        page = portal.get(f"/portal/cdrs/{cdr.pk}/").content.decode()
        assert 'id="staff-review"' in page and "Reviewed by our staff on" in page
        assert "EVSE renamed by the CPO &lt;b&gt;yesterday&lt;/b&gt;." in page
        assert "Awaiting review" not in page and "manager" not in page
    other = portal_client(other_cpo.partner, "other-user")
    assert other.get(f"/portal/cdrs/{cdr.pk}/").status_code == 404
