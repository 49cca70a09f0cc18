"""
The `user-*` calls through the real endpoint (docs/oioi.md, "OEM app users"): the documented
examples, each result code, another OEM's users, bad input, and tokens kept hashed.
"""

import hashlib
import re
from datetime import timedelta

from django.contrib.auth.hashers import check_password
from django.core import mail
from django.utils import timezone

from app_users import services
from app_users.models import AppUser, AppUserToken
from clients.models import ChargingKey, Contract
from core.identifiers import evco_check_character, normalize_evco_id
from tests.app_users.helpers import PASSWORD, by_token, by_username, register
from tests.factories import ContractFactory

TOKEN = re.compile(r"^[0-9a-f]{32}$")
ISSUED_EVCO_ID = re.compile(r"^DE\*OIP\*C\d{8}\*\d$")


def code(response):
    return response.json()["result"]["code"]


def ok(response):
    assert response.status_code == 200, response.content
    assert code(response) == 0, response.content
    return response.json()


def refused(response, expected, http_status=200):
    assert response.status_code == http_status, response.content
    assert code(response) == expected, response.content
    return response.json()["result"]["message"]


# --- user-register ------------------------------------------------------------------------------


def test_register_documented_example(client, oem):
    body = ok(
        oem.post(
            client,
            "user-register",
            {
                "username": "user",
                "email": "name@mail.com",
                "password": PASSWORD,
                "language": "en",
                "receive-newsletters": True,
            },
        )
    )
    token, evco_id = body["user"]["token"], body["user"]["evco-id"]
    assert TOKEN.match(token)
    assert ISSUED_EVCO_ID.match(evco_id)
    normalized = normalize_evco_id(evco_id)
    assert evco_check_character(normalized[:14]) == normalized[14]
    user = AppUser.objects.select_related("customer", "contract").get()
    assert (user.username, user.email, user.language, user.receive_newsletters) == (
        "user",
        "name@mail.com",
        "en",
        True,
    )
    assert user.oem == oem.partner
    assert user.customer.email == "name@mail.com"
    assert user.customer.has_valid_payment_method
    assert (user.contract.evco_id, user.contract.provider) == (evco_id, oem.partner)
    # Neither the password nor the token is stored as sent.
    assert PASSWORD not in user.password and check_password(PASSWORD, user.password)
    stored = AppUserToken.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {getattr(stored, f.attname) for f in AppUserToken._meta.fields}


def test_register_taken_username_or_email_is_143_at_this_oem_only(client, oem, other_oem):
    register(oem, "john", "john@example.com")
    taken = [
        {"username": "JOHN", "email": "new@example.com"},
        {"username": "johnny", "email": "John@Example.com"},
    ]
    for fields in taken:
        response = oem.post(client, "user-register", {**fields, "password": PASSWORD})
        refused(response, 143)
    ok(
        other_oem.post(
            client,
            "user-register",
            {"username": "john", "email": "john@example.com", "password": PASSWORD},
        )
    )
    assert AppUser.objects.count() == 2
    assert Contract.objects.count() == 2


def test_register_bad_input_is_230_naming_the_field(client, oem):
    valid = {"username": "john", "email": "john@example.com", "password": PASSWORD}
    cases = {
        "username": [{"username": "jo"}, {"username": "john doe"}, {"username": "x" * 151}],
        "email": [{"email": "not-an-email"}],
        "password": [{"password": "john"}, {"password": "12345678901"}, {"password": "x" * 129}],
        "language": [{"language": "english"}],
    }
    for field, changes in cases.items():
        for change in changes:
            message = refused(oem.post(client, "user-register", {**valid, **change}), 230, 400)
            assert field in message, (change, message)
    assert not AppUser.objects.exists()
    assert not Contract.objects.exists()


# --- user-verify --------------------------------------------------------------------------------


def test_verify_documented_example_and_codes(client, oem):
    user, first = register(oem, "your-user")
    body = ok(
        oem.post(
            client,
            "user-verify",
            {"username": "your-user", "password": PASSWORD, "is-token": False, "language": "de"},
        )
    )
    assert TOKEN.match(body["user"]["token"]) and body["user"]["token"] != first
    assert body["user"]["evco-id"] == user.contract.evco_id
    user.refresh_from_db()
    assert user.language == "de"
    # By e-mail too; a token is answered with itself.
    payload = {"username": "your-user@example.com", "password": first, "is-token": True}
    assert ok(oem.post(client, "user-verify", payload))["user"]["token"] == first
    payload = {"username": "your-user", "password": "0" * 32, "is-token": True}
    refused(oem.post(client, "user-verify", payload), 145)
    payload = {"username": "your-user", "password": "wrong", "is-token": False}
    refused(oem.post(client, "user-verify", payload), 141)
    payload = {"username": "nobody", "password": PASSWORD}
    refused(oem.post(client, "user-verify", payload), 144)


def test_verify_locks_after_ten_failures_in_a_quarter_hour(client, oem):
    register(oem)
    for _ in range(10):
        payload = {"username": "john", "password": "wrong"}
        refused(oem.post(client, "user-verify", payload), 141)
    refused(oem.post(client, "user-verify", {"username": "john", "password": PASSWORD}), 140)
    AppUser.objects.update(failed_logins_since=timezone.now() - timedelta(minutes=16))
    ok(oem.post(client, "user-verify", {"username": "john", "password": PASSWORD}))


def test_another_oems_user_is_unknown(client, oem, other_oem):
    user, token = register(other_oem)
    refused(oem.post(client, "user-verify", {"username": "john", "password": PASSWORD}), 144)
    refused(oem.post(client, "user-reset", {"identifier": "john"}), 144)
    refused(oem.post(client, "user-get-details", {"user": by_username(user, token)}), 144)
    # Its token names nobody for this OEM.
    refused(oem.post(client, "user-get-details", {"user": by_token(token)}), 145)
    own, own_token = register(oem, "jane")
    mixed = {**by_username(own, own_token), "token": token}
    refused(oem.post(client, "user-get-details", {"user": mixed}), 145)
    payload = {"user": by_token(token), "rfid": "12345678"}
    refused(oem.post(client, "user-add-rfid", payload), 145)
    assert not ChargingKey.objects.exists()


# --- The user object ----------------------------------------------------------------------------


def test_user_object_codes(client, oem):
    user, token = register(oem)
    other, other_token = register(oem, "jane")
    call = "user-get-charging-keys"
    ok(oem.post(client, call, {"user": by_token(token)}))
    ok(oem.post(client, call, {"user": by_username(user, token)}))
    # Without a token, with a malformed one, with another user's.
    refused(oem.post(client, call, {"user": {**by_username(user, token), "token": None}}), 145)
    refused(oem.post(client, call, {"user": by_token("not-a-token")}), 145)
    refused(oem.post(client, call, {"user": {**by_username(user, other_token)}}), 140)
    # An EVCO id or UID names the token's user only.
    evco = {"identifier-type": "evco-id", "identifier": user.contract.evco_id, "token": token}
    ok(oem.post(client, call, {"user": evco}))
    refused(oem.post(client, call, {"user": {**evco, "token": other_token}}), 140)
    refused(oem.post(client, call, {"user": {**evco, "identifier": "garbage"}}), 140)
    refused(oem.post(client, call, {"user": {"identifier-type": "email"}}), 230, 400)


def test_tokens_die_unused_after_the_idle_days(client, oem, settings):
    user, token = register(oem)
    AppUserToken.objects.update(last_used_at=timezone.now() - timedelta(days=91))
    refused(oem.post(client, "user-get-details", {"user": by_token(token)}), 145)
    settings.OIOI_USER_TOKEN_IDLE_DAYS = 100
    ok(oem.post(client, "user-get-details", {"user": by_token(token)}))
    # Use keeps it alive.
    assert AppUserToken.objects.get().last_used_at > timezone.now() - timedelta(minutes=1)


def test_staff_blocking_kills_tokens_and_refuses_the_user(client, oem):
    user, token = register(oem)
    services.app_user_block(user)
    refused(oem.post(client, "user-get-details", {"user": by_token(token)}), 145)
    refused(oem.post(client, "user-verify", {"username": "john", "password": PASSWORD}), 140)
    refused(oem.post(client, "user-reset", {"identifier": "john"}), 140)
    assert not mail.outbox
    services.app_user_block(user, blocked=False)
    token = ok(oem.post(client, "user-verify", {"username": "john", "password": PASSWORD}))
    assert token["user"]["token"]


# --- Log-out, passwords -------------------------------------------------------------------------


def test_logout_revokes_that_token_only(client, oem):
    user, token = register(oem)
    second = services.app_user_verify(oem.partner, login="john", password=PASSWORD, is_token=False)
    ok(oem.post(client, "user-logout", {"user": by_username(user, token)}))
    refused(oem.post(client, "user-get-details", {"user": by_token(token)}), 145)
    ok(oem.post(client, "user-get-details", {"user": by_token(second.token)}))


def test_change_password(client, oem):
    user, token = register(oem)
    payload = {"username": "john", "current-password": "wrong", "new-password": "an-0ther-Pass"}
    refused(oem.post(client, "user-change-password", payload), 140)
    payload["current-password"] = PASSWORD
    payload["new-password"] = "john"
    assert "new-password" in refused(oem.post(client, "user-change-password", payload), 230, 400)
    payload["new-password"] = "an-0ther-Passw0rd"
    ok(oem.post(client, "user-change-password", payload))
    refused(oem.post(client, "user-get-details", {"user": by_token(token)}), 145)
    ok(oem.post(client, "user-verify", {"username": "john", "password": "an-0ther-Passw0rd"}))
    refused(oem.post(client, "user-verify", {"username": "john", "password": PASSWORD}), 141)
    payload = {"username": "nobody", "current-password": "x", "new-password": "y"}
    refused(oem.post(client, "user-change-password", payload), 144)


def test_reset_mails_a_one_time_link_to_our_set_password_page(client, oem, monkeypatch):
    user, token = register(oem)
    ok(oem.post(client, "user-reset", {"identifier": "john@example.com"}))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["john@example.com"]
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    path = link.removeprefix("http://localhost:8000")
    assert path.startswith("/accounts/app-user-password/")
    page = client.get(path)
    assert page.status_code == 200 and 'name="new_password1"' in page.content.decode()
    weak = client.post(path, {"new_password1": "john", "new_password2": "john"})
    assert "new_password1" in weak.content.decode() and weak.status_code == 200
    done = client.post(path, {"new_password1": "N3w-passw0rd!", "new_password2": "N3w-passw0rd!"})
    assert "Your password is set" in done.content.decode()
    user.refresh_from_db()
    assert check_password("N3w-passw0rd!", user.password)
    refused(oem.post(client, "user-get-details", {"user": by_token(token)}), 145)
    # Once only.
    again = client.post(
        path, {"new_password1": "An0ther-passw0rd", "new_password2": "An0ther-passw0rd"}
    )
    assert "This link is invalid" in again.content.decode()
    user.refresh_from_db()
    assert check_password("N3w-passw0rd!", user.password)


def test_reset_links_last_a_day(oem, monkeypatch):
    user, _ = register(oem)
    link = services.app_user_reset_token(user)
    assert services.app_user_get_for_reset(link) == user
    later = timezone.now().timestamp() + 24 * 3600 + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert services.app_user_get_for_reset(link) is None
    assert services.app_user_get_for_reset("forged") is None


# --- Details ------------------------------------------------------------------------------------

DETAILS = {
    "first-name": "Firstname",
    "last-name": "Lastname",
    "address": {
        "street": "Torgauer Str.",
        "street-number": "12 - 15",
        "zip": "10829",
        "city": "Berlin",
        "country": "DE",
    },
    "locale": "de",
    "vat": "DE1234567",
    "social-security-number": None,
    "billing-name": "PlugSurfing GmbH",
    "billing-address": {
        "street": "Torgauer Str.",
        "street-number": "12 - 15",
        "zip": "10829",
        "city": "Berlin",
        "country": "DE",
    },
    "phone": "+49 151 84512991",
}


def test_post_and_get_details_documented_examples(client, oem):
    user, token = register(oem, "iAmUser")
    ok(
        oem.post(
            client, "user-post-details", {"user": by_username(user, token), "details": DETAILS}
        )
    )
    body = ok(oem.post(client, "user-get-details", {"user": by_username(user, token)}))
    assert body["user"] == {
        **DETAILS,
        "evco-id": user.contract.evco_id,
        "company-name": None,
    }
    # Inside the user object too; present replaces, null clears, absent keeps.
    change = {"first-name": "Jo", "address": None, "locale": None}
    payload = {"user": {**by_token(token), "details": change}}
    ok(oem.post(client, "user-post-details", payload))
    got = ok(oem.post(client, "user-get-details", {"user": by_token(token)}))["user"]
    assert (got["first-name"], got["address"], got["locale"]) == ("Jo", None, None)
    assert got["last-name"] == "Lastname" and got["billing-address"]["city"] == "Berlin"


def test_post_details_bad_input_is_230(client, oem):
    user, token = register(oem)
    cases = {
        "details.address.country": {"address": {"city": "Berlin", "country": "Germany"}},
        "details.vat": {"vat": "1234"},
        "details.locale": {"locale": "DEU"},
    }
    for field, details in cases.items():
        payload = {"user": by_token(token), "details": details}
        message = refused(oem.post(client, "user-post-details", payload), 230, 400)
        assert field in message, message
    message = refused(oem.post(client, "user-post-details", {"user": by_token(token)}), 230, 400)
    assert "details" in message


# --- Charging keys ------------------------------------------------------------------------------


def keys(client, oem, token):
    body = ok(oem.post(client, "user-get-charging-keys", {"user": by_token(token)}))
    return body["user"]["charging-keys"]


def test_add_rfid_makes_a_key_under_a_new_contract(client, oem, cpo, emp):
    user, token = register(oem)
    ok(oem.post(client, "user-add-rfid", {"user": by_token(token), "rfid": "12345678ABCDEF"}))
    ok(oem.post(client, "user-add-rfid", {"user": by_token(token), "rfid": "0badcafe"}))
    listed = keys(client, oem, token)
    assert [key["uid"] for key in listed] == ["0BADCAFE", "12345678ABCDEF"]
    assert {key["state"] for key in listed} == {"active"}
    evco_ids = {key["evco-id"] for key in listed}
    assert len(evco_ids) == 2 and user.contract.evco_id not in evco_ids
    assert all(ISSUED_EVCO_ID.match(evco_id) for evco_id in evco_ids)
    assert set(
        Contract.objects.filter(customer=user.customer).values_list("provider", flat=True)
    ) == {oem.partner.pk}
    # The key verifies at a CPO with its own EVCO id.
    answer = cpo.post(client, "rfid-verify", {"rfid": "0BADCAFE"}).json()
    assert answer["result"]["code"] == 0
    assert answer["evco-id"] in evco_ids
    # A UID that is anyone's key, or on a whitelist, is 190.
    refused(oem.post(client, "user-add-rfid", {"user": by_token(token), "rfid": "0BADCAFE"}), 190)
    ContractFactory(charging_keys=()).charging_keys.create(uid="AAAAAAAA")
    refused(oem.post(client, "user-add-rfid", {"user": by_token(token), "rfid": "AAAAAAAA"}), 190)
    emp.post(
        client, "rfid-post", {"rfids": ["BBBBBBBB"], "partner-identifier": emp.identifier.value}
    )
    refused(oem.post(client, "user-add-rfid", {"user": by_token(token), "rfid": "BBBBBBBB"}), 190)
    message = refused(
        oem.post(client, "user-add-rfid", {"user": by_token(token), "rfid": "XYZ"}), 230, 400
    )
    assert "rfid" in message
    assert ChargingKey.objects.filter(customer=user.customer).count() == 2


def test_block_and_unblock_rfid(client, oem, cpo):
    user, token = register(oem)
    other, other_token = register(oem, "jane")
    services.app_user_rfid_add(user, "12345678")
    services.app_user_rfid_add(other, "87654321")
    payload = {"user": by_token(token), "rfid": "12345678"}
    ok(oem.post(client, "user-block-rfid", payload))
    assert keys(client, oem, token)[0]["state"] == "blocked"
    assert cpo.post(client, "rfid-verify", {"rfid": "12345678"}).json()["result"]["code"] == 192
    body = ok(oem.post(client, "user-unblock-rfid", payload))
    assert body["user-unblock-rfid"] == {"success": True}
    assert cpo.post(client, "rfid-verify", {"rfid": "12345678"}).json()["result"]["code"] == 0
    refused(oem.post(client, "user-block-rfid", {**payload, "rfid": "87654321"}), 191)
    refused(oem.post(client, "user-unblock-rfid", {**payload, "rfid": "99999999"}), 191)
    # Blocked by staff, it stays blocked.
    key = ChargingKey.objects.get(uid="12345678")
    key.state, key.state_reason = ChargingKey.State.BLOCKED, "Reported stolen."
    key.save()
    refused(oem.post(client, "user-unblock-rfid", payload), 192)
    ok(oem.post(client, "user-block-rfid", payload))


def test_charging_key_activate_and_deactivate(client, oem, cpo):
    user, token = register(oem)
    other, _ = register(oem, "jane")
    key = services.app_user_rfid_add(user, "12345678")
    payload = {"user": by_token(token), "evco-id": key.contract.evco_id}
    ok(oem.post(client, "user-charging-key-deactivate", payload))
    assert keys(client, oem, token)[0]["state"] == "inactive"
    assert cpo.post(client, "rfid-verify", {"rfid": "12345678"}).json()["result"]["code"] == 191
    ok(oem.post(client, "user-charging-key-activate", payload))
    assert keys(client, oem, token)[0]["state"] == "active"
    for evco_id in (other.contract.evco_id, "garbage"):
        refused(
            oem.post(client, "user-charging-key-activate", {**payload, "evco-id": evco_id}), 190
        )
    # The app contract has no key: nothing to change.
    ok(
        oem.post(
            client, "user-charging-key-deactivate", {**payload, "evco-id": user.contract.evco_id}
        )
    )
    key.refresh_from_db()
    key.state, key.state_reason = ChargingKey.State.BLOCKED, "By staff."
    key.save()
    refused(oem.post(client, "user-charging-key-activate", payload), 192)
