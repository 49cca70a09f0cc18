"""``manage.py simulate_cpo --port N``: play a CPO's OIOI endpoint (see demo.simulator)."""

import contextlib

from django.core.management.base import BaseCommand, CommandError

from demo.simulator import CpoSimulator
from partners.models import Partner


class Command(BaseCommand):
    help = (
        "Serve a simulated CPO OIOI endpoint: session-start answers a session id, session-stop, "
        "reservations and rfid-post succeed. Point a CPO partner's endpoint URL at it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1")
        key = parser.add_mutually_exclusive_group()
        key.add_argument("--key", help="The key we must send (Authorization: key=...).")
        key.add_argument(
            "--partner", help="Take the expected key from this CPO partner's endpoint key."
        )
        parser.add_argument(
            "--start-code", type=int, default=0, help="Answer session-start with this code."
        )
        parser.add_argument("--delay", type=float, default=0.0, help="Seconds before answering.")

    def handle(self, *args, port, host, key, partner, start_code, delay, **options):
        if partner:
            found = Partner.objects.filter(name=partner).first()
            if found is None or not found.endpoint_key:
                raise CommandError(f"No partner {partner!r} with an endpoint key.")
            key = found.endpoint_key
        try:
            simulator = CpoSimulator(
                host=host, port=port, key=key, start_code=start_code, delay=delay
            )
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None
        self.stdout.write(f"simulated CPO listening on http://{host}:{port}/oioi")
        with contextlib.suppress(KeyboardInterrupt):
            simulator.serve_forever()
