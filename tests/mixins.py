"""
Contracts every OIOI call and REST endpoint test inherits: the anonymous, wrong-key,
wrong-role and wrong-partner cases are built in, so a per-call test only declares its data.
"""

import pytest

from oioi_portal import services
from oioi_portal.models import AuditLogEntry, Role
from tests.conftest import PartnerWithKey, oioi_post
from tests.factories import PartnerIdentifierFactory, issue_key

ROLE_FLAGS = {Role.CPO: "is_cpo", Role.EMP: "is_emp", Role.OEM: "is_oem", Role.FLEET: "is_fleet"}


def partner_with_roles(name, roles):
    return PartnerWithKey(
        name=name,
        slug=name.lower().replace(" ", "-"),
        **{flag: role in roles for role, flag in ROLE_FLAGS.items()},
    )


class OIOICallContract:
    """
    Subclasses set ``call`` and ``roles`` (empty: any role), and define ``payload(caller)``
    returning a valid payload for ``caller`` (a PartnerWithKey). ``uses_partner_identifier``
    says whether the payload carries ``partner-identifier``.
    """

    call: str
    roles: frozenset = frozenset()
    uses_partner_identifier = False

    def payload(self, caller):
        raise NotImplementedError

    @pytest.fixture
    def caller(self, db):
        return partner_with_roles("Caller", self.roles or {Role.CPO})

    def assert_refused(self, response, http_status, code):
        assert response.status_code == http_status, response.content
        assert response.json()["result"]["code"] == code
        assert response.json()["result"]["message"]
        entry = AuditLogEntry.objects.get(request_id=response["X-Request-ID"])
        assert (entry.http_status, entry.result_code) == (http_status, code)
        # The body of a request without a valid key is never parsed, so its call is unknown.
        assert entry.call == ("" if http_status == 401 else self.call)

    def test_without_key_is_401(self, client, caller):
        response = oioi_post(client, None, self.call, self.payload(caller))
        self.assert_refused(response, 401, 210)

    def test_with_revoked_key_is_401(self, client, caller):
        services.api_key_revoke(caller.api_key)
        response = caller.post(client, self.call, self.payload(caller))
        self.assert_refused(response, 401, 210)

    def test_with_wrong_secret_is_401(self, client, caller):
        prefix = caller.key.partition(".")[0]
        response = oioi_post(client, f"{prefix}.{'x' * 43}", self.call, self.payload(caller))
        self.assert_refused(response, 401, 210)

    def test_roles_without_the_call_are_403(self, client, caller):
        if not self.roles:
            for role in Role:
                other = partner_with_roles(f"Any {role}", {role})
                response = other.post(client, self.call, self.payload(other))
                assert response.status_code != 403, response.content
            return
        for role in set(Role) - set(self.roles):
            outsider = partner_with_roles(f"Outsider {role}", {role})
            response = outsider.post(client, self.call, self.payload(outsider))
            self.assert_refused(response, 403, 220)

    def test_valid_call_succeeds(self, client, caller):
        response = caller.post(client, self.call, self.payload(caller))
        assert response.status_code == 200, response.content
        assert response.json()["result"]["code"] < 100


class PartnerIdentifierContract:
    """For calls acting for a `partner-identifier`: the key must be allowed to act for it."""

    def test_another_partners_identifier_is_211(self, client, caller):
        other = partner_with_roles("Other partner", self.roles or {Role.CPO})
        payload = {**self.payload(caller), "partner-identifier": other.identifier.value}
        response = caller.post(client, self.call, payload)
        assert response.status_code == 200, response.content
        assert response.json()["result"]["code"] == 211

    def test_identifier_outside_the_keys_selection_is_211(self, client, caller):
        second = PartnerIdentifierFactory(partner=caller.partner)
        restricted, key = issue_key(caller.partner, partner_identifiers=[second])
        response = oioi_post(client, key, self.call, self.payload(caller))
        assert response.status_code == 200, response.content
        assert response.json()["result"]["code"] == 211
        payload = {**self.payload(caller), "partner-identifier": second.value}
        response = oioi_post(client, key, self.call, payload)
        assert response.json()["result"]["code"] < 100, response.content

    def test_inactive_identifier_is_211(self, client, caller):
        caller.identifier.is_active = False
        caller.identifier.save()
        response = caller.post(client, self.call, self.payload(caller))
        assert response.json()["result"]["code"] == 211

    def test_missing_partner_identifier_is_400(self, client, caller):
        payload = {k: v for k, v in self.payload(caller).items() if k != "partner-identifier"}
        response = caller.post(client, self.call, payload)
        self.assert_refused(response, 400, 230)
        assert "partner-identifier" in response.json()["result"]["message"]


class RestEndpointContract:
    """
    Subclasses set ``url`` (the list URL) and define ``make_object(caller)``, creating one
    object that belongs to ``caller`` (a PartnerWithKey) and returning it.
    """

    url: str

    def make_object(self, caller):
        raise NotImplementedError

    @pytest.fixture
    def caller(self, db):
        return partner_with_roles("Caller", {Role.CPO, Role.EMP})

    @pytest.fixture
    def stranger(self, db):
        return partner_with_roles("Stranger", {Role.CPO, Role.EMP})

    def test_anonymous_is_401(self, client, caller):
        self.make_object(caller)
        response = client.get(self.url)
        assert response.status_code == 401
        assert "results" not in response.json()

    def test_revoked_key_is_401(self, client, caller):
        self.make_object(caller)
        services.api_key_revoke(caller.api_key)
        assert caller.get(client, self.url).status_code == 401

    def test_lists_own_objects_only(self, client, caller, stranger):
        own = self.make_object(caller)
        theirs = self.make_object(stranger)
        response = caller.get(client, self.url)
        assert response.status_code == 200, response.content
        ids = [item["id"] for item in response.json()["results"]]
        assert own.pk in ids
        assert theirs.pk not in ids

    def test_another_partners_object_is_404(self, client, caller, stranger):
        theirs = self.make_object(stranger)
        response = caller.get(client, f"{self.url}{theirs.pk}/")
        assert response.status_code == 404
        own = self.make_object(caller)
        assert caller.get(client, f"{self.url}{own.pk}/").status_code == 200
