"""
rfid-verify forwarded to an online provider: a CPO's verifications of an OEM's keys, which we
forward to the OEM's endpoint, played by the provider simulator (demo.provider) answering after
PROVIDER_DELAY. Reported as latency p50 / p99 against the provider's own answer time, each
measured in the same run at the same concurrency: what forwarding adds on top of the provider.
The same verification answered locally (platform keys) is measured too, for what our side costs.
"""

import subprocess
import sys
import time
import urllib.error
import urllib.request

from bench.load import drive, oioi_request

KEYS = 1_000
PROVIDER_DELAY = 0.02
PROVIDER_KEY = "bench-provider-key-for-the-platform"  # noqa: S105 (a throwaway bench value)


def key_uid(n):
    return f"{0x30000000 + n:08X}"


def local_uid(n):
    return f"{0x31000000 + n:08X}"


def build(ctx):
    from bench.run import free_port
    from clients import services
    from partners import services as partner_services
    from partners.models import Partner

    port = free_port()
    cpo = partner_services.partner_create(name="Bench Online CPO", roles=["cpo"])
    oem = partner_services.partner_create(name="Bench Online OEM", roles=["oem"])
    Partner.objects.filter(pk=oem.pk).update(
        endpoint_url=f"http://127.0.0.1:{port}/oioi",
        endpoint_key=PROVIDER_KEY,
        online_authorization=True,
    )
    for n in range(KEYS):
        services.charging_key_create(
            uid=key_uid(n), evco_id=f"DE*BOM*{n:06d}*{n % 10}", provider=oem
        )
        services.charging_key_create(uid=local_uid(n), evco_id=f"DE*BPL*{n:06d}*{n % 10}")
    ctx.data["online_cpo_key"] = partner_services.api_key_issue(cpo, label="bench").plaintext
    ctx.data["online_provider_port"] = port


def _provider(port):
    """The provider simulator in its own process: it shares no interpreter with the driver."""
    code = (
        "from demo.provider import ProviderSimulator; "
        f"ProviderSimulator(port={port}, key={PROVIDER_KEY!r}, delay={PROVIDER_DELAY})"
        ".serve_forever()"
    )
    from bench.run import ROOT

    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)  # noqa: S310
        except urllib.error.HTTPError:
            return process  # it answers (501 to a GET): it listens
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("The provider simulator did not start.")


def measure(ctx):
    port = ctx.data["online_provider_port"]
    cpo_key = ctx.data["online_cpo_key"]
    local = drive(
        ctx.host,
        ctx.port,
        [oioi_request(cpo_key, "rfid-verify", {"rfid": local_uid(n)}) for n in range(KEYS)],
        duration=ctx.duration,
    )
    provider = _provider(port)
    try:
        direct = drive(
            "127.0.0.1",
            port,
            [oioi_request(PROVIDER_KEY, "rfid-verify", {"rfid": key_uid(n)}) for n in range(KEYS)],
            duration=ctx.duration,
        )
        forwarded = drive(
            ctx.host,
            ctx.port,
            [oioi_request(cpo_key, "rfid-verify", {"rfid": key_uid(n)}) for n in range(KEYS)],
            duration=ctx.duration,
        )
    finally:
        provider.terminate()
        provider.wait(timeout=10)
    for figure in ("p50", "p99"):
        ctx.report(
            f"oioi.rfid-verify-forwarded.{figure}_ratio",
            round(forwarded[f"{figure}_ms"] / direct[f"{figure}_ms"], 3),
            "x the provider's own",
            forwarded_ms=forwarded[f"{figure}_ms"],
            provider_ms=direct[f"{figure}_ms"],
            local_ms=local[f"{figure}_ms"],
            provider_delay_ms=round(PROVIDER_DELAY * 1000),
            rps=forwarded["rps"],
            errors=forwarded["errors"] + direct["errors"] + local["errors"],
        )
