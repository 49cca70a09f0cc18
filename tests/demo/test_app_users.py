"""seed_demo's app users of the demo OEM: created once, and usable through the user-* calls."""

import io
import re

from django.core.management import call_command

from app_users.models import AppUser
from clients.models import ChargingKey
from demo.app_users import DEMO_APP_USERS
from tests.helpers import oioi_post

OEM_KEY_LINE = re.compile(r"^  Demo OEM \(oem\): (\S+)$", re.MULTILINE)


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_app_users_are_created_once_and_sign_in(client, db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    output = seed_demo()
    oem_key = OEM_KEY_LINE.search(output).group(1)
    password = re.search(r"password (\S+) \(shown only now\):", output).group(1)
    assert sorted(AppUser.objects.values_list("username", flat=True)) == sorted(
        username for username, _, _ in DEMO_APP_USERS
    )
    assert ChargingKey.objects.get(uid="0A0A0A02").state == "inactive"
    payload = {"username": "lena", "password": password}
    answer = oioi_post(client, oem_key, "user-verify", payload).json()
    assert answer["result"]["code"] == 0
    token = re.search(r"lena: .*token ([0-9a-f]{32})", output).group(1)
    payload = {"user": {"identifier-type": "token", "identifier": token}}
    answer = oioi_post(client, oem_key, "user-get-charging-keys", payload).json()
    assert [key["uid"] for key in answer["user"]["charging-keys"]] == ["0A0A0A01"]
    payload = {"username": "nora", "password": password}
    assert oioi_post(client, oem_key, "user-verify", payload).json()["result"]["code"] == 140

    seed_demo()
    assert AppUser.objects.count() == len(DEMO_APP_USERS)
