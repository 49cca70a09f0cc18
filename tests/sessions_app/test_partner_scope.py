"""
The one partner-scope rule of charging sessions (``ChargingSessionQuerySet.for_partner``): the
REST API shows a partner the sessions it asked for and those run at its stations, the portal's
sessions page only those it asked for; another partner's never.
"""

import pytest

from partners.models import Role
from sessions_app.models import ChargingSession
from tests.factories import ChargingSessionFactory, ConnectorFactory
from tests.mixins import partner_with_roles, portal_user


@pytest.fixture
def world(db):
    """A partner that is CPO and EMP, a plain CPO and EMP, and a session between each pair."""
    both = partner_with_roles("Both", {Role.CPO, Role.EMP})
    cpo = partner_with_roles("Plain CPO", {Role.CPO})
    emp = partner_with_roles("Plain EMP", {Role.EMP})
    sessions = {
        "emp@both": ChargingSessionFactory(
            requested_by=emp.partner, connector=ConnectorFactory(station__owner=both.partner)
        ),
        "both@cpo": ChargingSessionFactory(
            requested_by=both.partner, connector=ConnectorFactory(station__owner=cpo.partner)
        ),
        "emp@cpo": ChargingSessionFactory(
            requested_by=emp.partner, connector=ConnectorFactory(station__owner=cpo.partner)
        ),
    }
    return {"both": both, "cpo": cpo, "emp": emp, "sessions": sessions}


def names(world, ids):
    by_pk = {session.pk: name for name, session in world["sessions"].items()}
    return {by_pk[pk] for pk in ids}


# viewer -> (what the REST API shows it, what the portal shows it)
EXPECTED = {
    "both": ({"emp@both", "both@cpo"}, {"both@cpo"}),
    "cpo": ({"both@cpo", "emp@cpo"}, set()),
    "emp": ({"emp@both", "emp@cpo"}, {"emp@both", "emp@cpo"}),
}


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_the_rule(world, viewer):
    partner = world[viewer].partner
    rest, portal = EXPECTED[viewer]
    scoped = ChargingSession.objects.for_partner(partner)
    assert names(world, scoped.values_list("pk", flat=True)) == rest
    asked = ChargingSession.objects.for_partner(partner, as_cpo=False)
    assert names(world, asked.values_list("pk", flat=True)) == portal


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_rest_shows_the_rule(client, world, viewer):
    response = world[viewer].get(client, "/api/v1/sessions/")
    assert response.status_code == 200, response.content
    ids = [item["id"] for item in response.json()["results"]]
    assert names(world, ids) == EXPECTED[viewer][0]


@pytest.mark.parametrize("viewer", ["both", "emp"])
def test_the_portal_shows_the_rule(client, world, viewer):
    client.force_login(portal_user(world[viewer].partner, f"{viewer}-user"))
    response = client.get("/portal/sessions/")
    assert response.status_code == 200
    ids = [session.pk for session in response.context["sessions"]]
    assert names(world, ids) == EXPECTED[viewer][1]
