"""What the simulator commands (simulate_cpo, simulate_provider) share."""

import contextlib

from django.core.management.base import BaseCommand, CommandError

from partners.models import Partner


class SimulatorCommand(BaseCommand):
    """Serves a simulated partner endpoint on --host/--port, expecting --key or --partner's key."""

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1")
        key = parser.add_mutually_exclusive_group()
        key.add_argument("--key", help="The key we must send (Authorization: key=...).")
        key.add_argument(
            "--partner", help="Take the expected key from this partner's endpoint key."
        )

    def expected_key(self, key, partner):
        if not partner:
            return key
        found = Partner.objects.filter(name=partner).first()
        if found is None or not found.endpoint_key:
            raise CommandError(f"No partner {partner!r} with an endpoint key.")
        return found.endpoint_key

    def serve(self, make_simulator, host, port, listening):
        """Start ``make_simulator()``, say ``listening``, and serve until interrupted."""
        try:
            simulator = make_simulator()
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None
        self.stdout.write(listening)
        with contextlib.suppress(KeyboardInterrupt):
            simulator.serve_forever()
