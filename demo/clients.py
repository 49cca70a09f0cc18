"""Demo customers with a charging key in each state, and a whitelist pushed by the demo EMP."""

from dataclasses import dataclass

from clients import services
from clients.models import ChargingKey, Customer, Whitelist
from demo.partners import DEMO_EMP
from partners.models import Partner


@dataclass(frozen=True)
class DemoKey:
    uid: str
    evco_id: str
    name: str
    state: ChargingKey.State = ChargingKey.State.ACTIVE
    payment: bool = True
    # A contract of the demo EMP rather than of the platform.
    of_demo_emp: bool = False

    def answer(self):
        if self.state == ChargingKey.State.BLOCKED:
            return 192
        if self.state == ChargingKey.State.INACTIVE:
            return 191
        return 0 if self.payment else 193


DEMO_KEYS = (
    DemoKey("04A1B2C3", "DE*8PS*D89761*2", "Anna Active"),
    DemoKey("04A1B2C4", "DE*8PS*D89762*3", "Bruno Blocked", state=ChargingKey.State.BLOCKED),
    DemoKey("04A1B2C5", "DE*8PS*D89763*4", "Clara Card-Expired", payment=False),
    DemoKey("04A1B2C6", "DE*8PS*D89764*5", "Dario Replaced", state=ChargingKey.State.INACTIVE),
    DemoKey("0E0E0E01", "DE*DMO*C00000001*7", "Emma Roaming", of_demo_emp=True),
)
# The demo EMP's whitelist: its customer's key above, and two of which we know no contract.
DEMO_WHITELIST = ("0E0E0E01", "0E0E0E02", "0E0E0E03")


def seed(site):
    """Create what is missing of the demo keys and whitelist; return the lines to print."""
    emp = Partner.objects.filter(name=DEMO_EMP).first()
    existing = set(
        ChargingKey.objects.filter(uid__in=[k.uid for k in DEMO_KEYS]).values_list("uid", flat=True)
    )
    created = [demo for demo in DEMO_KEYS if demo.uid not in existing and _create(demo, emp)]
    lines = []
    if created:
        lines.append("Demo charging keys (UID, EVCO id, what rfid-verify answers):")
        lines.extend(f"  {d.uid} {d.evco_id} {d.state} -> {d.answer()}" for d in created)
    identifier = emp.identifiers.order_by("pk").first() if emp else None
    if identifier and not Whitelist.objects.filter(partner_identifier=identifier).exists():
        services.whitelist_replace(identifier, DEMO_WHITELIST)
        lines.append(
            f"Demo whitelist of {DEMO_EMP}: {', '.join(DEMO_WHITELIST)} (rfid-verify answers 0)."
        )
    return lines


def _create(demo, emp):
    """Create one demo key; False when it belongs to the demo EMP and there is none."""
    if demo.of_demo_emp and emp is None:
        return False
    key = services.charging_key_create(
        uid=demo.uid,
        evco_id=demo.evco_id,
        provider=emp if demo.of_demo_emp else None,
        blocked=demo.state == ChargingKey.State.BLOCKED,
        has_valid_payment_method=demo.payment,
    )
    email = f"{demo.name.split()[0].lower()}@demo.example"
    Customer.objects.filter(pk=key.customer_id).update(name=demo.name, email=email)
    if demo.state == ChargingKey.State.INACTIVE:
        services.charging_key_change_state(key, demo.state, reason="Demo: card replaced.")
    return True
