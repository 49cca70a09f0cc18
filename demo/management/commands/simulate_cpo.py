"""``manage.py simulate_cpo --port N``: play a CPO's OIOI endpoint (see demo.simulator)."""

from demo.simulator import CpoSimulator
from demo.simulator_command import SimulatorCommand


class Command(SimulatorCommand):
    help = (
        "Serve a simulated CPO OIOI endpoint: session-start answers a session id, session-stop, "
        "reservations and rfid-post succeed. Point a CPO partner's endpoint URL at it."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--start-code", type=int, default=0, help="Answer session-start with this code."
        )
        parser.add_argument("--delay", type=float, default=0.0, help="Seconds before answering.")

    def handle(self, *args, port, host, key, partner, start_code, delay, **options):
        key = self.expected_key(key, partner)
        self.serve(
            lambda: CpoSimulator(host=host, port=port, key=key, start_code=start_code, delay=delay),
            host,
            port,
            f"simulated CPO listening on http://{host}:{port}/oioi",
        )
