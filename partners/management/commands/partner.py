"""
``manage.py partner``: onboard partners and manage their API keys from scripts.

A contract (README, operator commands): every bad input ends the command with a non-zero
exit status and a one-line reason on standard error. The rules live in ``partners.services``;
this module only parses, looks up and reports.
"""

import getpass
import os
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.commands import PORTAL_USER_PASSWORD_ENV, OneLineErrorParser, one_line
from partners import services
from partners import services as partner_services
from partners.models import ApiKey, Partner, Role


def parse_expiry(value):
    """Parse ``--expires``: ISO 8601 with an offset, since a naive time is ambiguous."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--expires {value!r} is not an ISO 8601 date and time, e.g. 2030-01-01T00:00:00+00:00."
        ) from None
    if moment.utcoffset() is None:
        raise CommandError(
            f"--expires {value!r} has no UTC offset; add one, e.g. 2030-01-01T00:00:00+00:00."
        )
    return moment


def utc_text(moment):
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def role_list(partner):
    return ", ".join(role.value for role in Role if role in partner.roles)


class Command(BaseCommand):
    help = "Onboard partners and manage their API keys. See each subcommand's --help."

    # Subcommand name -> help. Each has an ``arguments_<name>(parser)`` method declaring its
    # arguments and a ``handle_<name>(**options)`` method running it ('-' becomes '_').
    subcommands = {
        "create": "Create a partner with its roles, operator ids and partner identifiers.",
        "issue-key": "Issue a new API key; its plaintext is the last line of the output.",
        "revoke-key": "Revoke an API key, named by its prefix.",
        "add-user": "Create a portal user of a partner (the password is prompted, or read from "
        f"{PORTAL_USER_PASSWORD_ENV} with --noinput).",
    }

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(
            dest="subcommand",
            metavar="SUBCOMMAND",
            required=True,
            parser_class=OneLineErrorParser,
        )
        for name, help_text in self.subcommands.items():
            subparser = subparsers.add_parser(name, help=help_text, description=help_text)
            getattr(self, f"arguments_{name.replace('-', '_')}")(subparser)

    def handle(self, *args, subcommand, **options):
        try:
            # Nothing returned: BaseCommand would print it after the key issue-key prints last.
            getattr(self, f"handle_{subcommand.replace('-', '_')}")(**options)
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from exc

    def get_partner(self, name):
        """The partner named ``name``, else the one whose slug it is."""
        partner = Partner.objects.filter(name=name).first()
        if partner is None:
            partner = Partner.objects.filter(slug=name).first()
        if partner is None:
            raise CommandError(f"No partner has the name or slug {name!r}.")
        return partner

    # --- create --------------------------------------------------------------------------

    def arguments_create(self, parser):
        parser.add_argument("name", metavar="NAME", help="The partner's name; must be unique.")
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            required=True,
            metavar="ROLE",
            help="cpo, emp, oem or fleet; repeat for a partner with several roles.",
        )
        parser.add_argument(
            "--operator-id",
            dest="operator_ids",
            action="append",
            default=[],
            metavar="ID",
            help="An operator id such as DE*8PS (CPO and fleet partners only); repeatable.",
        )
        parser.add_argument(
            "--partner-identifier",
            dest="partner_identifiers",
            action="append",
            default=[],
            metavar="VALUE",
            help="A partner identifier of at least 16 characters; repeatable.",
        )
        parser.add_argument(
            "--endpoint", default="", metavar="URL", help="The partner's OIOI endpoint URL."
        )
        parser.add_argument(
            "--endpoint-key",
            default="",
            metavar="KEY",
            help="The key the partner gave us for calling its endpoint (needs --endpoint).",
        )

    def handle_create(self, *, name, roles, operator_ids, partner_identifiers, **options):
        chosen = []
        for value in roles or ():
            try:
                chosen.append(Role(value.strip().lower()))
            except ValueError:
                choices = ", ".join(Role.values)
                raise CommandError(f"Unknown role {value!r}; choose from {choices}.") from None
        if not chosen:
            raise CommandError("Give at least one --role (cpo, emp, oem or fleet).")
        # partner_create is atomic: a refused operator id or identifier leaves no partner.
        partner = services.partner_create(
            name=name.strip(),
            roles=chosen,
            operator_ids=operator_ids,
            partner_identifiers=partner_identifiers,
            endpoint_url=options["endpoint"].strip(),
            endpoint_key=options["endpoint_key"].strip(),
        )
        details = [f"roles {role_list(partner)}"]
        if operator_ids:
            values = ", ".join(str(o) for o in partner.operator_ids.all())
            details.append(f"operator ids {values}")
        if partner_identifiers:
            details.append(f"{len(partner_identifiers)} partner identifier(s)")
        if partner.endpoint_url:
            details.append(f"endpoint {partner.endpoint_url}")
        self.stdout.write(f"Created partner {partner.name} ({partner.slug}): {'; '.join(details)}.")

    # --- issue-key -----------------------------------------------------------------------

    def arguments_issue_key(self, parser):
        parser.add_argument("name", metavar="NAME", help="The partner's name or slug.")
        parser.add_argument("--label", default="", metavar="TEXT", help="What the key is for.")
        parser.add_argument(
            "--expires",
            metavar="ISO8601",
            help="When the key stops working, with an offset, e.g. 2030-01-01T00:00:00+00:00; "
            "must lie in the future. Without it the key does not expire.",
        )

    def handle_issue_key(self, *, name, label, expires, **options):
        partner = self.get_partner(name)
        expires_at = parse_expiry(expires) if expires else None
        issued = services.api_key_issue(partner, label=label.strip(), expires_at=expires_at)
        api_key = issued.api_key
        expiry = utc_text(api_key.expires_at) if api_key.expires_at else "never"
        if not partner.is_active:
            self.stderr.write(
                f"Warning: partner {partner.name} is inactive; its keys are refused until it is "
                "made active again."
            )
        self.stdout.write(
            f"Issued API key {api_key.prefix} for partner {partner.name} ({partner.slug}), "
            f"expires {expiry}. The key, shown only now:"
        )
        # The plaintext goes to standard output only, alone on the last line, for scripts.
        self.stdout.write(issued.plaintext)

    # --- revoke-key ----------------------------------------------------------------------

    def arguments_revoke_key(self, parser):
        parser.description += (
            " Revoking a key that is already revoked changes nothing and succeeds (exit 0), "
            "so scripts may run it again."
        )
        parser.add_argument(
            "prefix", metavar="KEY_PREFIX", help="The key's prefix, the part before the dot."
        )

    def handle_revoke_key(self, *, prefix, **options):
        prefix = prefix.strip()
        if "." in prefix:
            # Never echoed: it may be a whole key, secret included.
            raise CommandError("Give only the key's prefix, the part before the dot.")
        api_key = ApiKey.objects.select_related("partner").filter(prefix=prefix).first()
        if api_key is None:
            raise CommandError(f"No API key has the prefix {prefix!r}.")
        already_revoked_at = api_key.revoked_at
        services.api_key_revoke(api_key)
        partner = api_key.partner
        if already_revoked_at is not None:
            self.stdout.write(
                f"API key {api_key.prefix} of partner {partner.name} was already revoked at "
                f"{utc_text(already_revoked_at)}; nothing changed."
            )
        else:
            self.stdout.write(
                f"Revoked API key {api_key.prefix} of partner {partner.name}; requests with it "
                "are now refused."
            )

    # --- add-user ------------------------------------------------------------------------

    def arguments_add_user(self, parser):
        parser.add_argument("name", metavar="NAME", help="The partner's name or slug.")
        parser.add_argument("username", metavar="USERNAME", help="The new user's username.")
        parser.add_argument("--email", default="", metavar="EMAIL", help="For password resets.")
        parser.add_argument(
            "--partner-admin",
            action="store_true",
            help="The user may invite and deactivate its partner's portal users.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_true",
            help=f"Prompt for nothing; the password comes from {PORTAL_USER_PASSWORD_ENV}.",
        )

    def handle_add_user(self, *, name, username, email, partner_admin, noinput, **options):
        partner = self.get_partner(name)
        password = self.read_password(noinput)
        user = partner_services.portal_user_create(
            partner, username, email=email, password=password, is_partner_admin=partner_admin
        )
        role = "partner admin" if partner_admin else "user"
        self.stdout.write(
            f"Created portal {role} {user.get_username()!r} of partner {partner.name}; "
            "they sign in at /accounts/login/."
        )

    def read_password(self, noinput):
        if noinput:
            password = os.environ.get(PORTAL_USER_PASSWORD_ENV, "")
            if not password:
                raise CommandError(f"--noinput needs the password in {PORTAL_USER_PASSWORD_ENV}.")
            return password
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match; nothing was created.")
        if not password:
            raise CommandError("The password may not be empty; nothing was created.")
        return password
