"""Portal users: sign-in and its throttling, password reset, invitations, deactivation, add-user."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from partners.models import PartnerMembership, Role
from portal.models import SignInThrottle
from tests.mixins import PORTAL_PASSWORD, portal_partner, portal_user

LOGIN = "/accounts/login/"


@pytest.fixture
def partner(db):
    return portal_partner("Acme", {Role.CPO})


def sign_in(client, username, password=PORTAL_PASSWORD, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sign_in_lands_on_the_portal_and_sign_out_ends_it(client, partner):
    portal_user(partner, "anna")
    response = sign_in(client, "anna")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/portal/").status_code == 302


@pytest.mark.parametrize("language, label", [("en", "Password"), ("de", "Passwort")])
def test_sign_in_page_in_both_languages(client, db, language, label):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE=language)
    assert f'lang="{language}"' in response.content.decode()
    assert label in response.content.decode()


def test_failed_sign_ins_lock_the_username_from_that_address(client, partner, settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    portal_user(partner, "anna")
    for _ in range(2):
        response = sign_in(client, "anna", "wrong")
        assert "Please enter a correct username and password" in response.content.decode()
    response = sign_in(client, "anna", "wrong")
    assert "Too many failed sign-ins" in response.content.decode()
    # Locked: even the right password is refused, without being checked.
    response = sign_in(client, "ANNA")
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    # Another address is not locked out by someone else's guesses.
    assert sign_in(client, "anna", address="10.0.0.2").status_code == 302


def test_the_lock_ends_and_a_success_forgets_the_failures(client, partner, settings):
    settings.SIGN_IN_MAX_FAILURES = 2
    portal_user(partner, "anna")
    sign_in(client, "anna", "wrong")
    sign_in(client, "anna", "wrong")
    throttle = SignInThrottle.objects.get(username="anna")
    assert throttle.locked_until > timezone.now()
    throttle.locked_until = timezone.now() - timedelta(seconds=1)
    throttle.save()
    assert sign_in(client, "anna").status_code == 302
    assert not SignInThrottle.objects.exists()


def test_failures_outside_the_window_do_not_add_up(client, partner, settings):
    settings.SIGN_IN_MAX_FAILURES = 2
    portal_user(partner, "anna")
    sign_in(client, "anna", "wrong")
    SignInThrottle.objects.update(window_started_at=timezone.now() - timedelta(hours=1))
    response = sign_in(client, "anna", "wrong")
    assert "Too many failed sign-ins" not in response.content.decode()
    assert SignInThrottle.objects.get().failures == 1


def test_password_reset_by_e_mail(client, partner, mailoutbox):
    user = portal_user(partner, "anna")
    user.email = "anna@acme.example"
    user.save()
    response = client.post("/accounts/password_reset/", {"email": "anna@acme.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    new = "Another-passw0rd-2"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert sign_in(client, "anna", new).status_code == 302


def test_a_partner_admin_invites_a_colleague_who_sets_a_password(client, partner, mailoutbox):
    admin = portal_user(partner, "boss", admin=True)
    client.force_login(admin)
    response = client.post(
        "/portal/users/invite/",
        {"username": "new-colleague", "email": "new@acme.example", "is_partner_admin": ""},
    )
    assert response.status_code == 302
    membership = PartnerMembership.objects.get(user__username="new-colleague")
    assert (membership.partner, membership.is_partner_admin) == (partner, False)
    assert membership.invited_by == admin
    assert mailoutbox[0].to == ["new@acme.example"]
    assert "Acme" in mailoutbox[0].subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    client.logout()
    form_url = client.get(link)["Location"]
    new = "Colleague-passw0rd-1"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    assert sign_in(client, "new-colleague", new).status_code == 302


def test_invitation_refuses_a_taken_username(client, partner, mailoutbox):
    client.force_login(portal_user(partner, "boss", admin=True))
    response = client.post("/portal/users/invite/", {"username": "BOSS", "email": "x@acme.example"})
    assert response.status_code == 200
    assert "This username is taken." in response.content.decode()
    assert not mailoutbox


def test_deactivation_of_own_partners_users_only(client, partner):
    admin = portal_user(partner, "boss", admin=True)
    colleague = portal_user(partner, "colleague")
    stranger = portal_user(portal_partner("Other", {Role.CPO}), "stranger")
    client.force_login(admin)
    assert client.post(f"/portal/users/{stranger.pk}/deactivate/").status_code == 404
    client.post(f"/portal/users/{admin.pk}/deactivate/")
    client.post(f"/portal/users/{colleague.pk}/deactivate/")
    states = dict(User.objects.values_list("username", "is_active"))
    assert states == {"boss": True, "colleague": False, "stranger": True}
    client.logout()
    assert sign_in(client, "colleague").status_code == 200
    client.force_login(admin)
    client.post(f"/portal/users/{colleague.pk}/reactivate/")
    assert User.objects.get(pk=colleague.pk).is_active


def test_plain_users_cannot_invite_or_deactivate(client, partner):
    colleague = portal_user(partner, "colleague")
    client.force_login(portal_user(partner, "plain"))
    assert client.get("/portal/users/invite/").status_code == 404
    assert client.post(f"/portal/users/{colleague.pk}/deactivate/").status_code == 404
    assert User.objects.get(pk=colleague.pk).is_active


# --- manage.py partner add-user -----------------------------------------------------------------


def add_user(*args):
    out = io.StringIO()
    call_command("partner", "add-user", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args):
    with pytest.raises(CommandError) as info:
        add_user(*args)
    message = str(info.value)
    assert message.strip() and "\n" not in message
    return message


def test_add_user_with_noinput_reads_the_password_from_the_environment(
    client, partner, monkeypatch
):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "Env-passw0rd-123")
    output = add_user(
        "Acme", "carla", "--email", "carla@acme.example", "--partner-admin", "--noinput"
    )
    assert "carla" in output and "Acme" in output
    membership = PartnerMembership.objects.get(user__username="carla")
    assert membership.is_partner_admin and membership.partner == partner
    assert membership.user.email == "carla@acme.example"
    assert sign_in(client, "carla", "Env-passw0rd-123").status_code == 302


def test_add_user_prompts_for_the_password(partner, monkeypatch):
    answers = iter(["Prompted-passw0rd", "Prompted-passw0rd"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    add_user(partner.slug, "dora")
    assert User.objects.get(username="dora").check_password("Prompted-passw0rd")


def test_add_user_refusals_are_one_line_and_change_nothing(partner, monkeypatch):
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    assert "PORTAL_USER_PASSWORD" in refused("Acme", "erik", "--noinput")
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "Env-passw0rd-123")
    assert "No partner" in refused("Nobody", "erik", "--noinput")
    assert "--email" in refused("Acme", "erik", "--email", "not-an-address", "--noinput")
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "123")
    assert "too short" in refused("Acme", "erik", "--noinput")
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "Env-passw0rd-123")
    portal_user(partner, "taken")
    assert "USERNAME" in refused("Acme", "taken", "--noinput")
    answers = iter(["One-passw0rd", "Other-passw0rd"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert "do not match" in refused("Acme", "erik")
    assert not User.objects.filter(username="erik").exists()


# --- staff --------------------------------------------------------------------------------------


def test_staff_give_portal_access_in_the_admin(superuser_client, partner):
    response = superuser_client.post(
        "/admin/auth/user/add/",
        {
            "username": "fritz",
            "password1": "Admin-made-passw0rd",
            "password2": "Admin-made-passw0rd",
            "usable_password": "true",
            "partner_membership-TOTAL_FORMS": "1",
            "partner_membership-INITIAL_FORMS": "0",
            "partner_membership-0-partner": partner.pk,
            "partner_membership-0-is_partner_admin": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    membership = PartnerMembership.objects.get(user__username="fritz")
    assert membership.partner == partner and membership.is_partner_admin
    page = superuser_client.get(f"/admin/partners/partner/{partner.pk}/change/")
    assert "fritz" in page.content.decode()


# --- seed_demo ----------------------------------------------------------------------------------


def test_seed_demo_creates_a_portal_user_per_demo_partner_once(client, db, monkeypatch):
    monkeypatch.delenv("PORTAL_USER_PASSWORD", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    printed = dict(
        re.findall(
            r"  Demo [\w ]+: '(demo-[\w-]+)', password (\S+) \(shown only now\)", out.getvalue()
        )
    )
    assert sorted(printed) == [
        "demo-cpo",
        "demo-cpo-berlin",
        "demo-cpo-hamburg",
        "demo-cpo-sud",
        "demo-emp",
        "demo-fleet",
        "demo-oem",
    ]
    memberships = PartnerMembership.objects.select_related("partner", "user")
    assert {(m.user.username, m.partner.name, m.is_partner_admin) for m in memberships} == {
        ("demo-cpo", "Demo CPO", True),
        ("demo-emp", "Demo EMP", True),
        ("demo-oem", "Demo OEM", True),
        ("demo-fleet", "Demo Fleet", True),
        ("demo-cpo-berlin", "Demo CPO Berlin", True),
        ("demo-cpo-hamburg", "Demo CPO Hamburg", True),
        ("demo-cpo-sud", "Demo CPO Süd", True),
    }
    assert sign_in(client, "demo-cpo", printed["demo-cpo"]).status_code == 302
    assert "/accounts/login/ as 'demo-cpo'" in out.getvalue()

    again = io.StringIO()
    call_command("seed_demo", stdout=again, stderr=io.StringIO())
    assert "shown only now)" not in again.getvalue().split("Portal users")[-1]
    assert PartnerMembership.objects.count() == 7


def test_seed_demo_portal_password_from_the_environment(client, db, monkeypatch):
    monkeypatch.setenv("PORTAL_USER_PASSWORD", "Demo-portal-passw0rd")
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    assert "'demo-emp', the password from PORTAL_USER_PASSWORD" in out.getvalue()
    assert sign_in(client, "demo-emp", "Demo-portal-passw0rd").status_code == 302
