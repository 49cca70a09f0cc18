"""What tests of every folder use: OIOI calls through the real endpoint, partners with keys."""

import contextlib
import json
import subprocess
import sys
import threading

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client

from bench.run import ROOT
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


def staff_user(username, group_name):
    """A staff user in one of the staff groups (see partners.groups)."""
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def manage(env, *args):
    """Run ``manage.py`` with ``args`` in a child process with ``env``, as an operator would;
    fail the test naming the command if it fails; its standard output."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stderr}"
    return done.stdout


@contextlib.contextmanager
def signal_sent(signal):
    """
    The arguments ``signal`` is sent with while the block runs, one dict each, with the sender
    and whether it was sent inside a transaction.
    """
    sent = []

    def record(sender, **kwargs):
        sent.append(
            {"sender": sender, **kwargs, "in_transaction": not transaction.get_autocommit()}
        )

    signal.connect(record)
    try:
        yield sent
    finally:
        signal.disconnect(record)
