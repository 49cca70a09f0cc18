"""
The portal in a real browser: Debian's Chromium driven by Playwright against a live server.
Screenshots of the main pages go to var/screenshots/ (git-ignored) for people to look at.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from django.conf import settings
from django.utils import formats, translation

from cdrs.models import CDR
from cdrs.reports import local_midnight, period_bounds
from partners.models import Role
from tests.factories import CDRFactory, StationFactory
from tests.mixins import PORTAL_PASSWORD, portal_partner, portal_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def browser_page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code, which Django would otherwise refuse there.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()


def shoot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def report_data(transactional_db):
    cpo = portal_partner("Browser CPO", {Role.CPO})
    portal_user(cpo, "anna", admin=True)
    berlin = StationFactory(owner=cpo, name="Alexanderplatz", city="Berlin")
    hamburg = StationFactory(owner=cpo, name="Speicherstadt", city="Hamburg")
    this_first, _ = period_bounds("this_month")
    last_first, _ = period_bounds("last_month")
    # Early on the month's first day: this month's whatever day the test runs.
    this_start = local_midnight(this_first) + timedelta(hours=1)
    for n in range(3):
        CDRFactory(
            cpo=cpo, station=berlin, start=this_start + timedelta(minutes=n), energy=f"{10 + n}"
        )
    for n in range(5):
        start = local_midnight(last_first)
        CDRFactory(cpo=cpo, station=hamburg, start=start + timedelta(days=n, hours=9), energy="20")
    CDRFactory(cpo=cpo, station=berlin, unmatched_user=True, start=this_start + timedelta(hours=2))
    stranger = portal_partner("Browser Stranger", {Role.CPO})
    theirs = CDRFactory(cpo=stranger, station=StationFactory(owner=stranger))
    return {"cpo": cpo, "theirs": theirs, "this_first": this_first, "last_first": last_first}


def test_sign_in_report_filter_export_detail_isolation_sign_out(
    live_server, browser_page, report_data
):
    page = browser_page
    base = live_server.url

    page.goto(f"{base}/portal/cdrs/")
    assert "/accounts/login/" in page.url
    shoot(page, "sign-in")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/portal/cdrs/")

    # This month: the 3 CDRs of today and the flagged one.
    sessions = page.locator("[data-total=sessions]")
    assert sessions.inner_text() == "4"
    this_month_chart = page.locator(".chart svg").inner_html()
    shoot(page, "cdr-report")

    page.get_by_label("Period").select_option("last_month")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**period=last_month**")
    assert sessions.inner_text() == "5"
    assert page.locator("[data-total=energy]").inner_text() == "100\xa0kWh"
    assert page.locator("[data-total=cost]").inner_text() == "21.00\xa0EUR"
    assert page.locator(".chart svg").inner_html() != this_month_chart

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))
    last_start, last_end = period_bounds("last_month")
    expected = CDR.objects.filter(
        cpo=report_data["cpo"],
        session_start__date__gte=last_start,
        session_start__date__lt=last_end,
    )
    assert sorted(row["session_id"] for row in rows) == sorted(
        expected.values_list("session_id", flat=True)
    )
    for row in rows:
        cdr = expected.get(session_id=row["session_id"])
        assert Decimal(row["energy_kwh"]) == cdr.energy_kwh
        assert row["user_identifier"] == "••••" + cdr.user_identifier[-4:]

    page.locator("tbody a").first.click()
    page.wait_for_url("**/portal/cdrs/*/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("CDR S-")
    assert "Revisions received" in page.content()
    shoot(page, "cdr-detail")

    response = page.goto(f"{base}/portal/cdrs/{report_data['theirs'].pk}/")
    assert response.status == 404

    page.goto(f"{base}/portal/")
    assert page.get_by_role("heading", level=1).inner_text() == "Overview of Browser CPO"
    shoot(page, "dashboard")
    page.goto(f"{base}/portal/stations/")
    assert page.get_by_text("Speicherstadt").count() == 1
    shoot(page, "stations")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/accounts/login/")
    page.goto(f"{base}/portal/")
    assert "/accounts/login/" in page.url


def test_typed_dates_drive_the_report_and_both_exports(live_server, browser_page, report_data):
    page = browser_page
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/portal/cdrs/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/portal/cdrs/")

    # Last month typed in From/To while Period stays on "This month".
    first, end = period_bounds("last_month")
    last = end - timedelta(days=1)
    assert page.get_by_label("Period").input_value() == "this_month"
    page.locator("#id_date_from").fill(first.isoformat())
    page.locator("#id_date_to").fill(last.isoformat())
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**date_to=**")

    with translation.override("en"):
        shown = [formats.date_format(day, "SHORT_DATE_FORMAT") for day in (first, last)]
    assert page.locator("#totals-heading").inner_text() == f"Totals from {shown[0]} to {shown[1]}"
    assert page.locator("[data-total=sessions]").inner_text() == "5"
    assert page.locator("[data-total=energy]").inner_text() == "100\xa0kWh"
    assert page.locator("table:has(caption) tbody tr").count() == 5
    assert page.get_by_label("Period").input_value() == "dates"

    expected = sorted(
        CDR.objects.filter(
            cpo=report_data["cpo"],
            session_start__gte=local_midnight(first),
            session_start__lt=local_midnight(end),
        ).values_list("session_id", flat=True)
    )
    for name in ("CSV", "Excel (.xlsx)"):
        link = page.get_by_role("link", name=name, exact=True)
        query = parse_qs(urlparse(link.get_attribute("href")).query)
        assert (query["date_from"], query["date_to"]) == ([first.isoformat()], [last.isoformat()])
        with page.expect_download() as download_info:
            link.click()
        path = Path(download_info.value.path())
        if name == "CSV":
            rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
            got = sorted(row["session_id"] for row in rows)
        else:
            assert download_info.value.suggested_filename == "cdrs.xlsx"
            sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).worksheets[0]
            header, *rows = sheet.iter_rows(values_only=True)
            got = sorted(row[header.index("session_id")] for row in rows)
        assert got == expected, name


def test_german_pages_and_the_language_switcher(live_server, browser_page, report_data):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Switch").click()
    page.get_by_label("Benutzername").fill("anna")
    page.get_by_label("Passwort").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/portal/")
    page.goto(f"{live_server.url}/portal/cdrs/?period=last_month")
    assert page.locator("[data-total=energy]").inner_text() == "100\xa0kWh"
    assert page.locator("[data-total=cost]").inner_text() == "21,00\xa0EUR"
    shoot(page, "cdr-report-de")
