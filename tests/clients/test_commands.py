"""`manage.py chargingkey create` (README, operator commands)."""

import io

import pytest
from django.core.management import CommandError, call_command

from clients.models import ChargingKey, Contract, Customer
from tests.clients.helpers import client_state, verify
from tests.factories import PartnerFactory
from tests.partners.test_commands import cli  # noqa: F401 (a child process on its own database)

pytestmark = pytest.mark.django_db


def chargingkey(*args):
    out = io.StringIO()
    call_command("chargingkey", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args):
    """Run the command expecting a refusal; return its one-line reason."""
    with pytest.raises(CommandError) as info:
        chargingkey(*args)
    message = str(info.value)
    assert message.strip() and "\n" not in message
    return message


@pytest.fixture
def providers(db):
    return {
        "emp": PartnerFactory(name="Roaming EMP", slug="roaming-emp", is_cpo=False, is_emp=True),
        "oem": PartnerFactory(name="Car Maker", slug="car-maker", is_cpo=False, is_oem=True),
        "cpo": PartnerFactory(name="Only CPO", slug="only-cpo", is_cpo=True),
    }


def test_create_a_platform_customers_key(client, cpo):
    output = chargingkey("create", "04a1b2c3", "--evco-id", "DE*8PS*123456*7")

    key = ChargingKey.objects.select_related("contract", "customer").get()
    assert (key.uid, key.state, key.contract.evco_id) == ("04A1B2C3", "active", "DE*8PS*123456*7")
    assert key.contract.provider is None and key.customer.has_valid_payment_method
    assert key.customer == key.contract.customer
    assert output == (
        "Created charging key 04A1B2C3 (active) for contract DE*8PS*123456*7 of the platform; "
        "its customer has a valid payment method.\n"
    )
    status, code, body = verify(client, cpo, "04A1B2C3")
    assert (code, body["evco-id"]) == (0, "DE*8PS*123456*7")


def test_create_blocked_and_without_payment_method(client, cpo):
    chargingkey("create", "04A1B2C3", "--evco-id", "DE*8PS*123456*7", "--blocked")
    chargingkey("create", "04A1B2C4", "--evco-id", "DE*8PS*123456*8", "--no-payment-method")

    blocked = ChargingKey.objects.get(uid="04A1B2C3")
    assert blocked.state == "blocked" and blocked.state_reason
    assert not ChargingKey.objects.get(uid="04A1B2C4").customer.has_valid_payment_method
    assert verify(client, cpo, "04A1B2C3")[1] == 192
    assert verify(client, cpo, "04A1B2C4")[1] == 193


@pytest.mark.parametrize(("partner", "role"), [("Roaming EMP", "emp"), ("car-maker", "oem")])
def test_create_a_partners_contract(providers, partner, role):
    output = chargingkey("create", "04A1B2C3", "--evco-id", "DE-ABC-123456-7", "--partner", partner)

    contract = ChargingKey.objects.get().contract
    assert contract.provider == providers[role]
    assert f"of partner {providers[role].name}" in output


@pytest.mark.parametrize(
    "written",
    ["DE*8PS*123456*7", "de-8ps-123456-7", "DE8PS1234567", "DE*8PS-123456*7", "de8ps123456-7"],
)
def test_a_second_key_joins_the_contract_whatever_its_evco_id_separators(written):
    chargingkey("create", "04A1B2C3", "--evco-id", "DE*8PS*123456*7")
    chargingkey("create", "04A1B2C4", "--evco-id", written)

    assert Contract.objects.count() == 1 and Customer.objects.count() == 1
    assert Contract.objects.get().charging_keys.count() == 2


@pytest.mark.parametrize("written", ["DE*8PS*C12345678*9", "de-8ps-c12345678-9", "DE8PSC123456789"])
def test_iso_15118_ema_ids_match_whatever_their_separators(written):
    chargingkey("create", "04A1B2C3", "--evco-id", "DE*8PS*C12345678*9")
    chargingkey("create", "04A1B2C4", "--evco-id", written)
    assert Contract.objects.get().evco_id == "DE*8PS*C12345678*9"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["0A1B2C3", "--evco-id", "DE*8PS*123456*7"], "An RFID UID has 8, 14 or 20"),
        (["04A1B2CG", "--evco-id", "DE*8PS*123456*7"], "An RFID UID is hexadecimal."),
        (["04A1B2C3", "--evco-id", "DE*8PS*12345*7"], "An EVCO id looks like"),
        (["04A1B2C3", "--evco-id", "DE_8PS_123456_7"], "An EVCO id looks like"),
        (
            ["04A1B2C3", "--evco-id", "DE*8PS*123456*7", "--partner", "Nobody"],
            "No partner has the name or slug 'Nobody'.",
        ),
        (
            ["04A1B2C3", "--evco-id", "DE*8PS*123456*7", "--partner", "Only CPO"],
            "Partner Only CPO provides no contracts: it is neither an EMP nor an OEM.",
        ),
        (["0a0b0c0d", "--evco-id", "DE*8PS*123456*8"], "A charging key with UID 0A0B0C0D already"),
        (
            ["04A1B2C3", "--evco-id", "de-8ps-999999-9", "--partner", "Roaming EMP"],
            "EVCO id DE*8PS*999999*9 is a contract of the platform.",
        ),
        (
            ["04A1B2C3", "--evco-id", "DE*8PS*999999*9", "--no-payment-method"],
            "EVCO id DE*8PS*999999*9 exists and its customer has valid payment method",
        ),
    ],
)
def test_bad_input_is_refused_on_one_line_and_changes_nothing(providers, args, reason):
    chargingkey("create", "0A0B0C0D", "--evco-id", "DE*8PS*999999*9")
    before = client_state()
    assert reason in refused("create", *args)
    assert client_state() == before


def test_cli_exits_non_zero_with_one_line(cli):  # noqa: F811
    created = cli("chargingkey", "create", "04a1b2c3", "--evco-id", "DE*8PS*123456*7")
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("Created charging key 04A1B2C3 (active)")

    for args in (
        ["04a1b2c3", "--evco-id", "DE*8PS*123456*8"],
        ["04A1B2C", "--evco-id", "DE*8PS*123456*8"],
        ["04A1B2C4"],
    ):
        result = cli("chargingkey", "create", *args)
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stdout == ""
