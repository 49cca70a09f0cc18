"""
The load test (`make load`): a realistic mix of partner traffic through gunicorn for a bounded
time — mostly connector-post-status and rfid-verify, some station-get-surface, session-post and
session-start (forwarded to the CPO simulator) — then checks that the audit log and the database
are consistent with what was sent. Uses PostgreSQL when DATABASE_URL points at one.

    python -m bench.loadtest [--duration SECONDS] [--concurrency N]
"""

import argparse
import json
import os
import random
import secrets
import shutil
import sys
import tempfile

from bench.load import drive, oioi_request
from bench.run import ROOT, free_port, gunicorn, throwaway_database

RESULTS = ROOT / ".bench" / "load.json"
STATUSES = ["Available", "Occupied", "Offline", "Reserved", "Unknown"]
CITY_BOXES = [(52.40, 52.60, 13.20, 13.60), (48.05, 48.25, 11.40, 11.75)]
STATIONS, WHITELIST, CONTRACTS = 400, 20_000, 20
# Share of each call in the mix, out of 100.
MIX = {
    "connector-post-status": 45,
    "rfid-verify": 35,
    "station-get-surface": 8,
    "session-post": 8,
    "session-start": 4,
}


def prepare_partners(simulator_url, simulator_key):
    """The platform's side: a CPO (played by the simulator) and an EMP with contracts."""
    from clients import services as client_services
    from partners import services

    cpo = services.partner_create(
        name="Load CPO",
        roles=["cpo"],
        operator_ids=["DE*LDT"],
        partner_identifiers=["load-cpo-identifier-0001"],
        endpoint_url=simulator_url,
        endpoint_key=simulator_key,
    )
    emp = services.partner_create(
        name="Load EMP", roles=["emp"], partner_identifiers=["load-emp-identifier-0001"]
    )
    contracts = [f"DE*LDE*{n:06d}*{n % 10}" for n in range(CONTRACTS)]
    for n, evco_id in enumerate(contracts):
        client_services.charging_key_create(uid=f"C0{n:06X}", evco_id=evco_id, provider=emp)
    return {
        "cpo_key": services.api_key_issue(cpo, label="load").plaintext,
        "emp_key": services.api_key_issue(emp, label="load").plaintext,
        "contracts": contracts,
    }


def station(n, rng):
    south, north, west, east = CITY_BOXES[n % len(CITY_BOXES)]
    return {
        "id": f"LOAD-{n:05d}",
        "name": f"Load site {n}",
        "latitude": round(rng.uniform(south, north), 6),
        "longitude": round(rng.uniform(west, east), 6),
        "address": {
            "street": "Teststr.",
            "street-number": n,
            "city": "Load",
            "zip": "10000",
            "country": "DE",
        },
        "contact": {"phone": "+49 30 0"},
        "cpo-id": "DE*LDT",
        "is-open-24": True,
        "connectors": [
            {"id": f"DE*LDT*E{n:05d}{plug}", "name": "Type2", "speed": 22} for plug in (1, 2)
        ],
    }


def send_setup(ctx, key, call, payload):
    """One setup call through the server, which must succeed."""
    result = drive(
        ctx["host"],
        ctx["port"],
        [oioi_request(key, call, payload)],
        concurrency=1,
        duration=60,
        max_requests=1,
    )
    if result["errors"]:
        raise SystemExit(f"setup call {call} failed")


def build_mix(data, rng, count=20_000):
    """Pre-generated requests in the mix's proportions, in random order."""
    evse_ids = [f"DE*LDT*E{n:05d}{plug}" for n in range(STATIONS) for plug in (1, 2)]
    whitelisted = data["whitelist"]
    requests, posted_sessions = [], set()
    calls = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    for n, call in enumerate(calls):
        if call == "connector-post-status":
            payload = {
                "connector-id": rng.choice(evse_ids),
                "status": rng.choice(STATUSES),
                "partner-identifier": "load-cpo-identifier-0001",
            }
            requests.append(oioi_request(data["cpo_key"], call, payload))
        elif call == "rfid-verify":
            uid = rng.choice(whitelisted) if rng.random() < 0.8 else f"{rng.getrandbits(56):014X}"
            requests.append(oioi_request(data["cpo_key"], call, {"rfid": uid}))
        elif call == "station-get-surface":
            south, north, west, east = rng.choice(CITY_BOXES)
            box = {"min-lat": south, "max-lat": north, "min-long": west, "max-long": east}
            requests.append(oioi_request(data["emp_key"], call, box))
        elif call == "session-post":
            session_id = f"LOAD-S{n:06d}"
            posted_sessions.add(session_id)
            requests.append(
                oioi_request(
                    data["cpo_key"],
                    call,
                    {
                        "user": {"identifier-type": "rfid", "identifier": rng.choice(whitelisted)},
                        "session-id": session_id,
                        "connector-id": rng.choice(evse_ids),
                        "session-interval": {
                            "start": "2026-11-01T10:00:00Z",
                            "stop": "2026-11-01T11:00:00Z",
                        },
                        "energy-consumed": round(rng.uniform(1, 60), 3),
                        "calculated-cost": {
                            "amount": round(rng.uniform(1, 30), 2),
                            "currency": "EUR",
                        },
                        "partner-identifier": "load-cpo-identifier-0001",
                    },
                )
            )
        else:
            user = {"identifier-type": "evco-id", "identifier": rng.choice(data["contracts"])}
            requests.append(
                oioi_request(
                    data["emp_key"], call, {"user": user, "connector-id": rng.choice(evse_ids)}
                )
            )
    return requests, posted_sessions


def consistency(sent_session_ids, started_at):
    """What the database says after the run; each check is True when consistent."""
    from django.db.models import Count, F, OuterRef, Subquery

    from cdrs.models import CDR
    from partners.models import AuditLogEntry
    from stations.models import Connector, ConnectorStatusChange

    latest = ConnectorStatusChange.objects.filter(connector=OuterRef("pk")).order_by("-id")
    drifted = (
        Connector.objects.annotate(last=Subquery(latest.values("status")[:1]))
        .exclude(last=None)
        .exclude(last=F("status"))
        .count()
    )
    stored = set(
        CDR.objects.filter(session_id__startswith="LOAD-S").values_list("session_id", flat=True)
    )
    duplicates = (
        CDR.objects.values("cpo", "session_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    audited = AuditLogEntry.objects.filter(
        direction=AuditLogEntry.Direction.INBOUND, created_at__gte=started_at
    ).count()
    return {
        "connectors whose status is their last history entry": drifted == 0,
        "every CDR posted is stored once": stored <= sent_session_ids and duplicates == 0,
        "audited inbound requests": audited,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--only", choices=list(MIX), help="drive this one call alone")
    args = parser.parse_args()
    rng = random.Random(20261124)  # noqa: S311 - a repeatable mix, not a secret
    if args.only:
        MIX.update({call: int(call == args.only) for call in MIX})
    tmp = tempfile.mkdtemp(prefix="oioi-load-")
    try:
        with throwaway_database(tmp) as database_url:
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DEBUG": "",
                "VAR_DIR": tmp,
                "LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "oioi_portal.settings",
                # The load test measures the platform, not its abuse limits.
                "API_RATE_LIMIT_PER_MINUTE": "0",
            }
            os.environ.update(env)
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0)
            from django.db import connections
            from django.utils import timezone

            from demo.simulator import CpoSimulator

            simulator_key = secrets.token_urlsafe(24)
            simulator = CpoSimulator(key=simulator_key).start()
            data = prepare_partners(simulator.url, simulator_key)
            connections.close_all()
            ctx = {"host": "127.0.0.1", "port": free_port()}
            with gunicorn(env, ctx["port"]):
                for n in range(STATIONS):
                    send_setup(
                        ctx,
                        data["cpo_key"],
                        "station-post",
                        {
                            "station": station(n, rng),
                            "partner-identifier": "load-cpo-identifier-0001",
                        },
                    )
                data["whitelist"] = [f"{n:014X}" for n in range(1, WHITELIST + 1)]
                send_setup(
                    ctx,
                    data["emp_key"],
                    "rfid-post",
                    {"rfids": data["whitelist"], "partner-identifier": "load-emp-identifier-0001"},
                )
                requests, sessions = build_mix(data, rng)
                started_at = timezone.now()
                result = drive(
                    ctx["host"],
                    ctx["port"],
                    requests,
                    concurrency=args.concurrency,
                    duration=args.duration,
                )
            simulator.stop()
            checks = consistency(sessions, started_at)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    backend = "postgresql" if database_url.startswith("postgres") else "sqlite"
    report = {"database": backend, "mix": MIX, **result, "checks": checks}
    print(f"load mix on {backend}, {args.concurrency} clients, {result['seconds']} s")
    print(
        f"throughput: {result['rps']} req/s  p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms"
    )
    print(f"requests: {result['requests']}  errors: {result['errors']}")
    for name, value in checks.items():
        print(f"{name}: {value}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    consistent = (
        result["errors"] == 0
        and checks["audited inbound requests"] >= result["requests"]
        and all(v for v in checks.values() if isinstance(v, bool))
    )
    sys.exit(0 if consistent else 1)


if __name__ == "__main__":
    main()
