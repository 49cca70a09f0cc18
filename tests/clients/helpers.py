"""The client exchange through the endpoint (rfid-post, rfid-verify), and the rows it changes."""

from django.contrib.auth.models import Group, User
from django.test import Client

from clients.models import (
    Authorization,
    ChargingKey,
    Contract,
    Customer,
    Whitelist,
    WhitelistEntry,
)


def uids(count, start=0):
    """``count`` distinct 8-digit UIDs."""
    return [f"{n:08X}" for n in range(start, start + count)]


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


def staff_client(username, group_name):
    """A fresh client signed in as a staff user of ``group_name`` (see partners.groups)."""
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    client = Client()
    client.force_login(user)
    return client
