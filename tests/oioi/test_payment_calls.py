"""
The payment calls, which need a payment provider the platform does not have (docs/oioi.md,
"Not supported: payments"): known names, answered right after the API key check for any role.
"""

import re
from pathlib import Path

import pytest

from oioi.registry import registry
from oioi.unsupported import PAYMENT_CALLS
from partners.models import AuditLogEntry, Role
from tests.helpers import oioi_post
from tests.mixins import partner_with_roles

DOCS = Path(__file__).resolve().parents[2] / "docs" / "oioi.md"
PAYMENT_SECTION = re.compile(r"### Not supported: payments\n(.*?)(?:\n#|\Z)", re.DOTALL)


def test_the_names_are_those_docs_oioi_md_lists():
    section = PAYMENT_SECTION.search(DOCS.read_text()).group(1)
    listed = set(re.findall(r"`([a-z][a-z-]+)`", section))
    assert listed == PAYMENT_CALLS
    assert not PAYMENT_CALLS & set(registry.names())


@pytest.mark.parametrize("call", sorted(PAYMENT_CALLS))
def test_each_payment_call_is_230_for_every_role(client, db, call):
    for role in Role:
        partner = partner_with_roles(f"Any {role}", {role})
        # Whatever the payload: nothing of it is read.
        for payload in ({}, {"user": {"identifier-type": "token"}}, [1, 2]):
            response = partner.post(client, call, payload)
            assert response.status_code == 400, response.content
            result = response.json()["result"]
            assert result["code"] == 230
            assert result["message"] == f"{call} is not supported by this platform."
        entry = AuditLogEntry.objects.filter(partner=partner.partner).latest("id")
        assert (entry.call, entry.http_status, entry.result_code) == (call, 400, 230)


@pytest.mark.parametrize("call", sorted(PAYMENT_CALLS))
def test_the_api_key_is_checked_first(client, db, call):
    response = oioi_post(client, None, call, {})
    assert (response.status_code, response.json()["result"]["code"]) == (401, 210)
    response = oioi_post(client, "nokey.secret", call, {})
    assert (response.status_code, response.json()["result"]["code"]) == (401, 210)


def test_an_unknown_call_is_still_unknown(client, db):
    partner = partner_with_roles("Caller", {Role.EMP})
    response = partner.post(client, "user-get-coffee", {})
    assert response.status_code == 400
    assert response.json()["result"]["message"] == "Unknown call 'user-get-coffee'."


# Every call of the public OIOI v4 documentation (neok/oioi-documentation, docs/calls/).
DOCUMENTED_CALLS = {
    "adyen-setup",
    "adyen-verify",
    "api-minimum-version-number",
    "company-get-images",
    "connector-post-status",
    "fleet-post-cards",
    "fleet-post-members",
    "reservation-start",
    "reservation-stop",
    "rfid-post",
    "rfid-verify",
    "session-post",
    "session-start",
    "session-stop",
    "station-get-by-ids",
    "station-get-surface",
    "station-get-usage",
    "station-post",
    "tariffs-get-by-station-ids",
    "user-add-creditcard",
    "user-add-payment",
    "user-add-rfid",
    "user-block-rfid",
    "user-change-password",
    "user-charging-key-activate",
    "user-charging-key-deactivate",
    "user-get-bills",
    "user-get-charging-keys",
    "user-get-details",
    "user-get-payment-methods",
    "user-get-recent-sessions",
    "user-get-recent-stations",
    "user-logout",
    "user-manage-subscription",
    "user-post-details",
    "user-register",
    "user-reset",
    "user-subscription-get-active",
    "user-subscription-plans-get",
    "user-unblock-rfid",
    "user-verify",
    "vehicle-get-all",
}
README_CALLS = re.compile(r"## OIOI v4 calls and their status\n(.*?)\n## ", re.DOTALL)


def test_the_readme_lists_every_call_with_its_status():
    readme = (DOCS.parents[1] / "README.md").read_text()
    rows = [
        line for line in README_CALLS.search(readme).group(1).splitlines() if line.startswith("| `")
    ]
    status = {}
    for row in rows:
        names, _, row_status = row.strip("|").split("|")
        for name in re.findall(r"`([a-z][a-z-]+)`", names):
            status[name] = row_status.strip()
    assert set(status) == DOCUMENTED_CALLS | set(registry.names())
    for name in registry.names():
        assert status[name].startswith("supported"), name
    for name in PAYMENT_CALLS:
        assert status[name].startswith("not supported"), name
