"""
Remote start and stop for an OEM's app user named by username or token (docs/oioi.md, "OEM
app users"): the CPO is asked for the app contract, and never sees the token.
"""

import pytest

from partners.models import Role
from sessions_app.models import ChargingSession
from tests.app_users.helpers import by_token, by_username, register
from tests.mixins import partner_with_roles


@pytest.fixture
def oem(db):
    return partner_with_roles("App OEM", {Role.OEM})


def code(response):
    assert response.status_code == 200, response.content
    return response.json()["result"]["code"]


def test_start_and_stop_by_token_use_the_app_contract(client, oem, connector, simulator):
    user, token = register(oem)
    payload = {"user": by_token(token), "connector-id": connector.evse_id}
    assert code(oem.post(client, "session-start", payload)) == 0
    evco_user = {"identifier-type": "evco-id", "identifier": user.contract.evco_id}
    assert simulator.received == [
        ("session-start", {"user": evco_user, "connector-id": connector.evse_id})
    ]
    session = ChargingSession.objects.get()
    assert (session.contract, session.requested_by) == (user.contract, oem.partner)
    stop = {"user": by_username(user, token), "connector-id": connector.evse_id}
    oem.post(client, "session-stop", stop)
    assert simulator.received[-1][0] == "session-stop"
    assert token not in str(simulator.received)


def test_app_user_refusals_on_session_start(client, oem, connector, simulator):
    user, token = register(oem)
    other = partner_with_roles("Other OEM", {Role.OEM})
    theirs, their_token = register(other, "jane")
    cases = [
        (by_token("0" * 32), 145),
        (by_token(their_token), 145),
        (by_username(theirs, their_token), 144),
        ({**by_username(user, token), "token": ""}, 145),
    ]
    for user_object, expected in cases:
        payload = {"user": user_object, "connector-id": connector.evse_id}
        assert code(oem.post(client, "session-start", payload)) == expected, user_object
    assert simulator.received == []
    assert not ChargingSession.objects.exists()
