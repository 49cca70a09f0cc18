"""The contract of every `user-*` call: no key, a revoked key, a wrong role (220), success."""

from app_users import services
from partners.models import Role
from tests.app_users.helpers import PASSWORD, by_username, register
from tests.mixins import OIOICallContract


class UserCallContract(OIOICallContract):
    roles = frozenset({Role.OEM})

    def members(self, caller, user):
        return {}

    def payload(self, caller):
        user, token = register(caller)
        return {"user": by_username(user, token), **self.members(caller, user)}


class TestUserRegisterContract(OIOICallContract):
    call = "user-register"
    roles = frozenset({Role.OEM})

    def payload(self, caller):
        return {"username": "john", "email": "john@example.com", "password": PASSWORD}


class TestUserVerifyContract(OIOICallContract):
    call = "user-verify"
    roles = frozenset({Role.OEM})

    def payload(self, caller):
        register(caller)
        return {"username": "john", "password": PASSWORD, "is-token": False}


class TestUserResetContract(OIOICallContract):
    call = "user-reset"
    roles = frozenset({Role.OEM})

    def payload(self, caller):
        register(caller)
        return {"identifier": "john@example.com"}


class TestUserChangePasswordContract(OIOICallContract):
    call = "user-change-password"
    roles = frozenset({Role.OEM})

    def payload(self, caller):
        register(caller)
        return {
            "username": "john",
            "current-password": PASSWORD,
            "new-password": "an-0ther-Passw0rd",
        }


class TestUserLogoutContract(UserCallContract):
    call = "user-logout"


class TestUserGetDetailsContract(UserCallContract):
    call = "user-get-details"


class TestUserPostDetailsContract(UserCallContract):
    call = "user-post-details"

    def members(self, caller, user):
        return {"details": {"first-name": "John"}}


class TestUserAddRfidContract(UserCallContract):
    call = "user-add-rfid"

    def members(self, caller, user):
        return {"rfid": "12345678ABCDEF"}


class TestUserBlockRfidContract(UserCallContract):
    call = "user-block-rfid"

    def members(self, caller, user):
        # One UID per partner: the wrong-role test registers a user for each role.
        uid = f"1234{caller.partner.pk:04X}"
        services.app_user_rfid_add(user, uid)
        return {"rfid": uid}


class TestUserUnblockRfidContract(TestUserBlockRfidContract):
    call = "user-unblock-rfid"


class TestUserGetChargingKeysContract(UserCallContract):
    call = "user-get-charging-keys"


class TestUserChargingKeyActivateContract(UserCallContract):
    call = "user-charging-key-activate"

    def members(self, caller, user):
        return {"evco-id": user.contract.evco_id}


class TestUserChargingKeyDeactivateContract(TestUserChargingKeyActivateContract):
    call = "user-charging-key-deactivate"


class TestUserGetRecentSessionsContract(UserCallContract):
    call = "user-get-recent-sessions"


class TestUserGetRecentStationsContract(UserCallContract):
    call = "user-get-recent-stations"

    def members(self, caller, user):
        return {"limit": 2}
