import json
import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

from oioi_portal import groups
from tests.factories import PartnerFactory, PartnerIdentifierFactory, issue_key

OIOI_URL = "/api/v4/request"


def in_parallel(*jobs):
    """
    Run each job (a function of a test ``Client``) in its own thread and database connection,
    all released at once, committing as gunicorn workers do; return their answers in order.
    """
    barrier = threading.Barrier(len(jobs))
    answers, errors = [None] * len(jobs), []

    def run(index, job):
        try:
            barrier.wait()
            answers[index] = job(Client())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return answers


def codes(responses):
    """(HTTP status, OIOI result code) of each response."""
    return [(r.status_code, r.json()["result"]["code"]) for r in responses]


def oioi_post(client, key, call, payload, **extra):
    """POST one OIOI call through the real endpoint, as a partner's system would."""
    headers = {"HTTP_AUTHORIZATION": f"key={key}"} if key else {}
    return client.post(
        OIOI_URL,
        data=json.dumps({call: payload}),
        content_type="application/json",
        **headers,
        **extra,
    )


@pytest.fixture(autouse=True)
def fresh_rate_limiter():
    """Every test starts with this process's local rate counts empty, as a new worker would."""
    from oioi_portal.ratelimit import limiter

    limiter.reset()
    yield
    limiter.reset()


class PartnerWithKey:
    """A partner, one of its partner identifiers and a usable API key."""

    def __init__(self, **partner_fields):
        self.partner = PartnerFactory(**partner_fields)
        self.identifier = PartnerIdentifierFactory(partner=self.partner)
        self.api_key, self.key = issue_key(self.partner)

    def post(self, client, call, payload, **extra):
        return oioi_post(client, self.key, call, payload, **extra)

    def get(self, client, url, **extra):
        return client.get(url, HTTP_AUTHORIZATION=f"key={self.key}", **extra)


@pytest.fixture
def cpo(db):
    return PartnerWithKey(name="Test CPO", slug="test-cpo", is_cpo=True)


@pytest.fixture
def emp(db):
    return PartnerWithKey(name="Test EMP", slug="test-emp", is_cpo=False, is_emp=True)


@pytest.fixture
def other_cpo(db):
    return PartnerWithKey(name="Other CPO", slug="other-cpo", is_cpo=True)


@pytest.fixture
def partner_server():
    """A real local HTTP server playing a partner's OIOI endpoint."""
    from tests.partner_server import PartnerServer

    server = PartnerServer().start()
    yield server
    server.stop()


def staff_user(username, group_name):
    """A staff user in one of the staff groups (see oioi_portal.groups)."""
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def support_client(client, db):
    """Signed in as read-only support staff."""
    client.force_login(staff_user("support", groups.SUPPORT))
    return client


@pytest.fixture
def management_client(client, db):
    """Signed in as partner-management staff."""
    client.force_login(staff_user("manager", groups.PARTNER_MANAGEMENT))
    return client
