"""
``manage.py audit prune --before DATE``: the retention of the request audit log and the
authorization log, which nobody may delete from the admin. A date inside the minimum retention
(AUDIT_MIN_RETENTION_DAYS) is refused with a non-zero exit status and a one-line reason.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.commands import OneLineErrorParser, one_line
from partners import services


def parse_day(value):
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--before {value!r} is not a date like 2025-01-31.") from None


class Command(BaseCommand):
    help = "Audit log retention. See each subcommand's --help."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(
            dest="subcommand", metavar="SUBCOMMAND", required=True, parser_class=OneLineErrorParser
        )
        description = (
            "Delete the audit log's and the authorization log's rows from before DATE (its "
            "midnight in TIME_ZONE); refused for a DATE within AUDIT_MIN_RETENTION_DAYS."
        )
        prune = subparsers.add_parser("prune", help=description, description=description)
        prune.add_argument("--before", required=True, metavar="DATE", help="YYYY-MM-DD")

    def handle(self, *args, subcommand, before, **options):
        try:
            deleted = services.audit_prune(parse_day(before))
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from exc
        for log, count in deleted.items():
            self.stdout.write(f"Deleted {count} row(s) of the {log} from before {before}.")
