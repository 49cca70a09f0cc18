"""Fixtures of the client exchange: keys made through the services, pushes through the endpoint."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from clients import services
from clients.models import (
    Authorization,
    ChargingKey,
    Contract,
    Customer,
    Whitelist,
    WhitelistEntry,
)
from tests.conftest import PartnerWithKey


def uids(count, start=0):
    """``count`` distinct 8-digit UIDs."""
    return [f"{n:08X}" for n in range(start, start + count)]


def make_key(uid, evco_id, provider=None, *, blocked=False, payment=True):
    return services.charging_key_create(
        uid=uid,
        evco_id=evco_id,
        provider=provider,
        blocked=blocked,
        has_valid_payment_method=payment,
    )


def push(client, emp, rfids, identifier=None):
    """rfid-post through the endpoint, as ``emp``'s system would."""
    identifier = identifier or emp.identifier
    return emp.post(client, "rfid-post", {"rfids": rfids, "partner-identifier": identifier.value})


def verify(client, cpo, uid):
    """rfid-verify through the endpoint; returns (HTTP status, result code, body)."""
    response = cpo.post(client, "rfid-verify", {"rfid": uid})
    body = response.json()
    return response.status_code, body["result"]["code"], body


def whitelist_state():
    """Everything rfid-post may change, to assert that a refused push changed nothing."""
    return (
        list(WhitelistEntry.objects.order_by("pk").values()),
        list(Whitelist.objects.order_by("pk").values()),
    )


def client_state():
    """Every row of the app (the log's by count, last), to assert a refusal changed nothing."""
    return (
        *whitelist_state(),
        *(
            list(model.objects.order_by("pk").values())
            for model in (Customer, Contract, ChargingKey)
        ),
        Authorization.objects.count(),
    )


@pytest.fixture
def oem(db):
    return PartnerWithKey(name="Test OEM", slug="test-oem", is_cpo=False, is_oem=True)


@pytest.fixture
def other_emp(db):
    return PartnerWithKey(name="Other EMP", slug="other-emp", is_cpo=False, is_emp=True)


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


def staff_client(username, group_name):
    """A fresh client signed in as a staff user of ``group_name`` (see oioi_portal.groups)."""
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    client = Client()
    client.force_login(user)
    return client
