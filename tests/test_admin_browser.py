"""
Every admin page and every portal page in a real browser at 1366×768, a laptop staff work on:
each admin list and change page fits the window's width, and each page is screenshot to
var/screenshots/ (admin in English, portal in English and German) for people to look at.
"""

import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from cdrs.models import CDR
from clients.models import Authorization
from demo.management.commands.seed_demo import SUPERUSER_USERNAME
from demo.partners import DEMO_CPO, DEMO_EMP
from partners import services
from partners.models import ApiKey, Delivery, DeliveryAttempt, Partner
from portal import urls as portal_urls
from sessions_app.models import ChargingSession, Reservation
from stations.models import Connector
from tests.factories import issue_key
from tests.helpers import oioi_post
from tests.portal.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT = 1366, 768
PASSWORD = "browser-admin-password-7Qx"  # noqa: S105 - a throwaway test user's
# The demo portal users: the CPO's sees most pages, the sessions page is an EMP's.
PORTAL_USER, EMP_PORTAL_USER = "demo-cpo", "demo-emp"
# The portal pages for one role only, with the demo user who sees them; the others as the CPO's.
PAGE_USERS = {"sessions": EMP_PORTAL_USER, "fleet-cards": "demo-fleet", "app-users": "demo-oem"}


@pytest.fixture
def demo_site(transactional_db, monkeypatch):
    """The demo data, plus a row of every model the demo leaves empty, with long values."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    monkeypatch.setenv("PORTAL_USER_PASSWORD", PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())
    cpo, emp = Partner.objects.get(name=DEMO_CPO), Partner.objects.get(name=DEMO_EMP)
    _, key = issue_key(cpo, label="Browser test key, expiring soon")
    ApiKey.objects.filter(label__startswith="Browser").update(
        expires_at=timezone.now() + timedelta(days=3)
    )
    # A real call: an audit log row and an authorization as the endpoint writes them.
    oioi_post(Client(), key, "rfid-verify", {"rfid": "0E0E0E01"})
    connector = Connector.objects.filter(station__owner=cpo).first()
    now = timezone.now()
    ChargingSession.objects.create(
        requested_by=emp,
        cpo=cpo,
        connector=connector,
        evse_id=connector.evse_id,
        user_identifier_type="evco-id",
        user_identifier="DE-8EO-C12345678-9",
        cpo_session_id="f0e1d2c3-b4a5-4697-8899-aabbccddeeff",
        state=ChargingSession.State.STARTED,
        result_code=0,
        correlation_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
        started_at=now,
    )
    Reservation.objects.create(
        requested_by=emp, cpo=cpo, connector=connector, evse_id=connector.evse_id, end_at=now
    )
    cdr = CDR.objects.filter(cpo=cpo).first()
    delivery = services.delivery_enqueue(
        emp, "session-post", {"session-post": {"session-id": cdr.session_id, "energy": "4.2"}}
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.DEAD,
        attempts=1,
        last_http_status=503,
        last_error="HTTPConnectionPool(host='emp.example.com', port=443): Max retries exceeded",
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=now,
        duration_ms=30_000,
        request_id="3f2b8c1e-9d4a-4b7e-8a61-0c5d2e9f7a13",
        http_status=503,
        error="HTTPConnectionPool(host='emp.example.com', port=443): Max retries exceeded",
        outcome=DeliveryAttempt.Outcome.DEAD,
    )
    superuser = User.objects.get(username=SUPERUSER_USERNAME)
    LogEntry.objects.log_actions(
        superuser.pk,
        [cpo],
        CHANGE,
        change_message=[{"changed": {"fields": ["Notes", "OIOI endpoint"]}}],
    )
    assert Authorization.objects.exists() and ContentType.objects.exists()
    return superuser


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser, base, username, language="en"):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    return page


# What scrolls sideways: the page itself, or a box of it (the admin puts its tables in boxes
# that scroll rather than widen the page).
SCROLLS_SIDEWAYS = """() => {
    const root = document.documentElement;
    const wide = root.scrollWidth > window.innerWidth ? ["page"] : [];
    for (const box of document.body.querySelectorAll("*")) {
        const scrolls = ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
        if (scrolls && box.scrollWidth > box.clientWidth + 1) {
            wide.push(`${box.tagName.toLowerCase()}#${box.id}.${box.className}: ` +
                      `${box.scrollWidth} > ${box.clientWidth}`);
        }
    }
    return wide;
}"""
# Screenshots as far down as people look: a list's 100 rows would make an unreadable strip.
SCREENSHOT_HEIGHT = 2400


def shoot(page, name):
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_HEIGHT)
    clip = {"x": 0, "y": 0, "width": WIDTH, "height": height}
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, clip=clip)


def check(page, name):
    """Screenshot the page; return what scrolls sideways on it, and Python's None if shown."""
    shoot(page, name)
    shown_none = re.findall(r".{0,30}\bNone\b.{0,30}", page.locator("body").inner_text())
    return page.evaluate(SCROLLS_SIDEWAYS) + shown_none


def visit(page, url, name):
    response = page.goto(url)
    assert response.status == 200, url
    return check(page, name)


def registered_models():
    return [model for model in apps.get_models() if admin.site.is_registered(model)]


def test_every_admin_page_fits_1366_pixels(live_server, browser, demo_site):
    page = new_page(browser, live_server.url, SUPERUSER_USERNAME)
    too_wide = {}
    too_wide["index"] = visit(page, f"{live_server.url}/admin/", "admin-index")
    for model in registered_models():
        info = model._meta.app_label, model._meta.model_name
        name = "admin-{}-{}".format(*info)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        too_wide[name] = visit(page, live_server.url + changelist, name)
        # The first row's link to its page (the first column's, as Django links it).
        link = page.locator("#result_list tbody tr th a, #result_list tbody tr td a").first
        assert link.count() == 1, f"{changelist} lists nothing to open"
        with page.expect_navigation():
            link.click()
        assert "/change/" in page.url, page.url
        too_wide[f"{name}-change"] = check(page, f"{name}-change")
    assert {name: boxes for name, boxes in too_wide.items() if boxes} == {}
    assert len(too_wide) == 1 + 2 * len(registered_models())


# Portal URLs that are not pages: POST-only actions.
PORTAL_ACTIONS = {"user-deactivate", "user-reactivate"}


def portal_page_names(patterns=portal_urls.urlpatterns):
    """The name of every portal URL, the domain apps' included ones too."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from portal_page_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name not in PORTAL_ACTIONS:
            yield pattern.name


def test_every_portal_page_fits_1366_pixels_in_english_and_german(live_server, browser, demo_site):
    # The pages that take an argument are shown with one of the partner's own rows.
    args = {"cdr": [CDR.objects.filter(cpo__name=DEMO_CPO).first().pk]}
    too_wide = {}
    for language in ("en", "de"):
        pages = {
            username: new_page(browser, live_server.url, username, language)
            for username in (PORTAL_USER, *PAGE_USERS.values())
        }
        for name in portal_page_names():
            page = pages[PAGE_USERS.get(name, PORTAL_USER)]
            url = reverse(f"portal:{name}", args=args.get(name, []))
            too_wide[f"portal-{name}-{language}"] = visit(
                page, live_server.url + url, f"portal-{name}-{language}"
            )
            assert page.locator("html").get_attribute("lang") == language, url
    assert {name: boxes for name, boxes in too_wide.items() if boxes} == {}
    assert len(too_wide) == 2 * 9
