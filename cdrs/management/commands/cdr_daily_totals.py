"""
``manage.py cdr_daily_totals check|rebuild``: the CDR report's daily totals (CDRDailyTotal).

session-post keeps them in step; CDRs written around it (a bulk import, a repair in SQL) need
``rebuild``. ``check`` compares them with the CDRs and exits 1 when they differ, for monitoring.
"""

from django.core.management.base import BaseCommand, CommandError

from cdrs.selectors import cdr_daily_totals_drift
from cdrs.services import cdr_daily_totals_rebuild

SHOWN = 10


class Command(BaseCommand):
    help = "Check the CDR report's daily totals against the CDRs, or rebuild them from the CDRs."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "rebuild"])

    def handle(self, *args, action, **options):
        if action == "rebuild":
            cdr_daily_totals_rebuild()
            self.stdout.write("CDR daily totals rebuilt from the CDRs.")
            return
        drift = cdr_daily_totals_drift()
        if not drift:
            self.stdout.write("CDR daily totals agree with the CDRs.")
            return
        for cpo_id, recipient_id, day, state, currency in drift[:SHOWN]:
            self.stderr.write(
                f"differs: CPO {cpo_id}, recipient {recipient_id or '-'}, {day}, {state}, "
                f"{currency or 'no currency'}"
            )
        raise CommandError(
            f"{len(drift)} daily total(s) differ from the CDRs; "
            "run `manage.py cdr_daily_totals rebuild`."
        )
