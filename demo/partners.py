"""The demo partners (seed_demo creates them), which every domain's demo data refers to by name."""

from dataclasses import dataclass

from partners.models import Role

DEMO_CPO = "Demo CPO"
DEMO_EMP = "Demo EMP"
DEMO_FLEET = "Demo Fleet"


@dataclass(frozen=True)
class DemoPartner:
    name: str
    role: Role
    operator_ids: tuple = ()
    # The demo fleet operator's calls are played by the demo itself (demo.fleet), so it gets no
    # key (the hint says how).
    issues_key: bool = True


DEMO_PARTNERS = (
    DemoPartner(DEMO_CPO, Role.CPO, operator_ids=("DE*8PS",)),
    DemoPartner(DEMO_EMP, Role.EMP),
    DemoPartner("Demo OEM", Role.OEM),
    # Its operator id is the `fleet-cpo-id` of its members (demo.fleet).
    DemoPartner(DEMO_FLEET, Role.FLEET, operator_ids=("DE*FLT",), issues_key=False),
    # The operators of the demo stations in Berlin, Hamburg and Munich (demo.stations).
    DemoPartner("Demo CPO Berlin", Role.CPO, operator_ids=("DE*BEW",)),
    DemoPartner("Demo CPO Hamburg", Role.CPO, operator_ids=("DE*HHL",)),
    DemoPartner("Demo CPO Süd", Role.CPO, operator_ids=("DE*SDS",)),
)
