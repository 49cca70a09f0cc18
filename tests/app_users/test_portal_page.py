"""The OEM's app users page in the portal."""

import itertools

from app_users import services
from app_users.models import AppUser
from partners.models import Role
from tests.app_users.helpers import PASSWORD
from tests.mixins import PortalPageContract, portal_partner, portal_user

_numbers = itertools.count(1)


def app_users(oem, count, **fields):
    made = []
    for _ in range(count):
        username = f"driver{next(_numbers):05d}"
        services.app_user_register(
            oem, username=username, email=f"{username}@example.com", password=PASSWORD, **fields
        )
        made.append(AppUser.objects.get(oem=oem, username=username))
    return made


class TestAppUsersPage(PortalPageContract):
    roles = frozenset({Role.OEM})
    exports = True

    def make_rows(self, partner, count):
        return app_users(partner, count)

    def url(self, rows):
        return "/portal/app-users/"

    def row_text(self, row):
        return row.username


def test_the_page_shows_the_app_contract_and_filters_blocked_users(client, db):
    oem = portal_partner("OEM owner", {Role.OEM})
    blocked, active = app_users(oem, 2)
    services.app_user_block(blocked)
    client.force_login(portal_user(oem, "oem-user"))

    page = client.get("/portal/app-users/", {"blocked": "true"}).content.decode()

    assert blocked.username in page and blocked.contract.evco_id in page
    assert active.username not in page
    # Never a password hash or a token on the page.
    assert blocked.password not in page
    assert "App users" in client.get("/portal/").content.decode()
