"""``manage.py simulate_provider --port N``: play an online-authorizing provider (demo.provider)."""

import contextlib

from django.core.management.base import BaseCommand, CommandError

from demo.provider import MODES, REFUSE_CODES, ProviderSimulator
from partners.models import Partner


class Command(BaseCommand):
    help = (
        "Serve a simulated OIOI endpoint of an EMP or OEM that authorizes online: it answers the "
        "rfid-verify we forward (allow, refuse, slow, down, garbage). Point the partner's "
        "endpoint URL at it and tick its online authorization."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1")
        key = parser.add_mutually_exclusive_group()
        key.add_argument("--key", help="The key we must send (Authorization: key=...).")
        key.add_argument(
            "--partner", help="Take the expected key from this partner's endpoint key."
        )
        parser.add_argument("--mode", choices=MODES, default="allow")
        parser.add_argument(
            "--refuse-code",
            type=int,
            choices=REFUSE_CODES,
            default=191,
            help="The code of --mode refuse.",
        )
        parser.add_argument(
            "--delay",
            type=float,
            default=0.0,
            help="Seconds before answering (--mode slow: 8 unless given).",
        )
        parser.add_argument("--evco-id", help="The evco-id --mode allow answers (else null).")

    def handle(self, *args, port, host, key, partner, mode, refuse_code, delay, evco_id, **options):
        if partner:
            found = Partner.objects.filter(name=partner).first()
            if found is None or not found.endpoint_key:
                raise CommandError(f"No partner {partner!r} with an endpoint key.")
            key = found.endpoint_key
        try:
            simulator = ProviderSimulator(
                host=host,
                port=port,
                key=key,
                mode=mode,
                refuse_code=refuse_code,
                delay=delay,
                evco_id=evco_id,
            )
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None
        if mode == "down":
            self.stdout.write(f"simulated provider down: nothing listens on {host}:{port}")
        else:
            self.stdout.write(f"simulated provider ({mode}) listening on http://{host}:{port}/oioi")
        with contextlib.suppress(KeyboardInterrupt):
            simulator.serve_forever()
