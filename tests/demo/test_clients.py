"""seed_demo's client data: a key in each state and the demo EMP's whitelist, created once."""

import io
import re

from django.core.management import call_command

from clients.models import ChargingKey, WhitelistEntry
from demo.clients import DEMO_KEYS, DEMO_WHITELIST
from tests.clients.helpers import client_state
from tests.helpers import oioi_post

CPO_KEY_LINE = re.compile(r"^  Demo CPO \(cpo\): (\S+)$", re.MULTILINE)


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_keys_answer_as_announced_and_are_created_once(client, db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    output = seed_demo()
    cpo_key = CPO_KEY_LINE.search(output).group(1)

    assert {key.state for key in ChargingKey.objects.all()} == set(ChargingKey.State)
    for demo in DEMO_KEYS:
        assert f"  {demo.uid} {demo.evco_id} {demo.state} -> {demo.answer()}" in output
        response = oioi_post(client, cpo_key, "rfid-verify", {"rfid": demo.uid.lower()})
        assert response.json()["result"]["code"] == demo.answer(), demo
    emma = next(demo for demo in DEMO_KEYS if demo.of_demo_emp)
    assert ChargingKey.objects.get(uid=emma.uid).contract.provider.name == "Demo EMP"
    assert set(WhitelistEntry.objects.values_list("uid", flat=True)) == set(DEMO_WHITELIST)
    for uid in DEMO_WHITELIST:
        response = oioi_post(client, cpo_key, "rfid-verify", {"rfid": uid})
        expected = emma.evco_id if uid == emma.uid else None
        assert (response.json()["result"]["code"], response.json()["evco-id"]) == (0, expected)

    before = client_state()[:-1]  # all but the log, which the verifications above wrote to
    again = seed_demo()
    assert client_state()[:-1] == before
    assert "Demo charging keys" not in again and "Demo whitelist" not in again
