"""
``manage.py delivery_worker``: send queued deliveries (CDRs, whitelists) to partners, and run
the apps' periodic jobs (core.schedule) between them.

Run as many as needed, on any number of machines: each claims due rows with
``SELECT ... FOR UPDATE SKIP LOCKED``, so no two send the same delivery. Stops cleanly on
SIGTERM or SIGINT after the delivery in hand.
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from core.schedule import Scheduler
from oioi.deliveries import deliveries_run_due


class Command(BaseCommand):
    help = "Send due deliveries to partners, retrying with back-off; --once to drain and exit."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")
        parser.add_argument("--batch", type=int, default=10, help="Deliveries claimed at once.")
        parser.add_argument(
            "--poll", type=float, default=1.0, help="Seconds to wait when nothing is due."
        )

    def handle(self, *args, once, batch, poll, **options):
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
            self.stdout.write(f"delivery worker started (batch {batch}, poll {poll}s)")
        sent = 0
        scheduler = Scheduler()
        while not self.stopping:
            close_old_connections()
            try:
                # Periodic jobs first: what they queue (e.g. whitelists) goes out this round.
                scheduler.run_due()
                attempts = deliveries_run_due(limit=batch)
            except DatabaseError as exc:
                # The database is away: wait for it rather than die; the queue is in it.
                self.stderr.write(f"database unavailable, retrying: {type(exc).__name__}")
                attempts = 0
                if once:
                    raise
            sent += attempts
            if once and not attempts:
                break
            if not attempts:
                time.sleep(poll)
        self.stdout.write(f"delivery worker stopped after {sent} attempts")

    def stop(self, signum, frame):
        self.stopping = True
