"""Remote start / stop and reservations through our endpoint, forwarded to a real CPO server."""

import time

import pytest

from partners.models import AuditLogEntry, Role
from sessions_app.models import ChargingSession, Reservation
from tests.factories import ConnectorFactory, ContractFactory, PartnerFactory
from tests.mixins import OIOICallContract, partner_with_roles
from tests.partner_server import free_port


@pytest.fixture
def emp(db):
    return partner_with_roles("Remote EMP", {Role.EMP})


@pytest.fixture
def contract(emp):
    return ContractFactory(provider=emp.partner)


def start(client, caller, contract, connector, **extra):
    payload = {"user": evco_user(contract), "connector-id": connector.evse_id}
    return caller.post(client, "session-start", payload, **extra)


def evco_user(contract):
    return {"identifier-type": "evco-id", "identifier": contract.evco_id}


def result(response):
    assert response.status_code == 200, response.content
    return response.json()["result"]["code"]


# --- Contracts: keys and roles ------------------------------------------------------------


class RemoteCallContract(OIOICallContract):
    roles = frozenset({Role.EMP, Role.OEM})

    @pytest.fixture(autouse=True)
    def _cpo(self, connector):
        self.connector = connector


class TestSessionStartContract(RemoteCallContract):
    call = "session-start"

    def payload(self, caller):
        contract = ContractFactory(provider=caller.partner)
        return {"user": evco_user(contract), "connector-id": self.connector.evse_id}


class TestSessionStopContract(RemoteCallContract):
    call = "session-stop"

    def payload(self, caller):
        contract = ContractFactory(provider=caller.partner)
        ChargingSession.objects.create(
            requested_by=caller.partner,
            cpo=self.connector.station.owner,
            contract=contract,
            connector=self.connector,
            evse_id=self.connector.evse_id,
            user_identifier_type="evco-id",
            user_identifier=contract.evco_id,
            state=ChargingSession.State.STARTED,
        )
        return {"user": evco_user(contract), "connector-id": self.connector.evse_id}

    def test_valid_call_succeeds(self, client, caller):
        # The simulator knows no session it did not start: it answers 182, relayed.
        response = caller.post(client, self.call, self.payload(caller))
        assert result(response) == 182


class TestReservationStartContract(RemoteCallContract):
    call = "reservation-start"

    def payload(self, caller):
        contract = ContractFactory(provider=caller.partner)
        return {
            "connector-id": self.connector.evse_id,
            "identifier": [{"evco-id": contract.evco_id}],
        }


class TestReservationStopContract(RemoteCallContract):
    call = "reservation-stop"

    def payload(self, caller):
        contract = ContractFactory(provider=caller.partner)
        return {"identifier-type": "evco-id", "identifier": contract.evco_id}

    def test_valid_call_succeeds(self, client, caller):
        assert result(caller.post(client, self.call, self.payload(caller))) == 189


# --- session-start -----------------------------------------------------------------------


def test_start_is_forwarded_with_our_key_and_the_cpos_answer_relayed(
    client, emp, contract, connector, simulator
):
    response = start(client, emp, contract, connector, HTTP_X_CORRELATION_ID="tap-start-1")
    assert result(response) == 0
    answer = response.json()["session-start"]
    assert answer["session-id"].startswith("SIM-") and answer["is-stoppable"] is True
    # The simulator refuses any key but the one the CPO gave us (it would answer 210).
    assert simulator.received == [
        ("session-start", {"user": evco_user(contract), "connector-id": connector.evse_id})
    ]
    session = ChargingSession.objects.get()
    assert session.state == ChargingSession.State.STARTED
    assert (session.requested_by, session.cpo, session.contract) == (
        emp.partner,
        connector.station.owner,
        contract,
    )
    assert session.cpo_session_id == answer["session-id"] and session.is_stoppable is True
    # One start is traceable across both partners: same correlation id, new request id.
    inbound = AuditLogEntry.objects.get(request_id=response["X-Request-ID"])
    outbound = AuditLogEntry.objects.get(direction="out", call="session-start")
    assert inbound.correlation_id == outbound.correlation_id == "tap-start-1"
    assert outbound.request_id != inbound.request_id
    assert outbound.partner == connector.station.owner


def test_cpo_refusal_is_relayed(client, emp, contract, connector, simulator):
    simulator.start_code = 320
    response = start(client, emp, contract, connector)
    assert result(response) == 320
    assert "session-start" not in response.json()
    assert ChargingSession.objects.get().state == ChargingSession.State.FAILED


def test_slow_cpo_is_302_within_the_bound(client, emp, contract, connector, simulator, settings):
    settings.OIOI_FORWARD_TIMEOUT_SECONDS = 1
    simulator.delay = 4
    started = time.monotonic()
    response = start(client, emp, contract, connector)
    assert time.monotonic() - started < 2
    assert result(response) == 302
    session = ChargingSession.objects.get()
    assert (session.state, session.result_code) == (ChargingSession.State.FAILED, 302)


def test_unreachable_cpo_is_300(client, emp, contract, connector):
    cpo = connector.station.owner
    cpo.endpoint_url = f"http://127.0.0.1:{free_port()}/oioi"
    cpo.save()
    assert result(start(client, emp, contract, connector)) == 300
    assert ChargingSession.objects.get().result_code == 300


def test_cpo_answering_garbage_is_300(client, emp, contract, connector, partner_server):
    partner_server.answer(body=b"<html>502 Bad Gateway</html>", status=502)
    cpo = connector.station.owner
    cpo.endpoint_url = partner_server.url
    cpo.save()
    assert result(start(client, emp, contract, connector)) == 300


@pytest.mark.parametrize("where", ["unknown", "deleted", "hidden", "others_private"])
def test_unknown_evse_is_181_and_nothing_is_forwarded(
    client, emp, contract, remote_cpo, simulator, where
):
    if where == "unknown":
        evse_id = "DE*RMT*E9999"
    else:
        flags = {
            "deleted": {"station__is_deleted": True},
            "hidden": {"station__is_hidden": True},
            "others_private": {"station__is_private": True},
        }[where]
        evse_id = ConnectorFactory(
            station__owner=remote_cpo, evse_id="DE*RMT*E0777", **flags
        ).evse_id
    payload = {"user": evco_user(contract), "connector-id": evse_id}
    assert result(emp.post(client, "session-start", payload)) == 181
    assert simulator.received == []
    assert not ChargingSession.objects.exists()


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("unknown", 140),
        ("other_provider", 140),
        ("platform_contract", 140),
        ("blocked", 192),
        ("deactivated", 191),
        ("no_payment", 193),
    ],
)
def test_customer_checks(client, emp, connector, simulator, setup, code):
    if setup == "unknown":
        user = {"identifier-type": "evco-id", "identifier": "DE*ZZZ*999999*9"}
    else:
        provider = {
            "other_provider": PartnerFactory(name="Other EMP", is_cpo=False, is_emp=True),
            "platform_contract": None,
        }.get(setup, emp.partner)
        contract = ContractFactory(
            provider=provider,
            customer__has_valid_payment_method=setup != "no_payment",
            charging_keys={"blocked": ("blocked",), "deactivated": ("inactive",)}.get(
                setup, ("active",)
            ),
        )
        user = evco_user(contract)
    response = emp.post(client, "session-start", {"user": user, "connector-id": connector.evse_id})
    assert result(response) == code
    assert simulator.received == []


def test_evco_id_in_any_written_form_and_by_rfid(client, emp, contract, connector):
    written = contract.evco_id.replace("*", "-").lower()
    payload = {"user": {"identifier-type": "evco-id", "identifier": written}}
    assert (
        result(emp.post(client, "session-start", {**payload, "connector-id": connector.evse_id}))
        == 0
    )
    uid = contract.charging_keys.get().uid.lower()
    payload = {"user": {"identifier-type": "rfid", "identifier": uid}}
    assert (
        result(emp.post(client, "session-start", {**payload, "connector-id": connector.evse_id}))
        == 0
    )


def test_malformed_start_is_400_naming_the_field(client, emp, contract, connector):
    response = emp.post(
        client, "session-start", {"user": {"identifier": "x"}, "connector-id": connector.evse_id}
    )
    assert response.status_code == 400
    assert "session-start.user.identifier-type" in response.json()["result"]["message"]
    assert not ChargingSession.objects.exists()


# --- session-stop ------------------------------------------------------------------------


def test_stop_is_forwarded_with_the_cpos_session_id(client, emp, contract, connector, simulator):
    session_id = start(client, emp, contract, connector).json()["session-start"]["session-id"]
    payload = {
        "user": evco_user(contract),
        "connector-id": connector.evse_id,
        "session-id": session_id,
    }
    assert result(emp.post(client, "session-stop", payload)) == 0
    assert simulator.received[-1] == ("session-stop", payload)
    session = ChargingSession.objects.get()
    assert session.state == ChargingSession.State.STOPPED and session.stopped_at is not None
    # Stopped already: there is no running session any more.
    assert result(emp.post(client, "session-stop", payload)) == 182


def test_stop_without_session_id_means_the_running_session(
    client, emp, contract, connector, simulator
):
    start(client, emp, contract, connector)
    payload = {"user": evco_user(contract), "connector-id": connector.evse_id}
    assert result(emp.post(client, "session-stop", payload)) == 0
    assert simulator.received[-1][1]["session-id"] == ChargingSession.objects.get().cpo_session_id


def test_stop_codes(client, emp, contract, connector, simulator):
    payload = {"user": evco_user(contract), "connector-id": connector.evse_id}
    assert result(emp.post(client, "session-stop", {**payload, "session-id": "NOPE"})) == 182
    assert (
        result(emp.post(client, "session-stop", {**payload, "connector-id": "DE*RMT*E404"})) == 181
    )
    start(client, emp, contract, connector)
    ChargingSession.objects.update(is_stoppable=False)
    assert result(emp.post(client, "session-stop", payload)) == 188
    assert [call for call, _ in simulator.received] == ["session-start"]


def test_a_partner_cannot_stop_another_partners_session(
    client, emp, contract, connector, simulator
):
    session_id = start(client, emp, contract, connector).json()["session-start"]["session-id"]
    other = partner_with_roles("Other OEM", {Role.OEM})
    payload = {
        "user": evco_user(contract),
        "connector-id": connector.evse_id,
        "session-id": session_id,
    }
    assert result(other.post(client, "session-stop", payload)) == 182
    assert ChargingSession.objects.get().state == ChargingSession.State.STARTED


# --- Reservations ------------------------------------------------------------------------


def reserve(client, caller, connector, *contracts, evco_ids=None):
    ids = evco_ids or [c.evco_id for c in contracts]
    payload = {"connector-id": connector.evse_id, "identifier": [{"evco-id": e} for e in ids]}
    return caller.post(client, "reservation-start", payload)


def test_reservation_is_forwarded_and_stored_with_its_end(
    client, emp, contract, connector, simulator
):
    response = reserve(client, emp, connector, contract)
    assert result(response) == 0
    end = response.json()["reservation-start"]["end"]
    reservation = Reservation.objects.get()
    assert reservation.state == Reservation.State.ACTIVE
    assert reservation.end_at.isoformat() == end
    assert list(reservation.contracts.all()) == [contract]
    assert simulator.received[-1][0] == "reservation-start"


def test_reservation_codes(client, emp, contract, connector, remote_cpo, simulator):
    assert result(reserve(client, emp, connector, evco_ids=["not-an-evco"])) == 190
    foreign = ContractFactory(provider=None)
    assert result(reserve(client, emp, connector, foreign)) == 191
    plain = ConnectorFactory(
        station__owner=remote_cpo, evse_id="DE*RMT*E0002", station__is_reservable=False
    )
    assert result(reserve(client, emp, plain, contract)) == 330
    assert result(reserve(client, emp, connector, contract)) == 0
    # The same customer elsewhere, and someone else at the same EVSE.
    elsewhere = ConnectorFactory(
        station__owner=remote_cpo, evse_id="DE*RMT*E0003", station__is_reservable=True
    )
    assert result(reserve(client, emp, elsewhere, contract)) == 194
    assert result(reserve(client, emp, connector, ContractFactory(provider=emp.partner))) == 323
    assert [call for call, _ in simulator.received] == ["reservation-start"]
    assert Reservation.objects.count() == 1


def test_reservation_stop_finds_the_callers_reservation(
    client, emp, contract, connector, simulator
):
    reserve(client, emp, connector, contract)
    written = contract.evco_id.replace("*", "")
    payload = {"identifier-type": "evco-id", "identifier": written}
    assert result(emp.post(client, "reservation-stop", payload)) == 0
    assert simulator.received[-1] == ("reservation-stop", payload)
    assert Reservation.objects.get().state == Reservation.State.STOPPED
    assert result(emp.post(client, "reservation-stop", payload)) == 189


def test_reservation_stop_by_rfid_and_not_for_others(client, emp, contract, connector, simulator):
    uid = contract.charging_keys.get().uid
    payload = {
        "connector-id": connector.evse_id,
        "identifier": [{"evco-id": contract.evco_id, "rfid": uid}],
    }
    assert result(emp.post(client, "reservation-start", payload)) == 0
    other = partner_with_roles("Other OEM", {Role.OEM})
    stop = {"identifier-type": "rfid", "identifier": uid.lower()}
    assert result(other.post(client, "reservation-stop", stop)) == 189
    assert result(emp.post(client, "reservation-stop", stop)) == 0


def test_reservations_show_in_the_station_read_calls(client, emp, contract, connector, simulator):
    end = reserve(client, emp, connector, contract).json()["reservation-start"]["end"]
    other = partner_with_roles("Map OEM", {Role.OEM})
    station = connector.station
    box = {"min-lat": 52.0, "max-lat": 53.0, "min-long": 13.0, "max-long": 14.0}
    for caller, own in ((emp, True), (other, False)):
        (found,) = caller.post(client, "station-get-surface", box).json()["stations"]
        assert found["connector-reservations"] == {str(connector.pk): {"end": end, "own": own}}
        body = caller.post(client, "station-get-by-ids", {"station-ids": [station.pk]}).json()
        (detail,) = body["stations"][0]["connectors"]
        assert detail["reservation"] == {"end": end, "own": own}
    # Once stopped, the EVSE shows free again.
    payload = {"identifier-type": "evco-id", "identifier": contract.evco_id}
    assert result(emp.post(client, "reservation-stop", payload)) == 0
    (found,) = emp.post(client, "station-get-surface", box).json()["stations"]
    assert "connector-reservations" not in found
