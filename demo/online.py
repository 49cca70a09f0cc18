"""
The demo OEM authorizes online: its endpoint is the provider simulator (``simulate_provider``,
which ``make run`` starts), and one demo key of its contract is verified by it.
"""

import secrets

from clients import services
from clients.models import ChargingKey
from demo.sessions import SIMULATED_ENDPOINT
from partners.models import Partner

DEMO_ONLINE_PROVIDER = "Demo OEM"
DEMO_ONLINE_UID = "0F0F0F01"
DEMO_ONLINE_EVCO_ID = "DE*DMO*C00000002*5"
PROVIDER_URL = "http://127.0.0.1:8002/oioi"


def seed(site):
    """
    Point the demo OEM at the provider simulator, with online authorization, when it has no
    endpoint yet (or one an earlier run set to the simulator on another port; an endpoint staff
    gave it elsewhere is kept); create its demo key. Return the lines to print.
    """
    oem = Partner.objects.filter(name=DEMO_ONLINE_PROVIDER).first()
    if oem is None:
        return []
    lines = []
    first = not oem.endpoint_url
    url = site.provider_url or oem.endpoint_url or PROVIDER_URL
    if (first or SIMULATED_ENDPOINT.fullmatch(oem.endpoint_url)) and oem.endpoint_url != url:
        oem.endpoint_url = url
        # Random, never a fixed value; simulate_provider --partner reads it from here.
        oem.endpoint_key = oem.endpoint_key or secrets.token_urlsafe(24)
        oem.online_authorization = oem.online_authorization or first
        oem.save(update_fields=["endpoint_url", "endpoint_key", "online_authorization"])
        lines.append(f"{DEMO_ONLINE_PROVIDER} authorizes online at {url} (simulate_provider).")
    if not ChargingKey.objects.filter(uid=DEMO_ONLINE_UID).exists():
        services.charging_key_create(uid=DEMO_ONLINE_UID, evco_id=DEMO_ONLINE_EVCO_ID, provider=oem)
        lines.append(
            f"Demo key {DEMO_ONLINE_UID} ({DEMO_ONLINE_EVCO_ID}) of {DEMO_ONLINE_PROVIDER}: "
            "rfid-verify asks the provider simulator."
        )
    return lines
