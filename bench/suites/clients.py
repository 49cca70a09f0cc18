"""
The client exchange at size: rfid-verify against 100,000 charging keys and a 100,000-UID
whitelist (throughput as the median of rounds alternating with the baseline), and rfid-post of a
complete 100,000-UID whitelist (a first push and a replacing one, wall time of the request).
"""

import random

from bench.load import Request, drive, oioi_request

KEYS = 100_000
WHITELIST = 100_000
# Whitelist UIDs overlap the keys by half: some keys are EMP contracts on the list, some are not,
# and half the list is UIDs we know no contract of.
WHITELIST_START = KEYS // 2
VERIFY_SAMPLE = 5_000
VERIFY_ROUNDS = 5
BATCH = 5_000


def key_uid(n):
    return f"{0x10000000 + n:08X}"


def key_kind(n):
    """Every answer rfid-verify gives, spread over the keys."""
    return ("blocked", "inactive", "no-payment", "emp")[n % 10] if n % 10 < 4 else "active"


def build(ctx):
    from django.db import connection

    from clients import services
    from clients.models import ChargingKey, Contract, Customer
    from partners import services as partner_services

    cpo = partner_services.partner_create(name="Bench Clients CPO", roles=["cpo"])
    emp = partner_services.partner_create(
        name="Bench Clients EMP",
        roles=["emp"],
        partner_identifiers=["bench-clients-verify-list", "bench-clients-pushed-list"],
    )
    ctx.data["clients_cpo_key"] = partner_services.api_key_issue(cpo, label="bench").plaintext
    ctx.data["clients_emp_key"] = partner_services.api_key_issue(emp, label="bench").plaintext

    kinds = [key_kind(n) for n in range(KEYS)]
    customers = Customer.objects.bulk_create(
        [Customer(has_valid_payment_method=kind != "no-payment") for kind in kinds],
        batch_size=BATCH,
    )
    contracts = Contract.objects.bulk_create(
        [
            Contract(
                customer=customer,
                evco_id=f"DE*8PS*{n:06d}*{n % 10}",
                evco_id_normalized=f"DE8PS{n:06d}{n % 10}",
                provider=emp if kind == "emp" else None,
            )
            for n, (customer, kind) in enumerate(zip(customers, kinds, strict=True))
        ],
        batch_size=BATCH,
    )
    states = {"blocked": ChargingKey.State.BLOCKED, "inactive": ChargingKey.State.INACTIVE}
    ChargingKey.objects.bulk_create(
        [
            ChargingKey(
                uid=key_uid(n),
                contract=contract,
                customer_id=contract.customer_id,
                state=states.get(kind, ChargingKey.State.ACTIVE),
            )
            for n, (contract, kind) in enumerate(zip(contracts, kinds, strict=True))
        ],
        batch_size=BATCH,
    )
    verify_list = emp.identifiers.get(value="bench-clients-verify-list")
    services.whitelist_replace(
        verify_list, [key_uid(n) for n in range(WHITELIST_START, WHITELIST_START + WHITELIST)]
    )

    # Statistics for the planner, as a production database has them; the bulk load left none.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # Known keys of every kind, whitelisted UIDs with and without a contract, unknown UIDs.
    rng = random.Random(4)  # noqa: S311 (a repeatable sample, not a secret)
    ctx.data["clients_verify_uids"] = [
        key_uid(rng.randrange(KEYS + WHITELIST_START + KEYS // 10)) for _ in range(VERIFY_SAMPLE)
    ]


def measure(ctx):
    verify_requests = [
        oioi_request(ctx.data["clients_cpo_key"], "rfid-verify", {"rfid": uid.lower()})
        for uid in ctx.data["clients_verify_uids"]
    ]
    # Rounds alternating with the baseline: the machine's load changes within a run, and each
    # round's ratio compares two figures taken under the same load.
    rounds = []
    for _ in range(VERIFY_ROUNDS):
        baseline = drive(
            ctx.host, ctx.port, [Request("GET", "/bench/baseline")], duration=ctx.duration / 2
        )
        verify = drive(ctx.host, ctx.port, verify_requests, duration=ctx.duration / 2)
        rounds.append((verify["rps"] / baseline["rps"], verify))
    ratio, median_round = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]
    ctx.report(
        "oioi.rfid-verify.throughput_ratio",
        round(ratio, 3),
        "x baseline",
        rps=median_round["rps"],
        p50_ms=median_round["p50_ms"],
        p99_ms=median_round["p99_ms"],
        errors=sum(verify["errors"] for _, verify in rounds),
        rounds=VERIFY_ROUNDS,
        keys=KEYS,
        whitelisted=WHITELIST,
    )
    # UIDs that are nobody's key (another provider's would be left off the list), each checked
    # against the 100,000 keys; half the second list stays, half is dropped, half is new.
    for name, uids in (
        ("first", [key_uid(KEYS + n) for n in range(WHITELIST)]),
        ("replacing", [key_uid(KEYS + n) for n in range(WHITELIST // 2, 3 * WHITELIST // 2)]),
    ):
        push_whitelist(ctx, name, uids)


def push_whitelist(ctx, name, uids):
    from clients.models import Whitelist

    request = oioi_request(
        ctx.data["clients_emp_key"],
        "rfid-post",
        {"rfids": uids, "partner-identifier": "bench-clients-pushed-list"},
    )
    result = drive(ctx.host, ctx.port, [request], concurrency=1, duration=120, max_requests=1)
    whitelist = Whitelist.objects.get(partner_identifier__value="bench-clients-pushed-list")
    ctx.report(
        f"oioi.rfid-post.{name}_push_100k",
        round(result["seconds"], 2),
        "s",
        uids=len(uids),
        body_mib=round(len(request.body) / 2**20, 2),
        added=whitelist.last_push_added,
        removed=whitelist.last_push_removed,
        errors=result["errors"],
    )
