"""``manage.py simulate_provider --port N``: play an online-authorizing provider (demo.provider)."""

from demo.provider import MODES, REFUSE_CODES, ProviderSimulator
from demo.simulator_command import SimulatorCommand


class Command(SimulatorCommand):
    help = (
        "Serve a simulated OIOI endpoint of an EMP or OEM that authorizes online: it answers the "
        "rfid-verify we forward (allow, refuse, slow, down, garbage). Point the partner's "
        "endpoint URL at it and tick its online authorization."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
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
        key = self.expected_key(key, partner)
        listening = (
            f"simulated provider down: nothing listens on {host}:{port}"
            if mode == "down"
            else f"simulated provider ({mode}) listening on http://{host}:{port}/oioi"
        )
        self.serve(
            lambda: ProviderSimulator(
                host=host,
                port=port,
                key=key,
                mode=mode,
                refuse_code=refuse_code,
                delay=delay,
                evco_id=evco_id,
            ),
            host,
            port,
            listening,
        )
