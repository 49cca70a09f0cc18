"""The front door: `/` offers the portal or the back-office; each side points to the other."""

import re

from django.contrib.auth.models import User

from tests.mixins import PORTAL_PASSWORD, portal_partner, portal_user

ADMIN_LOGIN = "/admin/login/"


def links(response):
    return re.findall(r'href="([^"]+)"', response.content.decode())


def test_home_offers_the_portal_and_the_back_office(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assert {"/portal/", "/admin/"} <= set(links(response))
    assert "Partner portal" in response.content.decode()
    assert "Staff back-office" in response.content.decode()


def test_home_in_german(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()


def test_view_site_in_the_admin_leads_to_the_portal(superuser_client):
    response = superuser_client.get("/admin/")

    assert response.status_code == 200
    view_site = re.search(r'<a href="([^"]+)">View site</a>', response.content.decode())
    assert view_site.group(1) == "/portal/"


def test_the_admin_login_links_to_the_portal_login(client, db):
    response = client.get(ADMIN_LOGIN)

    assert "/accounts/login/" in links(response)


def admin_sign_in(client, username, password):
    # As the admin's login form posts it, with where to go next.
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_a_partner_user_at_the_admin_login_is_sent_to_the_portal(client, db):
    portal_user(portal_partner("Home CPO", {"cpo"}), "anna")

    response = admin_sign_in(client, "anna", PORTAL_PASSWORD)

    assert response.status_code == 200
    assert (
        "This account signs in to the partner portal, not to the staff back-office: sign in at "
        "/accounts/login/."
    ) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_of_a_partner_user_tells_nothing_more(client, db):
    portal_user(portal_partner("Home CPO", {"cpo"}), "anna")

    response = admin_sign_in(client, "anna", "not-the-password")

    assert "partner portal, not to the staff" not in response.content.decode()
    assert "Please enter the correct username and password" in response.content.decode()


def test_a_user_of_neither_side_gets_the_admin_refusal(client, db):
    User.objects.create_user("nobody", password=PORTAL_PASSWORD)

    response = admin_sign_in(client, "nobody", PORTAL_PASSWORD)

    assert "partner portal, not to the staff" not in response.content.decode()
    assert "Please enter the correct username and password" in response.content.decode()


def test_staff_still_sign_in_to_the_admin(client, db):
    User.objects.create_user("staffer", password=PORTAL_PASSWORD, is_staff=True)

    response = admin_sign_in(client, "staffer", PORTAL_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
