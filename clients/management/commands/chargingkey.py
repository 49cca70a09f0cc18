"""
``manage.py chargingkey``: register charging keys from scripts.

A contract (README, operator commands): every bad input ends the command with a non-zero
exit status and a one-line reason on standard error. The rules live in ``clients.services``.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clients import services
from core.commands import OneLineErrorParser, one_line
from partners.models import Partner


class Command(BaseCommand):
    help = "Register charging keys (RFID UIDs) and their contracts. See each subcommand's --help."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(
            dest="subcommand", metavar="SUBCOMMAND", required=True, parser_class=OneLineErrorParser
        )
        create = subparsers.add_parser(
            "create",
            help="Create a charging key for a contract (EVCO id), and the contract if it is new.",
            description="Create a charging key for a contract (EVCO id), and the contract and "
            "its customer if the EVCO id is new.",
        )
        create.add_argument("uid", metavar="UID", help="Hexadecimal, 8, 14 or 20 digits.")
        create.add_argument(
            "--evco-id", required=True, metavar="EVCO", help="e.g. DE*8PS*123456*7."
        )
        create.add_argument(
            "--partner",
            metavar="NAME",
            help="The EMP or OEM partner providing this contract (name or slug); "
            "without it, a platform customer.",
        )
        create.add_argument("--blocked", action="store_true", help="Create the key blocked.")
        create.add_argument(
            "--no-payment-method",
            action="store_true",
            help="The customer has no valid payment method (the key is refused with 193).",
        )

    def handle(self, *args, subcommand, **options):
        try:
            self.handle_create(**options)
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from exc

    def handle_create(self, *, uid, evco_id, partner, blocked, no_payment_method, **options):
        provider = None
        if partner:
            provider = Partner.objects.filter(name=partner).first()
            provider = provider or Partner.objects.filter(slug=partner).first()
            if provider is None:
                raise CommandError(f"No partner has the name or slug {partner!r}.")
        key = services.charging_key_create(
            uid=uid,
            evco_id=evco_id,
            provider=provider,
            blocked=blocked,
            has_valid_payment_method=not no_payment_method,
        )
        whose = f"partner {provider}" if provider else "the platform"
        payment = "no valid payment method" if no_payment_method else "a valid payment method"
        self.stdout.write(
            f"Created charging key {key.uid} ({key.state}) for contract {key.contract.evco_id} "
            f"of {whose}; its customer has {payment}."
        )
