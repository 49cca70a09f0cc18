"""/api/v1/sessions/ and the sessions admin: each partner sees the sessions it asked for or runs."""

import pytest

from partners.models import Role
from sessions_app.models import ChargingSession, Reservation
from tests.factories import ConnectorFactory, ContractFactory
from tests.mixins import RestEndpointContract, partner_with_roles

URL = "/api/v1/sessions/"


def make_session(requested_by, connector, **fields):
    contract = ContractFactory(provider=requested_by)
    return ChargingSession.objects.create(
        requested_by=requested_by,
        cpo=connector.station.owner,
        contract=contract,
        connector=connector,
        evse_id=connector.evse_id,
        user_identifier_type="evco-id",
        user_identifier=contract.evco_id,
        **fields,
    )


class TestSessionsRestContract(RestEndpointContract):
    url = URL

    @pytest.fixture(autouse=True)
    def _connector(self, connector):
        self.connector = connector

    def make_object(self, caller):
        return make_session(caller.partner, self.connector)


def test_cpo_sees_the_sessions_run_at_its_stations(client, connector, remote_cpo):
    emp = partner_with_roles("Session EMP", {Role.EMP})
    session = make_session(emp.partner, connector, cpo_session_id="C-1", state="started")
    cpo = partner_with_roles("Viewer CPO", {Role.CPO})
    ChargingSession.objects.filter(pk=session.pk).update(cpo=cpo.partner)
    body = cpo.get(
        client, URL, data={"state": "started", "evse_id": connector.evse_id.lower()}
    ).json()
    assert [item["cpo_session_id"] for item in body["results"]] == ["C-1"]
    assert body["results"][0]["evco_id"] == session.contract.evco_id
    assert emp.get(client, URL, data={"state": "stopped"}).json()["results"] == []


def test_list_costs_a_constant_number_of_queries(
    client, connector, remote_cpo, django_assert_max_num_queries
):
    emp = partner_with_roles("Busy EMP", {Role.EMP})
    emp.get(client, URL)
    for _ in range(20):
        make_session(emp.partner, connector)
    with django_assert_max_num_queries(3):
        response = emp.get(client, URL)
    assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("model", ["chargingsession", "reservation"])
def test_admin_lists_are_read_only(support_client, connector, model):
    emp = partner_with_roles("Admin EMP", {Role.EMP})
    session = make_session(emp.partner, connector, cpo_session_id="ADMIN-1")
    reservation = Reservation.objects.create(
        requested_by=emp.partner, cpo=connector.station.owner, connector=connector, evse_id="x"
    )
    obj = session if model == "chargingsession" else reservation
    url = f"/admin/sessions_app/{model}/"
    assert support_client.get(url).status_code == 200
    assert support_client.get(f"{url}{obj.pk}/change/").status_code == 200
    assert support_client.get(f"{url}add/").status_code == 403
    assert support_client.post(f"{url}{obj.pk}/delete/", {"post": "yes"}).status_code == 403


def test_admin_search_by_cpo_session_id(superuser_client, connector):
    emp = partner_with_roles("Search EMP", {Role.EMP})
    make_session(emp.partner, connector, cpo_session_id="FIND-ME")
    other = ConnectorFactory(station__owner=connector.station.owner, evse_id="DE*RMT*E0042")
    make_session(emp.partner, other, cpo_session_id="NOT-ME")
    page = superuser_client.get("/admin/sessions_app/chargingsession/", {"q": "FIND-ME"})
    assert b"FIND-ME" in page.content and b"NOT-ME" not in page.content


def test_reservation_pages_are_titled_without_none(support_client, connector):
    emp = partner_with_roles("Title EMP", {Role.EMP})
    reservation = Reservation.objects.create(
        requested_by=emp.partner, cpo=connector.station.owner, connector=connector, evse_id="x"
    )
    page = support_client.get(f"/admin/sessions_app/reservation/{reservation.pk}/change/")
    assert "<h2>x open-ended (requested)</h2>" in page.content.decode()
    assert "None" not in str(reservation)
