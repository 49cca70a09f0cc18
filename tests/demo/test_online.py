"""seed_demo's online authorization: the demo OEM asks the provider simulator, set up once."""

import io
import re

from django.core.management import call_command

from clients.models import Authorization
from demo.online import DEMO_ONLINE_EVCO_ID, DEMO_ONLINE_UID, PROVIDER_URL
from demo.provider import ProviderSimulator
from partners.models import Partner
from tests.helpers import oioi_post

CPO_KEY_LINE = re.compile(r"^  Demo CPO \(cpo\): (\S+)$", re.MULTILINE)


def seed_demo(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_demo_oem_authorizes_online_at_the_simulator(client, db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    simulator = ProviderSimulator(mode="refuse", refuse_code=192).start()
    try:
        output = seed_demo("--provider-url", simulator.url)
        oem = Partner.objects.get(name="Demo OEM")
        assert (oem.endpoint_url, oem.online_authorization) == (simulator.url, True)
        assert f"Demo OEM authorizes online at {simulator.url}" in output
        assert DEMO_ONLINE_UID in output
        cpo_key = CPO_KEY_LINE.search(output).group(1)
        answer = oioi_post(client, cpo_key, "rfid-verify", {"rfid": DEMO_ONLINE_UID}).json()
        assert answer["result"]["code"] == 192
        assert simulator.received == [{"rfid": DEMO_ONLINE_UID}]
        assert Authorization.objects.get().provider == oem
        simulator.mode = "allow"
        answer = oioi_post(client, cpo_key, "rfid-verify", {"rfid": DEMO_ONLINE_UID}).json()
        assert (answer["result"]["code"], answer["evco-id"]) == (0, DEMO_ONLINE_EVCO_ID)
        # Once: a second run changes nothing and says nothing of it.
        again = seed_demo("--provider-url", simulator.url)
        assert "authorizes online" not in again and DEMO_ONLINE_UID not in again
    finally:
        simulator.stop()


def test_without_a_provider_url_the_default_port_and_staffs_choices_are_kept(db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    seed_demo()
    oem = Partner.objects.get(name="Demo OEM")
    assert (oem.endpoint_url, oem.online_authorization) == (PROVIDER_URL, True)
    # Staff turn it off and point it elsewhere: a later run keeps both.
    Partner.objects.filter(pk=oem.pk).update(
        endpoint_url="https://oem.example/oioi", online_authorization=False
    )
    seed_demo("--provider-url", "http://127.0.0.1:9999/oioi")
    oem.refresh_from_db()
    assert (oem.endpoint_url, oem.online_authorization) == ("https://oem.example/oioi", False)
