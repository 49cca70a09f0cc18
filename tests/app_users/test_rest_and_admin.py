"""/api/v1/app-users/ (an OEM's own app users), the admin's app users, and the EVCO ids we
issue."""

import pytest
from django.urls import reverse

from app_users import services
from app_users.models import AppUser, AppUserToken
from partners import groups
from partners.models import Role
from tests.app_users.helpers import by_token, register
from tests.helpers import staff_user
from tests.mixins import RestEndpointContract, partner_with_roles

URL = "/api/v1/app-users/"
CHANGELIST = reverse("admin:app_users_appuser_changelist")


class TestAppUsersContract(RestEndpointContract):
    url = URL

    @pytest.fixture
    def caller(self, db):
        return partner_with_roles("Caller", {Role.OEM})

    @pytest.fixture
    def stranger(self, db):
        return partner_with_roles("Stranger", {Role.OEM})

    def make_object(self, caller):
        user, _ = register(caller, f"user{AppUser.objects.count()}")
        return user


def test_rest_list_fields_and_filters(client, oem):
    user, _ = register(oem)
    register(oem, "jane")
    services.app_user_block(user)
    response = oem.get(client, f"{URL}?blocked=true")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {
            "id": user.pk,
            "username": "john",
            "email": "john@example.com",
            "evco_id": user.contract.evco_id,
            "language": "",
            "receive_newsletters": False,
            "blocked": True,
            "created_at": response.json()["results"][0]["created_at"],
        }
    ]
    usernames = [
        row["username"] for row in oem.get(client, f"{URL}?username=JANE").json()["results"]
    ]
    assert usernames == ["jane"]


def test_staff_block_in_the_admin_kills_tokens(client, oem):
    user, token = register(oem)
    client.force_login(staff_user("manager", groups.PARTNER_MANAGEMENT))
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "john" in page.content.decode()
    change = client.get(reverse("admin:app_users_appuser_change", args=[user.pk]))
    # Tokens are listed, never their value (only a digest is stored).
    assert change.status_code == 200 and token not in change.content.decode()
    response = client.post(
        CHANGELIST, {"action": "block", "_selected_action": [user.pk]}, follow=True
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_blocked
    assert AppUserToken.objects.get().revoked_at is not None
    answer = oem.post(client, "user-get-details", {"user": by_token(token)}).json()
    assert answer["result"]["code"] == 145
    # Deleting an app user keeps its customer and contracts (CDRs name them).
    delete = reverse("admin:app_users_appuser_delete", args=[user.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not AppUser.objects.exists()


def test_support_staff_see_but_do_not_block(client, oem):
    user, _ = register(oem)
    client.force_login(staff_user("support", groups.SUPPORT))
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "john" in page.content.decode()
    assert 'value="block"' not in page.content.decode()
