"""session-post through the real endpoint: every rule of docs/oioi.md's session-post."""

from datetime import timedelta
from decimal import Decimal

import pytest

from cdrs.models import CDR, CDRRevision
from partners.models import Role
from sessions_app.models import ChargingSession
from tests.cdrs.helpers import START, cdr_payload, iso, post_cdr, snapshot
from tests.factories import ConnectorFactory, PartnerFactory, make_key
from tests.helpers import codes, in_parallel
from tests.mixins import OIOICallContract, PartnerIdentifierContract


class TestSessionPostContract(OIOICallContract, PartnerIdentifierContract):
    call = "session-post"
    roles = frozenset({Role.CPO})
    uses_partner_identifier = True

    def payload(self, caller):
        return cdr_payload(caller)


def test_partial_then_final(client, cpo):
    opened = post_cdr(client, cpo, final=False, **{"energy-consumed": "3.5"})
    assert opened.state == CDR.State.OPEN and opened.final_at is None
    assert opened.session_stop is None and opened.charging_stop is None
    assert opened.energy_kwh == Decimal("3.5")

    final = post_cdr(client, cpo)

    assert final.pk == opened.pk
    assert final.state == CDR.State.FINAL and final.final_at is not None
    assert final.session_start == START
    assert final.session_stop == START + timedelta(hours=1)
    assert final.charging_stop == START + timedelta(minutes=55)
    assert final.energy_kwh == Decimal("12.3456")
    assert (final.cost_amount, final.cost_currency) == (Decimal("7.40"), "EUR")
    assert final.partner_identifier == cpo.identifier
    assert [r.number for r in final.revisions.all()] == [1, 2]
    assert CDR.objects.count() == 1


def test_every_accepted_post_is_a_revision_as_received(client, cpo):
    payload = cdr_payload(cpo, final=False, **{"energy-consumed": 7.199999999999999, "x-new": 1})
    response = cpo.post(client, "session-post", payload)
    assert response.json() == {"reason": None, "result": {"code": 0, "message": "Success."}}
    (revision,) = CDRRevision.objects.all()
    assert revision.payload == payload
    assert revision.key_prefix == cpo.api_key.prefix
    assert revision.request_id == response["X-Request-ID"]
    # More places than kept are rounded half-even; the revision keeps what was sent.
    assert revision.cdr.energy_kwh == Decimal("7.200000")


def test_money_and_energy_are_exact_decimals(client, cpo):
    cdr = post_cdr(
        client,
        cpo,
        **{
            "energy-consumed": 0.1,
            "calculated-cost": {"amount": 0.3, "currency": "eur"},
        },
    )
    cdr.refresh_from_db()
    assert cdr.energy_kwh == Decimal("0.1")
    assert (cdr.cost_amount, cdr.cost_currency) == (Decimal("0.3"), "EUR")


def test_identical_final_repost_is_a_no_op(client, cpo):
    cdr = post_cdr(client, cpo)
    before = snapshot()
    # The same data, the EVSE id and UID written in other forms.
    payload = cdr_payload(
        cpo,
        **{
            "connector-id": "de8pse1001",
            "user": {"identifier-type": "rfid", "identifier": "04a1b2c3"},
            "energy-consumed": "12.345600",
        },
    )
    response = cpo.post(client, "session-post", payload)
    assert response.status_code == 200
    assert response.json()["result"]["code"] == 0
    assert "nothing changed" in response.json()["result"]["message"]
    assert snapshot() == before
    assert cdr.revisions.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"energy-consumed": 12.3457},
        {"calculated-cost": {"amount": "7.40", "currency": "CHF"}},
        {"connector-id": "DE*8PS*E1002"},
        {"session-interval": {"start": iso(START), "stop": iso(START + timedelta(hours=2))}},
        {"user": {"identifier-type": "evco-id", "identifier": "DE*8PS*123456*7"}},
    ],
)
def test_different_final_repost_is_refused_and_the_stored_cdr_stays(client, cpo, change):
    post_cdr(client, cpo)
    before = snapshot()
    response = cpo.post(client, "session-post", cdr_payload(cpo, **change))
    assert response.status_code == 400
    assert response.json()["result"]["code"] == 230
    assert "session-id" in response.json()["result"]["message"]
    assert snapshot() == before


def test_a_final_cdr_does_not_reopen(client, cpo):
    post_cdr(client, cpo)
    before = snapshot()
    response = cpo.post(client, "session-post", cdr_payload(cpo, final=False))
    assert (response.status_code, response.json()["result"]["code"]) == (400, 230)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {"session-interval": {"start": iso(START), "stop": iso(START - timedelta(seconds=1))}},
            "session-post.session-interval.stop",
        ),
        (
            {"charging-interval": {"start": iso(START), "stop": iso(START - timedelta(hours=1))}},
            "session-post.charging-interval.stop",
        ),
        ({"session-interval": {"start": "2026-03-02T08:00:00"}}, "session-interval.start"),
        ({"session-interval": {}}, "session-interval.start"),
        ({"connector-id": "DE*8PS"}, "connector-id"),
        ({"user": {"identifier-type": "rfid", "identifier": "04A1B2C"}}, "user.identifier"),
        ({"user": {"identifier-type": "evco-id", "identifier": "DE*8PS"}}, "user.identifier"),
        ({"user": {"identifier-type": "email", "identifier": "a@b"}}, "user.identifier-type"),
        ({"energy-consumed": -1}, "energy-consumed"),
        ({"energy-consumed": "NaN"}, "energy-consumed"),
        ({"energy-consumed": True}, "energy-consumed"),
        ({"energy-consumed": 1e30}, "energy-consumed"),
        ({"calculated-cost": {"amount": "x", "currency": "EUR"}}, "calculated-cost.amount"),
        ({"calculated-cost": {"amount": 1, "currency": "EURO"}}, "calculated-cost.currency"),
        ({"session-id": ""}, "session-id"),
        ({"session-id": None}, "session-id"),
        # Kept as received, so storable: no NUL even in a member otherwise ignored.
        ({"x-note": {"list": ["ok", "a\u0000b"]}}, "session-post.x-note.list[1]"),
        ({"x\u0000y": 1}, "session-post.x\\u0000y"),
    ],
)
def test_bad_input_is_230_naming_the_field_and_changes_nothing(client, cpo, fields, field):
    post_cdr(client, cpo, "S-0")
    before = snapshot()
    response = cpo.post(client, "session-post", cdr_payload(cpo, **fields))
    assert response.status_code == 400, response.content
    assert response.json()["result"]["code"] == 230
    assert field in response.json()["result"]["message"]
    assert snapshot() == before


def test_unknown_user_and_connector_are_stored_and_flagged(client, cpo):
    cdr = post_cdr(client, cpo)
    assert (cdr.unmatched_user, cdr.unmatched_connector, cdr.needs_review) == (True, True, True)
    assert cdr.connector is None and cdr.contract is None and cdr.recipient is None
    assert cdr.user_identifier == "04A1B2C3" and cdr.evse_id == "DE*8PS*E1001"


def test_matched_user_and_connector(client, cpo):
    connector = ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    key = make_key("04A1B2C3", "DE*8PS*123456*7")
    cdr = post_cdr(
        client,
        cpo,
        **{
            "connector-id": "de*8ps*e1001",
            "user": {"identifier-type": "rfid", "identifier": "04a1b2c3"},
        },
    )
    assert (cdr.connector, cdr.station) == (connector, connector.station)
    assert (cdr.charging_key, cdr.contract, cdr.customer) == (key, key.contract, key.customer)
    assert (cdr.user_identifier, cdr.user_identifier_normalized) == ("04a1b2c3", "04A1B2C3")
    assert (cdr.unmatched_user, cdr.unmatched_connector, cdr.needs_review) == (False,) * 3


def test_evco_id_in_any_form_matches_the_contract(client, cpo):
    key = make_key("04A1B2C3", "DE*8PS*123456*7")
    user = {"identifier-type": "evco-id", "identifier": "de-8ps-123456-7"}
    cdr = post_cdr(client, cpo, user=user)
    assert (cdr.contract, cdr.customer, cdr.charging_key) == (key.contract, key.customer, None)
    assert not cdr.unmatched_user


def test_another_cpos_connector_does_not_match(client, cpo, other_cpo):
    ConnectorFactory(station__owner=other_cpo.partner, evse_id="DE*8PS*E1001")
    cdr = post_cdr(client, cpo)
    assert cdr.connector is None and cdr.unmatched_connector


def test_a_connector_pushed_after_the_open_cdr_matches_on_the_final_post(client, cpo):
    opened = post_cdr(client, cpo, final=False)
    assert opened.unmatched_connector
    connector = ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    final = post_cdr(client, cpo)
    assert final.connector == connector and not final.unmatched_connector


def test_a_remote_session_with_the_same_cpo_session_id_is_linked(client, cpo, other_cpo):
    connector = ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    key = make_key()
    emp = PartnerFactory(name="Starter EMP", is_cpo=False, is_emp=True)
    session = ChargingSession.objects.create(
        requested_by=emp,
        cpo=cpo.partner,
        contract=key.contract,
        connector=connector,
        evse_id=connector.evse_id,
        user_identifier_type="evco-id",
        user_identifier=key.contract.evco_id,
        cpo_session_id="S-1",
        state=ChargingSession.State.STARTED,
    )
    # The CPO names the user by a token of its own: the remote start tells whose session it is.
    user = {"identifier-type": "token", "identifier": "app-token-42"}
    cdr = post_cdr(client, cpo, user=user)
    assert cdr.charging_session == session
    assert cdr.contract == key.contract and not cdr.unmatched_user
    # Another CPO's session with that id is not the same session.
    theirs = post_cdr(client, other_cpo, user=user)
    assert theirs.charging_session is None and theirs.unmatched_user


def test_the_same_session_id_of_two_cpos_is_two_cdrs(client, cpo, other_cpo):
    post_cdr(client, cpo)
    post_cdr(client, other_cpo)
    assert CDR.objects.count() == 2


@pytest.mark.parametrize("final", [False, True])
def test_session_post_costs_a_constant_number_of_queries(
    client, cpo, final, django_assert_max_num_queries
):
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    make_key(provider=PartnerFactory(name="Receiving EMP", is_cpo=False, is_emp=True))
    post_cdr(client, cpo, final=False)
    # Auth, audit, partner identifier, the locked read, matching (3), the write, the revision,
    # the daily totals (the old day's row less, the new one's more, made with a savepoint when
    # it is the day's first), and for a final CDR the user as its recipient sees it and its
    # delivery (its savepoints included); then the test reads the CDR.
    with django_assert_max_num_queries(24):
        post_cdr(client, cpo, final=final)
    with django_assert_max_num_queries(24):
        post_cdr(client, cpo, "S-2", final=final)


def post_concurrently(cpo, payload, count=4):
    """``count`` posts of ``payload`` at once, each on its own connection, committing."""
    posts = [lambda client: cpo.post(client, "session-post", payload)] * count
    return codes(in_parallel(*posts))


# Two CPO retries at once, for real: threads with their own connections and transactions.
@pytest.mark.django_db(transaction=True)
def test_concurrent_final_posts_of_one_session_make_one_cdr(cpo):
    answers = post_concurrently(cpo, cdr_payload(cpo))
    assert answers == [(200, 0)] * 4
    cdr = CDR.objects.get()
    assert cdr.state == CDR.State.FINAL
    # The first post made it; the others were identical re-posts of a final CDR.
    assert cdr.revisions.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_open_posts_of_one_session_are_one_cdr_with_every_revision(cpo):
    answers = post_concurrently(cpo, cdr_payload(cpo, final=False))
    assert answers == [(200, 0)] * 4
    cdr = CDR.objects.get()
    assert sorted(cdr.revisions.values_list("number", flat=True)) == [1, 2, 3, 4]
