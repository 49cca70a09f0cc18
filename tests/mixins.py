"""
Contracts every OIOI call and REST endpoint test inherits: the anonymous, wrong-key,
wrong-role and wrong-partner cases are built in, so a per-call test only declares its data.
"""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import services
from partners import services as partner_services
from partners.models import AuditLogEntry, Role
from tests.factories import PartnerFactory, PartnerIdentifierFactory, issue_key
from tests.helpers import PartnerWithKey, oioi_post

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
        _, key = issue_key(caller.partner, partner_identifiers=[second])
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


# --- Partner portal ---------------------------------------------------------------------------

PORTAL_PASSWORD = "a-Portal-passw0rd"


def portal_user(partner, username, *, admin=False):
    """A portal user of ``partner`` with the password PORTAL_PASSWORD."""
    return partner_services.portal_user_create(
        partner, username, password=PORTAL_PASSWORD, is_partner_admin=admin
    )


def xlsx_rows(response):
    """The rows of an .xlsx download's first sheet, as openpyxl reads them (typed cells)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].iter_rows())
    # Our exports hold data only: text a partner chose is never written as a formula.
    assert not [cell.coordinate for row in rows for cell in row if cell.data_type == "f"]
    return [tuple(cell.value for cell in row) for row in rows]


def portal_partner(name, roles):
    return PartnerFactory(
        name=name,
        slug=name.lower().replace(" ", "-"),
        **{flag: role in roles for role, flag in ROLE_FLAGS.items()},
    )


class PortalPageContract:
    """
    The contract every portal page test inherits. Subclasses set ``roles`` (the partner roles
    the page is for; empty: any) and define ``make_rows(partner, count)``, creating ``count``
    rows of what the page shows for ``partner``, ``url(rows)``, the page showing them, and
    ``row_text(row)``, a text only that row puts on the page. ``detail`` pages name one object:
    another partner gets 404. ``exports`` pages stream ``?export=csv`` and ``?export=xlsx``.
    """

    roles: frozenset = frozenset()
    partner_admin_only = False
    detail = False
    exports = False

    def make_rows(self, partner, count):
        raise NotImplementedError

    def url(self, rows):
        raise NotImplementedError

    def row_text(self, row):
        raise NotImplementedError

    @pytest.fixture
    def owner(self, db):
        return portal_partner("Owner", self.roles or {Role.CPO})

    @pytest.fixture
    def owner_client(self, client, owner):
        client.force_login(portal_user(owner, "owner-user", admin=True))
        return client

    @pytest.fixture
    def stranger(self, db):
        return portal_partner("Stranger", self.roles or {Role.CPO})

    def download(self, response, export):
        """A download's content as text: the CSV, or the workbook's cells one per line."""
        assert response.status_code == 200
        assert response.streaming
        if export == "xlsx":
            rows = xlsx_rows(response)
            return "\n".join(str(value) for row in rows for value in row)
        return b"".join(response.streaming_content).decode("utf-8")

    def test_owner_sees_its_rows(self, owner_client, owner):
        rows = self.make_rows(owner, 2)
        response = owner_client.get(self.url(rows))
        assert response.status_code == 200
        page = response.content.decode()
        for row in rows:
            assert self.row_text(row) in page
        # Every form field has a label people can read.
        assert "[invalid name]" not in page

    def test_anonymous_is_sent_to_sign_in(self, client, owner):
        url = self.url(self.make_rows(owner, 1))
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

    def test_staff_without_partner_gets_a_page_saying_so(self, client, owner, admin_user):
        url = self.url(self.make_rows(owner, 1))
        client.force_login(admin_user)
        response = client.get(url)
        assert response.status_code == 403
        assert "belongs to no partner" in response.content.decode()

    def test_user_of_an_inactive_partner_is_refused(self, client, owner):
        rows = self.make_rows(owner, 1)
        client.force_login(portal_user(owner, "member", admin=True))
        owner.is_active = False
        owner.save()
        response = client.get(self.url(rows))
        assert response.status_code == 403
        assert self.row_text(rows[0]) not in response.content.decode()

    def test_another_partners_user_sees_none_of_it(self, client, owner, stranger):
        rows = self.make_rows(owner, 2)
        client.force_login(portal_user(stranger, "stranger-user", admin=True))
        response = client.get(self.url(rows))
        if self.detail:
            assert response.status_code == 404
            return
        assert response.status_code == 200
        page = response.content.decode()
        for row in rows:
            assert self.row_text(row) not in page
        for export in ("csv", "xlsx") if self.exports else ():
            separator = "&" if "?" in self.url(rows) else "?"
            response = client.get(f"{self.url(rows)}{separator}export={export}")
            content = self.download(response, export)
            for row in rows:
                assert self.row_text(row) not in content

    def test_other_roles_get_404(self, client, owner):
        rows = self.make_rows(owner, 1)
        for role in set(Role) - set(self.roles) if self.roles else ():
            member = portal_partner(f"Only {role}", {role})
            client.force_login(portal_user(member, f"user-{role}"))
            assert client.get(self.url(rows)).status_code == 404, role
        if not self.roles:
            for role in Role:
                member = portal_partner(f"Any {role}", {role})
                client.force_login(portal_user(member, f"user-{role}", admin=True))
                assert client.get(self.url(rows)).status_code in (200, 404)

    def test_non_admin_users_of_the_partner(self, client, owner):
        rows = self.make_rows(owner, 1)
        client.force_login(portal_user(owner, "plain-user"))
        expected = 404 if self.partner_admin_only else 200
        assert client.get(self.url(rows)).status_code == expected

    def test_queries_do_not_grow_with_the_rows(
        self, owner_client, owner, django_assert_max_num_queries
    ):
        few = self.make_rows(owner, 2)
        with CaptureQueriesContext(connection) as baseline:
            assert owner_client.get(self.url(few)).status_code == 200
        many = few + self.make_rows(owner, 25)
        with django_assert_max_num_queries(len(baseline.captured_queries)):
            response = owner_client.get(self.url(many))
        assert response.status_code == 200
