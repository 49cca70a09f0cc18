"""
Remote start / stop for the demo: the demo CPO's endpoint is the CPO simulator that `make run`
starts, so a new user can start and stop a session with one curl command each.
"""

import re
import secrets

from clients.models import Contract
from demo.partners import DEMO_CPO, DEMO_EMP
from partners.models import Partner
from stations.models import Connector

SIMULATOR_URL = "http://127.0.0.1:8001/oioi"
# What simulate_cpo serves: an endpoint of this form was set here, and may follow the simulator.
SIMULATED_ENDPOINT = re.compile(r"http://127\.0\.0\.1:\d+/oioi")


def seed(site):
    cpo = Partner.objects.filter(name=DEMO_CPO).first()
    emp = Partner.objects.filter(name=DEMO_EMP).first()
    if cpo is None or emp is None:
        return []
    _point_at_simulator(cpo, site.simulator_url)
    connector = (
        Connector.objects.filter(
            station__owner=cpo, station__is_deleted=False, station__is_hidden=False
        )
        .exclude(station__is_private=True)
        .select_related("station")
        .order_by("station__external_id", "id")
        .first()
    )
    contract = Contract.objects.filter(provider=emp).order_by("id").first()
    if connector is None or contract is None:
        return []
    if not connector.station.is_reservable:
        connector.station.is_reservable = True
        connector.station.save(update_fields=["is_reservable"])
    user = f'"user": {{"identifier-type": "evco-id", "identifier": "{contract.evco_id}"}}'
    call = (
        f"curl -s {site.url}/api/v4/request -H 'Authorization: key=<Demo EMP key>' "
        "-H 'Content-Type: application/json' -d"
    )
    evse = f'"connector-id": "{connector.evse_id}"'
    return [
        f"Remote start and stop at {connector.evse_id} ({connector.station.name}) for "
        f"{contract.evco_id}, answered by the CPO simulator at {cpo.endpoint_url}:",
        f"""  {call} '{{"session-start": {{{user}, {evse}}}}}'""",
        f"""  {call} '{{"session-stop": {{{user}, {evse}}}}}'""",
    ]


def _point_at_simulator(cpo, simulator_url):
    """
    The demo CPO's endpoint: the simulator's, when it has none or one that an earlier run set to
    the simulator on another port. An endpoint staff gave it elsewhere is kept.
    """
    simulated = not cpo.endpoint_url or SIMULATED_ENDPOINT.fullmatch(cpo.endpoint_url)
    url = simulator_url or cpo.endpoint_url or SIMULATOR_URL
    if not simulated or cpo.endpoint_url == url:
        return
    cpo.endpoint_url = url
    # The simulator checks that we send this key; it reads it from the database.
    cpo.endpoint_key = cpo.endpoint_key or secrets.token_urlsafe(24)
    cpo.save(update_fields=["endpoint_url", "endpoint_key"])
