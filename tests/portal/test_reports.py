"""What the CDR report, the detail page and the lists show: filters, totals, masking, exports."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from cdrs.reports import DAILY_CHART_MAX_DAYS, cdr_dashboard, local_midnight, period_bounds
from core.exports import xlsx_response
from partners.models import Delivery, Role
from stations.filtersets import StationFilterSet
from tests.factories import CDRFactory, ChargingSessionFactory, StationFactory
from tests.mixins import portal_partner, portal_user, xlsx_rows


@pytest.fixture
def cpo(db):
    return portal_partner("Report CPO", {Role.CPO})


@pytest.fixture
def emp(db):
    return portal_partner("Report EMP", {Role.EMP})


def signed_in(client, partner, username):
    client.force_login(portal_user(partner, username, admin=True))
    return client


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def this_month(hours=1):
    first, _ = period_bounds("this_month")
    return local_midnight(first) + timedelta(hours=hours)


def test_filters_narrow_rows_totals_and_export_alike(client, cpo):
    berlin, hamburg = (
        StationFactory(owner=cpo, name="Berlin P1"),
        StationFactory(owner=cpo, name="Hamburg P2"),
    )
    a = CDRFactory(
        cpo=cpo, station=berlin, start=this_month(1), energy="10", cost="5", uid="0A0B0C0D"
    )
    CDRFactory(cpo=cpo, station=berlin, start=this_month(2), energy="20", cost="7", currency="CHF")
    CDRFactory(cpo=cpo, station=hamburg, start=this_month(3), energy="40", cost=None)
    CDRFactory(cpo=cpo, station=hamburg, start=this_month(4), energy="1", final=False)
    signed_in(client, cpo, "anna")

    totals = client.get("/portal/cdrs/").context["totals"]
    assert (totals.count, totals.energy_kwh) == (4, 71)
    assert totals.cost_by_currency == {"CHF": Decimal("7"), "EUR": Decimal("9.2")}

    cases = {
        f"station={berlin.pk}": 2,
        f"evse_id={a.evse_id.lower().replace('*', '')}": 2,
        "uid=0a0b0c0d": 1,
        "state=open": 1,
        "currency=chf": 1,
        "period=last_month": 0,
    }
    for query, expected in cases.items():
        response = client.get(f"/portal/cdrs/?{query}")
        assert response.context["totals"].count == expected, query
        assert len(response.context["cdrs"]) == expected, query
        exported = csv_rows(client.get(f"/portal/cdrs/?{query}&export=csv"))
        assert len(exported) == expected, query


def test_period_by_dates_and_the_chart_granularity(client, cpo):
    CDRFactory(cpo=cpo, start=local_midnight(date(2025, 1, 15)), energy="3")
    CDRFactory(cpo=cpo, start=local_midnight(date(2025, 3, 2)), energy="4")
    signed_in(client, cpo, "anna")
    response = client.get("/portal/cdrs/?period=dates&date_from=2025-01-01&date_to=2025-01-31")
    assert response.context["totals"].count == 1
    assert len(response.context["chart"]["bars"]) == 31
    response = client.get("/portal/cdrs/?period=dates&date_from=2025-01-01&date_to=2025-06-30")
    assert response.context["totals"].count == 2
    months = [bar["bucket"] for bar in response.context["chart"]["bars"]]
    assert [m.start for m in months] == [date(2025, n, 1) for n in range(1, 7)]
    assert months[0].label == "Jan 2025"
    assert [m.sessions for m in months] == [1, 0, 1, 0, 0, 0]
    assert DAILY_CHART_MAX_DAYS < 181


def test_typed_dates_win_over_a_quick_choice_left_as_it_was(client, cpo):
    CDRFactory(cpo=cpo, start=local_midnight(date(2025, 9, 10)), energy="3")
    CDRFactory(cpo=cpo, start=local_midnight(date(2025, 9, 30)) + timedelta(hours=23), energy="4")
    CDRFactory(cpo=cpo, start=local_midnight(date(2025, 10, 1)), energy="5")
    CDRFactory(cpo=cpo, start=this_month(), energy="6")
    signed_in(client, cpo, "anna")
    query = "period=this_month&date_from=2025-09-01&date_to=2025-09-30"
    response = client.get(f"/portal/cdrs/?{query}")
    assert response.context["totals"].count == 2
    assert response.context["totals"].energy_kwh == 7
    assert (response.context["period_first"], response.context["period_last"]) == (
        date(2025, 9, 1),
        date(2025, 9, 30),
    )
    assert len(response.context["chart"]["bars"]) == 30
    assert len(response.context["cdrs"]) == 2
    # The form shows the period the report used.
    assert response.context["filterset"].form["period"].value() == "dates"
    exported = csv_rows(client.get(f"/portal/cdrs/?{query}&export=csv"))
    assert sorted(row["energy_kwh"] for row in exported) == ["3", "4"]
    # Only one typed bound: the other is the default's (the month of the given date, today).
    response = client.get("/portal/cdrs/?period=last_month&date_to=2025-09-30")
    assert response.context["period_first"] == date(2025, 9, 1)
    assert response.context["totals"].count == 2


def test_sorting_by_a_column_both_ways(client, cpo):
    for energy in ("5", "50", "15"):
        CDRFactory(cpo=cpo, start=this_month(), energy=energy)
    signed_in(client, cpo, "anna")
    ascending = client.get("/portal/cdrs/?sort=energy").context["cdrs"]
    assert [str(c.energy_kwh) for c in ascending] == ["5.000000", "15.000000", "50.000000"]
    descending = client.get("/portal/cdrs/?sort=-energy")
    assert [c.energy_kwh for c in descending.context["cdrs"]][0] == 50
    assert 'aria-sort="descending"' in descending.content.decode()
    # An unknown column falls back to the default order instead of failing.
    assert client.get("/portal/cdrs/?sort=secret_field").status_code == 200


def test_pages_of_fifty(client, cpo):
    for n in range(51):
        CDRFactory(cpo=cpo, start=this_month(1) + timedelta(minutes=n), revisions=0)
    signed_in(client, cpo, "anna")
    assert len(client.get("/portal/cdrs/").context["cdrs"]) == 50
    second = client.get("/portal/cdrs/?page=2")
    assert len(second.context["cdrs"]) == 1
    assert "Page 2 of 2" in second.content.decode()


def test_the_cpo_sees_the_customer_masked_the_recipient_in_full(client, cpo, emp):
    cdr = CDRFactory(cpo=cpo, recipient=emp, start=this_month(), uid="04A1B2C3D4E5F6")
    open_cdr = CDRFactory(cpo=cpo, recipient=emp, start=this_month(2), final=False)
    short = CDRFactory(cpo=cpo, recipient=emp, start=this_month(3), uid="0A0B")
    signed_in(client, cpo, "cpo-user")
    detail = client.get(f"/portal/cdrs/{cdr.pk}/").content.decode()
    assert "••••••••••E5F6" in detail and "04A1B2C3D4E5F6" not in detail
    exported = csv_rows(client.get("/portal/cdrs/?export=csv&state=final"))
    assert [row["user_identifier"] for row in exported] == ["••••••••••E5F6", "••••"]
    assert short.user_identifier not in client.get(f"/portal/cdrs/{short.pk}/").content.decode()

    signed_in(client, emp, "emp-user")
    assert "04A1B2C3D4E5F6" in client.get(f"/portal/cdrs/{cdr.pk}/").content.decode()
    exported = csv_rows(client.get("/portal/cdrs/?export=csv"))
    assert [row["user_identifier"] for row in exported] == ["04A1B2C3D4E5F6", "0A0B"]
    # An open CDR is not forwarded yet, so its recipient does not see it.
    assert client.get(f"/portal/cdrs/{open_cdr.pk}/").status_code == 404


def test_detail_shows_revisions_and_forwarding(client, cpo, emp):
    cdr = CDRFactory(cpo=cpo, recipient=emp, start=this_month(), revisions=3)
    Delivery.objects.create(
        partner=emp,
        call="session-post",
        payload={},
        dedupe_key=f"cdr:{cdr.pk}",
        max_attempts=5,
        state=Delivery.State.DELIVERED,
        attempts=2,
    )
    signed_in(client, emp, "emp-user")
    response = client.get(f"/portal/cdrs/{cdr.pk}/")
    assert [r.number for r in response.context["revisions"]] == [1, 2, 3]
    assert [d.state for d in response.context["deliveries"]] == ["delivered"]


def test_xlsx_export_holds_dates_as_dates_and_numbers_as_numbers(client, cpo, settings):
    station = StationFactory(owner=cpo, name="=SUM(A1)")
    start = this_month(1)
    cdr = CDRFactory(cpo=cpo, station=station, start=start, energy="12.5", cost="3.75")
    CDRFactory(cpo=cpo, station=station, start=this_month(2), energy="1", final=False, cost=None)
    CDRFactory(cpo=cpo, station=station, start=local_midnight(date(2025, 1, 5)))
    signed_in(client, cpo, "anna")
    response = client.get("/portal/cdrs/?state=final&export=xlsx", HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Disposition"] == 'attachment; filename="cdrs.xlsx"'
    header, *rows = xlsx_rows(response)
    zone = f" ({settings.TIME_ZONE})"
    assert header[:8] == (
        "id",
        "state",
        "cpo",
        "session_id",
        "evse_id",
        "station_id",
        "station_name",
        "user_identifier_type",
    )
    assert f"session_start{zone}" in header and "duration_seconds" in header
    # Exactly the filtered rows: this month's final CDR.
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["id"] == cdr.pk
    assert row["station_id"] == station.external_id
    assert row[f"session_start{zone}"] == timezone.localtime(start).replace(tzinfo=None)
    assert row["duration_seconds"] == 90 * 60
    assert (row["energy_kwh"], row["cost_amount"]) == (12.5, 3.75)
    # Text stays text: a formula the CPO chose is not one in the workbook.
    assert row["station_name"] == "=SUM(A1)"
    assert row["charging_start" + zone] is None


def test_csv_columns_name_the_cpos_station_id_its_name_and_the_duration(client, cpo):
    station = StationFactory(owner=cpo, name="Hafen")
    CDRFactory(cpo=cpo, station=station, start=this_month())
    CDRFactory(cpo=cpo, start=this_month(2), final=False)
    signed_in(client, cpo, "anna")
    rows = csv_rows(client.get("/portal/cdrs/?export=csv&sort=start"))
    by_station = {row["station_name"]: row for row in rows}
    assert by_station["Hafen"]["station_id"] == station.external_id
    assert by_station["Hafen"]["duration_seconds"] == "5400"
    # A CDR matched to no station and still running: empty cells.
    assert (by_station[""]["station_id"], by_station[""]["duration_seconds"]) == ("", "")
    # The stations export names the same station by the same id.
    stations = csv_rows(client.get("/portal/stations/?export=csv"))
    assert {row["station_id"] for row in stations} == {station.external_id}


def test_stations_page_filters_and_exports_one_line_per_connector(client, cpo):
    StationFactory(owner=cpo, city="Berlin", connectors=3)
    StationFactory(owner=cpo, city="Hamburg", connectors=1)
    signed_in(client, cpo, "anna")
    assert len(client.get("/portal/stations/?city=hamburg").context["stations"]) == 1
    assert len(client.get("/portal/stations/?status=Occupied").context["stations"]) == 2
    rows = csv_rows(client.get("/portal/stations/?export=csv&city=berlin"))
    assert [row["status"] for row in rows] == ["Occupied", "Available", "Available"]


@pytest.mark.parametrize("role", [Role.EMP, Role.OEM, Role.FLEET])
def test_customers_partners_see_the_stations_their_customers_can_use(
    client, cpo, role, django_assert_max_num_queries
):
    partner = portal_partner(f"Customers' {role}", {role})
    StationFactory(owner=cpo, name="Public", city="Hamburg", connectors=3)
    StationFactory(owner=cpo, name="Hidden", is_hidden=True)
    StationFactory(owner=cpo, name="Deleted", is_deleted=True)
    StationFactory(owner=cpo, name="Private", is_private=True)
    other_cpo = portal_partner("Other CPO", {Role.CPO})
    other = StationFactory(owner=other_cpo, name="Other public", city="Berlin", connectors=1)
    other.connectors.update(type="Combo", status="Offline")
    signed_in(client, partner, f"user-{role}")
    response = client.get("/portal/stations/")
    assert response.status_code == 200
    assert sorted(s.name for s in response.context["stations"]) == ["Other public", "Public"]
    page = response.content.decode()
    assert "Hidden" not in page and "Private" not in page and "Deleted" not in page
    cases = {
        "city=hamburg": ["Public"],
        f"operator={other.operator.value.lower()}": ["Other public"],
        "status=Offline": ["Other public"],
        "status=Occupied": ["Public"],
        "connector_type=Combo": ["Other public"],
    }
    for query, expected in cases.items():
        stations = client.get(f"/portal/stations/?{query}").context["stations"]
        assert [s.name for s in stations] == expected, query
    exported = csv_rows(client.get("/portal/stations/?export=csv"))
    assert sorted({row["station_name"] for row in exported}) == ["Other public", "Public"]
    for _ in range(20):
        StationFactory(owner=other_cpo)
    with django_assert_max_num_queries(8):
        assert len(client.get("/portal/stations/").context["stations"]) == 22
    # The CPO itself still sees its own stations only, hidden ones included, deleted ones not.
    signed_in(client, cpo, "cpo-user")
    stations = client.get("/portal/stations/").context["stations"]
    assert sorted(s.name for s in stations) == ["Hidden", "Private", "Public"]


def test_sessions_page_filters_by_state(client, cpo, emp):
    connector = StationFactory(owner=cpo).connectors.first()
    ChargingSessionFactory(requested_by=emp, connector=connector, state="started")
    ChargingSessionFactory(
        requested_by=emp, connector=connector, user_identifier="DE*EMP*000002*2", state="failed"
    )
    signed_in(client, emp, "emp-user")
    response = client.get("/portal/sessions/?state=failed")
    assert [s.user_identifier for s in response.context["sessions"]] == ["DE*EMP*000002*2"]
    header, *rows = xlsx_rows(client.get("/portal/sessions/?export=xlsx"))
    states = [row[header.index("state")] for row in rows]
    assert sorted(states) == ["failed", "started"]


def test_an_invalid_filter_is_reported_not_a_crash(client, cpo):
    signed_in(client, cpo, "anna")
    response = client.get("/portal/cdrs/?period=dates&date_from=yesterday&station=999999")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_labels_hold_after_the_rest_api_built_the_filters(client, cpo):
    # The OpenAPI schema reads the shared FilterSet's filters, which caches their form fields.
    StationFilterSet.base_filters["status"].field  # noqa: B018
    signed_in(client, cpo, "anna")
    assert "Connector status:" in client.get("/portal/stations/").content.decode()


def test_xlsx_rows_beyond_a_sheet_continue_on_the_next_with_the_header(db):
    rows = ([n, f"row {n}"] for n in range(5))
    response = xlsx_response("things", ["number", "text"], rows, rows_per_sheet=2)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
    assert workbook.sheetnames == ["things", "things (2)", "things (3)"]
    assert sheets == [
        [("number", "text"), (0, "row 0"), (1, "row 1")],
        [("number", "text"), (2, "row 2"), (3, "row 3")],
        [("number", "text"), (4, "row 4")],
    ]


def test_overview_compares_the_month_so_far_with_the_same_days_of_last_month(cpo, emp):
    for day, energy in (
        (date(2026, 3, 2), "30"),
        (date(2026, 2, 2), "20"),
        (date(2026, 2, 20), "99"),
    ):
        CDRFactory(
            cpo=cpo, recipient=emp, start=local_midnight(day) + timedelta(hours=8), energy=energy
        )
    CDRFactory(cpo=cpo, start=local_midnight(date(2025, 4, 1)), energy="7")
    CDRFactory(cpo=cpo, start=local_midnight(date(2025, 3, 31)), energy="1000")
    overview = cdr_dashboard(cpo, today=date(2026, 3, 15))
    assert overview["period"] == {"first": date(2026, 3, 1), "last": date(2026, 3, 15)}
    assert overview["compared_period"] == {"first": date(2026, 2, 1), "last": date(2026, 2, 15)}
    sessions, energy, cost = overview["comparisons"]
    assert (sessions.current, sessions.previous, sessions.change_percent) == (1, 1, 0)
    assert (energy.current, energy.previous, energy.change_percent) == (30, 20, 50)
    assert cost.label == "Cost (EUR)"
    # The 31st compares with the last day of a shorter month.
    assert cdr_dashboard(cpo, today=date(2026, 3, 31))["compared_period"]["last"] == date(
        2026, 2, 28
    )
    buckets = overview["trend_chart"]["buckets"]
    assert len(buckets) == 12
    assert (buckets[0].sessions, buckets[0].energy_kwh) == (1, 7)
    assert [b.sessions for b in buckets[-2:]] == [2, 1]


def test_cdrs_to_look_at_are_the_partners_own_with_the_full_list_one_click_away(client, cpo, emp):
    old = CDRFactory(cpo=cpo, start=local_midnight(date(2025, 2, 3)), unmatched_connector=True)
    recent = CDRFactory(cpo=cpo, recipient=emp, start=this_month(), unmatched_connector=True)
    CDRFactory(cpo=cpo, start=this_month(2))
    signed_in(client, cpo, "cpo-user")
    page = client.get("/portal/")
    assert [c.pk for c in page.context["flagged_cdrs"]] == [recent.pk, old.pk]
    assert "EVSE id not found among the stations" in page.content.decode()
    link = re.search(r'id="all-to-look-at" href="([^"]+)"', page.content.decode()).group(1)
    listed = client.get(link.replace("&amp;", "&"))
    assert sorted(c.pk for c in listed.context["cdrs"]) == sorted([old.pk, recent.pk])
    assert listed.context["totals"].count == 2
    # The recipient cannot correct the CPO's EVSE id: nothing for it to look at.
    signed_in(client, emp, "emp-user")
    page = client.get("/portal/")
    assert page.context["flagged_cdrs"] == [] and page.context["flagged_count"] == 0
    assert "all-to-look-at" not in page.content.decode()


def test_codes_are_words_on_the_pages(client, cpo, emp):
    connector = StationFactory(owner=cpo).connectors.first()
    ChargingSessionFactory(
        requested_by=emp, connector=connector, state="failed"
    ).__class__.objects.update(result_code=320)
    signed_in(client, emp, "emp-user")
    page = client.get("/portal/sessions/").content.decode()
    assert "EVSE in use (320)" in page
    signed_in(client, cpo, "cpo-user")
    page = client.get("/portal/stations/").content.decode()
    assert "occupied" in page and ">Occupied<" not in page
    CDRFactory(cpo=cpo, start=this_month(), final=False)
    page = client.get("/portal/cdrs/").content.decode()
    assert "open (may still change)" in page
