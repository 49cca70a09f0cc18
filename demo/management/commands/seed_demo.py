"""
``manage.py seed_demo``: demo data for a local installation, created once.

Idempotent: ``make run`` calls it on every start, so whatever already exists is left as it is and
secrets (API keys, a generated password) are printed only by the run that creates them.

The core seeds partners and the superuser here; each domain's demo data is a module of this app
(``demo.stations``, ...) with a function ``seed(site)`` that is idempotent too, may use the demo
partners (``demo.partners``) and the site's addresses (``DemoSite``), and returns the lines to
print.
"""

import os
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from core.commands import PORTAL_USER_PASSWORD_ENV, one_line
from demo import app_users, catalogue, cdrs, clients, fleet, online, sessions, stations
from demo.partners import DEMO_EMP, DEMO_PARTNERS
from partners import services
from partners import services as partner_services
from partners.models import Partner, Role

SITE_URL = "http://127.0.0.1:8000"
# How the hints run a command: what works in a checkout as the README has it, no venv activated.
MANAGE = ".venv/bin/python manage.py"
SUPERUSER_USERNAME = "admin"
# The name of the variable (as createsuperuser reads it), not a password.
SUPERUSER_PASSWORD_ENV = "DJANGO_SUPERUSER_PASSWORD"  # noqa: S105


@dataclass(frozen=True)
class DemoSite:
    """Where the demo is served (``make run`` passes its PORT and SIMULATOR_PORT)."""

    url: str = SITE_URL
    # The CPO simulator's endpoint; None when not given: the demo CPO keeps the one it has.
    simulator_url: str | None = None
    # The provider simulator's endpoint (simulate_provider); None: the demo OEM keeps its own.
    provider_url: str | None = None


@dataclass
class SeededPartner:
    partner: Partner
    partner_identifier: str
    key: str | None = None


@dataclass
class SeededSuperuser:
    username: str
    # Set only when generated here: it is then printed once.
    password: str | None = None


# The domains whose ``seed()`` runs, in this order: later ones refer to earlier ones' data.
DEMO_DOMAINS = (stations, catalogue, clients, online, fleet, sessions, cdrs, app_users)


@dataclass
class SeededPortalUser:
    partner: Partner
    username: str
    # Set only when generated here: it is then printed once.
    password: str | None = None


@dataclass
class SeedResult:
    partners: list = field(default_factory=list)
    superuser: SeededSuperuser | None = None
    portal_users: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    app_lines: list = field(default_factory=list)


def seed_partners(result):
    """
    Create the demo partners that are missing, each with a random partner identifier and,
    unless it sends no calls, an API key.
    """
    existing = set(
        Partner.objects.filter(name__in=[d.name for d in DEMO_PARTNERS]).values_list(
            "name", flat=True
        )
    )
    for demo in DEMO_PARTNERS:
        if demo.name in existing:
            continue
        # Random, never a fixed value: a demo database may end up reachable from elsewhere.
        identifier = f"{slugify(demo.name)}-{secrets.token_urlsafe(12)}"
        partner = services.partner_create(
            name=demo.name,
            roles=[demo.role],
            operator_ids=demo.operator_ids,
            partner_identifiers=[identifier],
        )
        seeded = SeededPartner(partner=partner, partner_identifier=identifier)
        if demo.issues_key:
            seeded.key = services.api_key_issue(partner, label="seed_demo").plaintext
        result.partners.append(seeded)


def seed_superuser(result):
    """Create the back-office superuser ``admin`` unless a superuser exists."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return
    if User.objects.filter(**{User.USERNAME_FIELD: SUPERUSER_USERNAME}).exists():
        # Never promote an existing account silently.
        result.notes.append(
            f"A user {SUPERUSER_USERNAME!r} exists but is not a superuser; none was created. "
            f"Run `{MANAGE} createsuperuser` to make one."
        )
        return
    password = os.environ.get(SUPERUSER_PASSWORD_ENV) or None
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)
    User.objects.create_superuser(
        **{User.USERNAME_FIELD: SUPERUSER_USERNAME}, email="", password=password
    )
    result.superuser = SeededSuperuser(SUPERUSER_USERNAME, password if generated else None)


def seed_portal_users(result):
    """
    A portal user (partner admin) for each demo partner that has none, named after the partner
    (``demo-cpo``); the password is PORTAL_USER_PASSWORD's, else generated and printed once.
    """
    User = get_user_model()
    demo_partners = Partner.objects.filter(name__in=[d.name for d in DEMO_PARTNERS])
    for partner in demo_partners.filter(memberships__isnull=True).order_by("pk"):
        username = slugify(partner.name)
        if User.objects.filter(username=username).exists():
            result.notes.append(
                f"A user {username!r} exists without portal access; no portal user was created "
                f"for {partner.name}."
            )
            continue
        password = os.environ.get(PORTAL_USER_PASSWORD_ENV) or None
        generated = password is None
        if generated:
            password = secrets.token_urlsafe(12)
        partner_services.portal_user_create(
            partner, username, password=password, is_partner_admin=True
        )
        result.portal_users.append(
            SeededPortalUser(partner, username, password if generated else None)
        )


def seed_apps(result, site):
    """Run each domain's ``seed(site)``."""
    for domain in DEMO_DOMAINS:
        result.app_lines.extend(domain.seed(site))


class Command(BaseCommand):
    help = (
        "Create demo partners, API keys and a back-office superuser, once. Running it again "
        "creates nothing and prints how to sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url", default=SITE_URL, help=f"Where the site is served (default {SITE_URL})."
        )
        parser.add_argument(
            "--simulator-url",
            help="The CPO simulator's endpoint (simulate_cpo): the demo CPO's endpoint follows it.",
        )
        parser.add_argument(
            "--provider-url",
            help="The provider simulator's endpoint (simulate_provider): the demo OEM authorizes "
            "online there.",
        )

    def handle(self, *args, site_url, simulator_url, provider_url, **options):
        self.site = DemoSite(
            url=site_url.rstrip("/"), simulator_url=simulator_url, provider_url=provider_url
        )
        result = SeedResult()
        try:
            # All or nothing: keys printed below belong to rows that were committed.
            with transaction.atomic():
                seed_partners(result)
                seed_superuser(result)
                seed_portal_users(result)
                seed_apps(result, self.site)
        except ValidationError as exc:
            raise CommandError(f"Demo data not created: {one_line(exc)}") from exc
        self.print_partners(result)
        self.print_superuser(result)
        self.print_portal_users(result)
        for line in result.app_lines:
            self.stdout.write(line)
        for note in result.notes:
            self.stderr.write(note)
        self.print_next_steps(result)

    def print_partners(self, result):
        if not result.partners:
            self.stdout.write("Demo partners already present; nothing created.")
            return
        names = ", ".join(seeded.partner.name for seeded in result.partners)
        self.stdout.write(f"Created demo partners: {names}.")
        self.stdout.write("Partner identifiers:")
        for seeded in result.partners:
            self.stdout.write(f"  {seeded.partner.name}: {seeded.partner_identifier}")
        self.stdout.write("API keys, shown only now (only a hash of each is stored):")
        for seeded in result.partners:
            role = ", ".join(role.value for role in Role if role in seeded.partner.roles)
            key = seeded.key or (
                f'none yet; for the REST API: {MANAGE} partner issue-key "{seeded.partner}"'
            )
            self.stdout.write(f"  {seeded.partner.name} ({role}): {key}")
        self.stdout.write(f'To issue another: {MANAGE} partner issue-key "{DEMO_EMP}"')

    def print_superuser(self, result):
        superuser = result.superuser
        if superuser is None:
            return
        if superuser.password:
            self.stdout.write(
                f"Created superuser {superuser.username!r} with password {superuser.password} "
                f"(shown only now; change it with `{MANAGE} changepassword "
                f"{superuser.username}`)."
            )
        else:
            self.stdout.write(
                f"Created superuser {superuser.username!r} with the password from "
                f"{SUPERUSER_PASSWORD_ENV}."
            )

    def print_portal_users(self, result):
        if not result.portal_users:
            return
        self.stdout.write(f"Portal users (sign in at {self.site.url}/accounts/login/):")
        for seeded in result.portal_users:
            password = (
                f"password {seeded.password} (shown only now)"
                if seeded.password
                else f"the password from {PORTAL_USER_PASSWORD_ENV}"
            )
            self.stdout.write(f"  {seeded.partner.name}: {seeded.username!r}, {password}")

    def print_next_steps(self, result):
        User = get_user_model()
        superuser = User.objects.filter(is_superuser=True).order_by("pk").first()
        if superuser is not None:
            username = superuser.get_username()
            self.stdout.write(
                f"Sign in to the back-office at {self.site.url}/admin/ as {username!r}."
            )
            if result.superuser is None:
                self.stdout.write(f"  Password lost? {MANAGE} changepassword {username}")
        portal_user = (
            Partner.objects.filter(name=DEMO_PARTNERS[0].name)
            .values_list("memberships__user__username", flat=True)
            .first()
        )
        if portal_user:
            self.stdout.write(
                f"Partner portal: {self.site.url}/portal/ (sign in at "
                f"{self.site.url}/accounts/login/ as {portal_user!r}; password lost? "
                f"{MANAGE} changepassword {portal_user})."
            )
        key = next((seeded.key for seeded in result.partners if seeded.key), None)
        if key is None:
            self.stdout.write(
                f'Issue a key with `{MANAGE} partner issue-key "{DEMO_PARTNERS[0].name}"` '
                "and try it with:"
            )
        else:
            self.stdout.write("Try the OIOI endpoint:")
        self.stdout.write(
            f"  curl -s {self.site.url}/api/v4/request "
            f"-H 'Authorization: key={key or '<key>'}' -H 'Content-Type: application/json' "
            """-d '{"api-minimum-version-number": {}}'"""
        )
