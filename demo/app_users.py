"""The demo OEM's app users: one with an RFID card, one whose card is deactivated, one blocked."""

import secrets

from app_users import services
from app_users.models import AppUser
from partners.models import Partner

DEMO_OEM = "Demo OEM"
# (username, UID of its RFID card or None, what happens to it)
DEMO_APP_USERS = (
    ("lena", "0A0A0A01", "active"),
    ("max", "0A0A0A02", "inactive"),
    ("nora", None, "blocked"),
)


def seed(site):
    """Create the demo OEM's app users once; return the lines to print."""
    oem = Partner.objects.filter(name=DEMO_OEM).first()
    if oem is None or AppUser.objects.filter(oem=oem).exists():
        return []
    # One password for the demo users, generated here and printed once with them.
    password = f"Demo-{secrets.token_urlsafe(12)}"
    lines = [f"Demo app users of {DEMO_OEM}, password {password} (shown only now):"]
    for username, uid, state in DEMO_APP_USERS:
        sign_in = services.app_user_register(
            oem,
            username=username,
            email=f"{username}@app.example",
            password=password,
            language="en",
        )
        user = AppUser.objects.get(oem=oem, username=username)
        if uid:
            key = services.app_user_rfid_add(user, uid)
            if state == "inactive":
                services.app_user_contract_activate(user, key.contract.evco_id, active=False)
        if state == "blocked":
            services.app_user_block(user)
        card = f", card {uid} ({state})" if uid else f" ({state})"
        token = f", token {sign_in.token}" if state != "blocked" else ""
        lines.append(f"  {username}: {sign_in.evco_id}{card}{token}")
    return lines
