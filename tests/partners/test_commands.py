"""The operator commands `partner` and `seed_demo` (README, operator commands)."""

import hashlib
import hmac
import io
import logging
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from datetime import UTC, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from clients.models import Authorization
from partners.models import ApiKey, AuditLogEntry, OperatorId, Partner, PartnerIdentifier
from partners.services import api_key_hash
from tests.factories import OperatorIdFactory, PartnerFactory, PartnerIdentifierFactory
from tests.helpers import oioi_post

MINIMUM_VERSION = "api-minimum-version-number"
KEY_RE = re.compile(r"^[a-z0-9]{8,12}\.[A-Za-z0-9_-]{32,}$")


def partner_cmd(*args):
    """Run ``manage.py partner ARGS``; return its standard output."""
    out = io.StringIO()
    call_command("partner", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args):
    """Run ``manage.py partner ARGS`` expecting a refusal; return its one-line reason."""
    with pytest.raises(CommandError) as info:
        partner_cmd(*args)
    message = str(info.value)
    assert message.strip()
    assert "\n" not in message
    return message


def row_counts():
    return (
        Partner.objects.count(),
        OperatorId.objects.count(),
        PartnerIdentifier.objects.count(),
        ApiKey.objects.count(),
    )


def assert_key_works(client, key):
    response = oioi_post(client, key, MINIMUM_VERSION, {})
    assert response.status_code == 200, response.content
    assert response.json()["result"]["code"] == 0


def assert_key_refused(client, key):
    response = oioi_post(client, key, MINIMUM_VERSION, {})
    assert response.status_code == 401, response.content
    assert response.json()["result"]["code"] == 210


def assert_stored_hashed(key):
    """The row holds the prefix and a keyed hash of the secret, never the secret."""
    prefix, _, secret = key.partition(".")
    row = ApiKey.objects.filter(prefix=prefix).values().get()
    assert row["secret_hash"] == api_key_hash(secret)
    assert row["secret_hash"] != secret
    for value in row.values():
        assert secret not in str(value)


# --- partner create ------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_with_everything():
    output = partner_cmd(
        "create",
        "Acme Charging",
        "--role",
        "cpo",
        "--role",
        "EMP",
        "--operator-id",
        "de8ps",
        "--operator-id",
        "DE*ABC",
        "--partner-identifier",
        "acme-identifier-000001",
        "--endpoint",
        "https://acme.example/oioi",
        "--endpoint-key",
        "their-key-for-us-123456",
    )

    partner = Partner.objects.get(name="Acme Charging")
    assert (partner.is_cpo, partner.is_emp, partner.is_oem, partner.is_fleet) == (
        True,
        True,
        False,
        False,
    )
    assert partner.slug == "acme-charging"
    assert sorted(partner.operator_ids.values_list("value", flat=True)) == ["DE*8PS", "DE*ABC"]
    assert list(partner.identifiers.values_list("value", flat=True)) == ["acme-identifier-000001"]
    assert partner.endpoint_url == "https://acme.example/oioi"
    assert partner.endpoint_key == "their-key-for-us-123456"
    assert output.count("\n") == 1
    assert "Acme Charging" in output
    assert "acme-charging" in output
    assert "roles cpo, emp" in output
    assert "their-key-for-us" not in output


@pytest.mark.django_db
def test_create_minimal():
    output = partner_cmd("create", "Fleet Co", "--role", "fleet")

    partner = Partner.objects.get(name="Fleet Co")
    assert partner.roles == {"fleet"}
    assert partner.endpoint_url == ""
    assert not partner.identifiers.exists()
    assert output == "Created partner Fleet Co (fleet-co): roles fleet.\n"


@pytest.fixture
def taken(db):
    """A partner already holding the name "Taken", operator id DE*8PS and an identifier."""
    partner = PartnerFactory(name="Taken", slug="taken", is_cpo=True)
    OperatorIdFactory(partner=partner, value="DE*8PS")
    PartnerIdentifierFactory(partner=partner, value="taken-identifier-0001")
    return partner


@pytest.mark.django_db
def test_create_fleet_with_its_operator_id():
    """A fleet's operator id is the `fleet-cpo-id` of its fleet-post-members."""
    output = partner_cmd("create", "Fleet Ops", "--role", "fleet", "--operator-id", "NL*FLT")

    partner = Partner.objects.get(name="Fleet Ops")
    assert [o.normalized for o in partner.operator_ids.all()] == ["NLFLT"]
    assert "operator ids NL*FLT" in output


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--role", "cso"], "Unknown role 'cso'; choose from cpo, emp, oem, fleet."),
        ([], "the following arguments are required: --role"),
        (["--role", "cpo", "--operator-id", "DE-8PS"], "An operator id is a country code"),
        (["--role", "cpo", "--operator-id", "DE*8P"], "An operator id is a country code"),
        (["--role", "cpo", "--operator-id", "de8ps"], "Operator id de8ps is already registered."),
        (
            ["--role", "emp", "--operator-id", "DE*XYZ"],
            "Only a CPO or fleet partner registers operator",
        ),
        (
            ["--role", "cpo", "--partner-identifier", "fifteen-chars-1"],
            "A partner identifier has at least 16 characters.",
        ),
        (
            ["--role", "cpo", "--partner-identifier", "taken-identifier-0001"],
            "Partner identifier taken-identifier-0001 is already registered.",
        ),
        (
            # The first identifier is fine; the repeat is refused and takes the first with it.
            ["--role", "cpo"] + ["--partner-identifier", "repeated-identifier-01"] * 2,
            "Partner identifier repeated-identifier-01 is already registered.",
        ),
        (
            ["--role", "cpo", "--endpoint-key", "their-key-for-us-123456"],
            "An endpoint key goes with an endpoint URL.",
        ),
        (["--role", "cpo", "--endpoint", "acme.example oioi"], "--endpoint: Enter a valid URL."),
        (["--role", "cpo", "--endpoint", "ftp//acme"], "--endpoint: Enter a valid URL."),
    ],
)
def test_create_refused(taken, args, reason):
    before = row_counts()

    message = refused("create", "New Partner", *args)

    assert reason in message
    assert row_counts() == before
    assert not Partner.objects.filter(name="New Partner").exists()


@pytest.mark.parametrize("name", ["Taken", "taken"])
def test_create_refuses_a_taken_name_or_slug(taken, name):
    before = row_counts()

    message = refused("create", name, "--role", "emp")

    assert "already exists" in message
    assert row_counts() == before
    assert Partner.objects.get(slug="taken").is_cpo


@pytest.mark.django_db
def test_create_after_refusal_leaves_operator_id_free():
    """A refused create rolls back its operator ids too: a retry can register them."""
    refused(
        "create",
        "Retry CPO",
        "--role",
        "cpo",
        "--operator-id",
        "DE*RTY",
        "--partner-identifier",
        "short",
    )
    assert not OperatorId.objects.exists()

    partner_cmd("create", "Retry CPO", "--role", "cpo", "--operator-id", "DE*RTY")

    assert OperatorId.objects.get().partner.name == "Retry CPO"


# --- partner issue-key ---------------------------------------------------------------------


@pytest.fixture
def acme(db):
    partner_cmd(
        "create", "Acme CPO", "--role", "cpo", "--partner-identifier", "acme-identifier-000001"
    )
    return Partner.objects.get(name="Acme CPO")


def test_issue_key_prints_a_working_key_last(client, acme, caplog):
    caplog.set_level(logging.DEBUG)

    output = partner_cmd("issue-key", "Acme CPO")

    *info, key = output.splitlines()
    assert output.endswith(key + "\n")
    assert KEY_RE.match(key)
    prefix = key.partition(".")[0]
    assert len(info) == 1
    assert prefix in info[0]
    assert "Acme CPO" in info[0]
    assert "expires never" in info[0]
    assert key not in info[0]
    api_key = ApiKey.objects.get()
    assert (api_key.partner, api_key.prefix, api_key.expires_at) == (acme, prefix, None)
    assert_stored_hashed(key)
    assert key.partition(".")[2] not in caplog.text
    assert_key_works(client, key)


def test_issue_key_by_slug_with_label_and_expiry(client, acme):
    plus_two = dt_timezone(timedelta(hours=2))
    expires = (timezone.now() + timedelta(days=30)).astimezone(plus_two).replace(microsecond=0)

    output = partner_cmd(
        "issue-key", "acme-cpo", "--label", "billing system", "--expires", expires.isoformat()
    )

    key = output.splitlines()[-1]
    api_key = ApiKey.objects.get(prefix=key.partition(".")[0])
    assert api_key.partner == acme
    assert api_key.label == "billing system"
    assert api_key.expires_at == expires
    # Reported in UTC, whatever offset it was given with.
    utc_text = expires.astimezone(UTC).isoformat()
    assert f"expires {utc_text}" in output
    assert_key_works(client, key)


def test_issue_key_accepts_z_suffix(acme):
    expires = (timezone.now() + timedelta(days=1)).replace(microsecond=0)

    output = partner_cmd(
        "issue-key", "Acme CPO", "--expires", expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    )

    assert (
        ApiKey.objects.get(prefix=output.splitlines()[-1].partition(".")[0]).expires_at == expires
    )


def test_issue_key_keeps_earlier_keys_working(client, acme):
    first = partner_cmd("issue-key", "Acme CPO").splitlines()[-1]
    second = partner_cmd("issue-key", "Acme CPO").splitlines()[-1]

    assert first != second
    assert_key_works(client, first)
    assert_key_works(client, second)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["Nobody"], "No partner has the name or slug 'Nobody'."),
        (["acme cpo"], "No partner has the name or slug 'acme cpo'."),
        (["Acme CPO", "--expires", "2099-01-01T00:00:00"], "has no UTC offset"),
        (["Acme CPO", "--expires", "2099-01-01"], "has no UTC offset"),
        (["Acme CPO", "--expires", "next tuesday"], "is not an ISO 8601 date and time"),
        (["Acme CPO", "--expires", "2099-13-01T00:00:00Z"], "is not an ISO 8601 date and time"),
        (["Acme CPO", "--expires", "2020-01-01T00:00:00+00:00"], "The expiry lies in the past."),
    ],
)
def test_issue_key_refused(acme, args, reason):
    message = refused("issue-key", *args)

    assert reason in message
    assert not ApiKey.objects.exists()


def test_issue_key_refuses_an_expiry_just_past(acme):
    just_past = (timezone.now() - timedelta(seconds=5)).isoformat()

    assert "The expiry lies in the past." in refused(
        "issue-key", "Acme CPO", "--expires", just_past
    )
    assert not ApiKey.objects.exists()


# --- partner revoke-key --------------------------------------------------------------------


def test_revoke_key(client, acme):
    key = partner_cmd("issue-key", "Acme CPO").splitlines()[-1]
    other = partner_cmd("issue-key", "Acme CPO").splitlines()[-1]
    prefix = key.partition(".")[0]
    assert_key_works(client, key)

    output = partner_cmd("revoke-key", prefix)

    assert output.count("\n") == 1
    assert f"Revoked API key {prefix} of partner Acme CPO" in output
    assert ApiKey.objects.get(prefix=prefix).revoked_at is not None
    assert_key_refused(client, key)
    # Only that key: rotation relies on the others going on working.
    assert_key_works(client, other)


def test_revoke_key_twice_succeeds_and_changes_nothing(client, acme):
    key = partner_cmd("issue-key", "Acme CPO").splitlines()[-1]
    prefix = key.partition(".")[0]
    partner_cmd("revoke-key", prefix)
    revoked_at = ApiKey.objects.get(prefix=prefix).revoked_at

    output = partner_cmd("revoke-key", prefix)

    assert "already revoked" in output
    assert "nothing changed" in output
    assert ApiKey.objects.get(prefix=prefix).revoked_at == revoked_at
    assert_key_refused(client, key)


def test_revoke_key_unknown_prefix(acme):
    partner_cmd("issue-key", "Acme CPO")

    assert refused("revoke-key", "nosuchkey0") == "No API key has the prefix 'nosuchkey0'."
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()


def test_revoke_key_refuses_a_whole_key_without_echoing_it(client, acme):
    key = partner_cmd("issue-key", "Acme CPO").splitlines()[-1]

    message = refused("revoke-key", key)

    assert "prefix" in message
    assert key.partition(".")[2] not in message
    assert_key_works(client, key)


# --- the real command line -----------------------------------------------------------------

MANAGE_PY = Path(settings.BASE_DIR) / "manage.py"


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """
    Run ``manage.py`` in a child process on a migrated SQLite file of its own, holding the
    partner "CLI CPO": the test database lives inside this process's transaction, where a
    child cannot see it.
    """
    var_dir = tmp_path_factory.mktemp("cli")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oioi_portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "API_KEY_HASH_SECRET": secrets.token_urlsafe(32),
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
    }

    def run(*args):
        # Our own interpreter and manage.py, with arguments fixed by the tests.
        return subprocess.run(  # noqa: S603
            [sys.executable, str(MANAGE_PY), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    migrated = run("migrate", "--noinput", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    created = run("partner", "create", "CLI CPO", "--role", "cpo")
    assert created.returncode == 0, created.stderr
    assert created.stdout == "Created partner CLI CPO (cli-cpo): roles cpo.\n"
    run.env = env
    run.database = var_dir / "db.sqlite3"
    return run


def test_cli_issue_key_last_line_is_the_key(cli):
    issued = cli("partner", "issue-key", "CLI CPO", "--label", "from a script")

    assert issued.returncode == 0, issued.stderr
    lines = issued.stdout.splitlines()
    key = lines[-1]
    assert KEY_RE.match(key)
    assert issued.stdout.endswith(key + "\n")
    assert key not in "\n".join(lines[:-1]) + issued.stderr
    prefix, _, secret = key.partition(".")
    with sqlite3.connect(cli.database) as db:
        stored = db.execute(
            "SELECT secret_hash, label FROM oioi_portal_apikey WHERE prefix = ?", (prefix,)
        ).fetchone()
    expected = hmac.new(
        cli.env["API_KEY_HASH_SECRET"].encode(), secret.encode(), hashlib.sha256
    ).hexdigest()
    assert stored == (expected, "from a script")

    revoked = cli("partner", "revoke-key", prefix)

    assert revoked.returncode == 0, revoked.stderr
    assert f"Revoked API key {prefix}" in revoked.stdout


@pytest.mark.parametrize(
    ("args", "status", "reason"),
    [
        (["issue-key", "Nobody"], 1, "CommandError: No partner has the name or slug 'Nobody'."),
        (
            ["issue-key", "CLI CPO", "--expires", "2099-01-01T00:00:00"],
            1,
            "CommandError: --expires '2099-01-01T00:00:00' has no UTC offset",
        ),
        (["create", "No Role"], 2, "the following arguments are required: --role"),
    ],
)
def test_cli_refusal_is_one_line_and_non_zero(cli, args, status, reason):
    result = cli("partner", *args)

    assert result.returncode == status
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert reason in result.stderr


# --- seed_demo -----------------------------------------------------------------------------

DEMO_NAMES = [
    "Demo CPO",
    "Demo EMP",
    "Demo OEM",
    "Demo Fleet",
    "Demo CPO Berlin",
    "Demo CPO Hamburg",
    "Demo CPO Süd",
]
DEMO_KEY_LINE = re.compile(r"^  (Demo [\w ]+) \((\w+)\): (\S+)$", re.MULTILINE)


def seed_demo(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def all_counts():
    return (*row_counts(), get_user_model().objects.count())


@pytest.fixture
def no_env_password(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)


def test_seed_demo_creates_partners_keys_and_superuser(client, db, no_env_password):
    output = seed_demo()

    partners = {p.name: p for p in Partner.objects.filter(name__in=DEMO_NAMES)}
    assert {name: sorted(p.roles) for name, p in partners.items()} == {
        "Demo CPO": ["cpo"],
        "Demo EMP": ["emp"],
        "Demo OEM": ["oem"],
        "Demo Fleet": ["fleet"],
        "Demo CPO Berlin": ["cpo"],
        "Demo CPO Hamburg": ["cpo"],
        "Demo CPO Süd": ["cpo"],
    }
    assert [str(o) for o in partners["Demo CPO"].operator_ids.all()] == ["DE*8PS"]
    # Every partner made is named in the summary.
    created = re.search(r"^Created demo partners: (.*)\.$", output, re.MULTILINE).group(1)
    assert created.split(", ") == DEMO_NAMES
    # The demo CPO's endpoint is the CPO simulator that `make run` starts (demo.sessions).
    assert partners["Demo CPO"].endpoint_url == "http://127.0.0.1:8001/oioi"
    assert partners["Demo CPO"].endpoint_key
    for partner in partners.values():
        values = list(partner.identifiers.values_list("value", flat=True))
        assert values
        assert all(len(value) >= 16 for value in values)
        assert all(value in output for value in values)

    keys = DEMO_KEY_LINE.findall(output)
    assert [(name, role) for name, role, _ in keys] == [
        ("Demo CPO", "cpo"),
        ("Demo EMP", "emp"),
        ("Demo OEM", "oem"),
        ("Demo CPO Berlin", "cpo"),
        ("Demo CPO Hamburg", "cpo"),
        ("Demo CPO Süd", "cpo"),
    ]
    for name, _, key in keys:
        assert ApiKey.objects.get(prefix=key.partition(".")[0]).partner.name == name
        assert_stored_hashed(key)
        assert_key_works(client, key)
    assert not partners["Demo Fleet"].api_keys.exists()
    # The one without a key is told how to get one, in the form the README uses.
    assert (
        "  Demo Fleet (fleet): none yet; for the REST API: .venv/bin/python manage.py partner "
        'issue-key "Demo Fleet"'
    ) in output
    assert "shown only now" in output

    password = re.search(r"superuser 'admin' with password (\S+) ", output).group(1)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(password)
    assert "http://127.0.0.1:8000/admin/" in output
    assert client.login(username="admin", password=password)

    cpo_key = keys[0][2]
    assert (
        f"curl -s http://127.0.0.1:8000/api/v4/request -H 'Authorization: key={cpo_key}'"
    ) in output
    assert '{"api-minimum-version-number": {}}' in output


def test_seed_demo_twice_creates_nothing_new(client, db, no_env_password):
    first = seed_demo()
    counts = all_counts()
    keys = [key for _, _, key in DEMO_KEY_LINE.findall(first)]

    second = seed_demo()

    assert all_counts() == counts
    assert "nothing created" in second
    assert not DEMO_KEY_LINE.findall(second)
    assert "Created superuser" not in second
    for key in keys:
        assert key not in second
        assert_key_works(client, key)
    assert "http://127.0.0.1:8000/admin/ as 'admin'" in second


def test_seed_demo_urls_follow_the_ports_make_run_serves_on(db, no_env_password):
    output = seed_demo(
        "--site-url", "http://127.0.0.1:9100", "--simulator-url", "http://127.0.0.1:9101/oioi",
        "--provider-url", "http://127.0.0.1:9102/oioi",
    )  # fmt: skip

    cpo = Partner.objects.get(name="Demo CPO")
    assert cpo.endpoint_url == "http://127.0.0.1:9101/oioi"
    assert Partner.objects.get(name="Demo OEM").endpoint_url == "http://127.0.0.1:9102/oioi"
    urls = set(re.findall(r"http://[\w.:]+", output))
    assert urls == {"http://127.0.0.1:9100", "http://127.0.0.1:9101", "http://127.0.0.1:9102"}
    assert "curl -s http://127.0.0.1:9100/api/v4/request" in output

    # A rerun on other ports moves the demo CPO to the simulator's new port, with its key.
    key = cpo.endpoint_key
    again = seed_demo(
        "--site-url", "http://127.0.0.1:9200", "--simulator-url", "http://127.0.0.1:9201/oioi",
        "--provider-url", "http://127.0.0.1:9202/oioi",
    )  # fmt: skip

    cpo.refresh_from_db()
    assert (cpo.endpoint_url, cpo.endpoint_key) == ("http://127.0.0.1:9201/oioi", key)
    assert set(re.findall(r"http://[\w.:]+", again)) == {
        "http://127.0.0.1:9200",
        "http://127.0.0.1:9201",
        "http://127.0.0.1:9202",
    }
    # Without the option, it stays where it is.
    seed_demo()
    cpo.refresh_from_db()
    assert cpo.endpoint_url == "http://127.0.0.1:9201/oioi"


def test_seed_demo_keeps_an_endpoint_staff_set_elsewhere(db, no_env_password):
    seed_demo()
    Partner.objects.filter(name="Demo CPO").update(endpoint_url="https://cpo.example/oioi")

    seed_demo("--simulator-url", "http://127.0.0.1:9301/oioi")

    assert Partner.objects.get(name="Demo CPO").endpoint_url == "https://cpo.example/oioi"


def test_seed_demo_password_from_environment(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-chosen-password-42")

    output = seed_demo()

    assert get_user_model().objects.get(username="admin").check_password("a-chosen-password-42")
    assert "a-chosen-password-42" not in output
    assert "DJANGO_SUPERUSER_PASSWORD" in output


def test_seed_demo_keeps_an_existing_superuser(db, no_env_password):
    get_user_model().objects.create_superuser("root", "", "root-password-123")

    output = seed_demo()

    # No second superuser (the demo partners' portal users are no staff).
    superusers = get_user_model().objects.filter(is_superuser=True)
    assert list(superusers.values_list("username", flat=True)) == ["root"]
    assert "as 'root'" in output
    assert Partner.objects.filter(name__in=DEMO_NAMES).count() == len(DEMO_NAMES)


def test_seed_demo_never_promotes_an_existing_admin(db, no_env_password):
    get_user_model().objects.create_user("admin", "", "admin-password-123")
    err = io.StringIO()

    call_command("seed_demo", stdout=io.StringIO(), stderr=err)

    assert not get_user_model().objects.filter(is_superuser=True).exists()
    assert "exists but is not a superuser" in err.getvalue()
    assert Partner.objects.filter(name__in=DEMO_NAMES).count() == len(DEMO_NAMES)


class Discarded(Exception):
    pass


def test_seed_demo_identifiers_are_random(db, no_env_password):
    # Two demo databases: the first is seeded and rolled back, the second seeded afresh.
    with pytest.raises(Discarded), transaction.atomic():
        seed_demo()
        first = set(PartnerIdentifier.objects.values_list("value", flat=True))
        raise Discarded

    seed_demo()

    second = set(PartnerIdentifier.objects.values_list("value", flat=True))
    assert len(second) == len(first) >= 4
    assert not first & second


def test_seed_demo_all_or_nothing(db, no_env_password):
    """A demo partner refused halfway takes the ones created before it with it."""
    # Demo CPO is created first; Demo EMP's slug is taken.
    PartnerFactory(name="Someone Else", slug="demo-emp")
    before = all_counts()

    with pytest.raises(CommandError) as info:
        seed_demo()

    assert str(info.value) == (
        "Demo data not created: slug: Partner with this Slug already exists."
    )
    assert all_counts() == before
    assert not Partner.objects.filter(name__in=DEMO_NAMES).exists()


def test_seed_demo_refuses_a_taken_operator_id(db, no_env_password):
    OperatorIdFactory(partner=PartnerFactory(name="Real CPO"), value="DE*8PS")
    before = all_counts()

    with pytest.raises(CommandError) as info:
        seed_demo()

    assert str(info.value) == "Demo data not created: Operator id DE*8PS is already registered."
    assert all_counts() == before


# --- audit prune ---------------------------------------------------------------------------


def logged_rows(cpo, client, days_ago):
    """One audit log row and one authorization log row, dated ``days_ago`` days back."""
    cpo.post(client, "rfid-verify", {"rfid": "04A1B2C3"})
    moment = timezone.now() - timedelta(days=days_ago)
    # Only the clock can age a row: move the rows just written back in time.
    newest = AuditLogEntry.objects.order_by("-pk")[:1].values("pk")
    AuditLogEntry.objects.filter(pk__in=newest).update(created_at=moment)
    Authorization.objects.filter(pk=Authorization.objects.latest("pk").pk).update(created_at=moment)
    return AuditLogEntry.objects.latest("pk"), Authorization.objects.latest("pk")


def test_audit_prune_refuses_a_date_within_the_minimum_retention(cpo, client, settings):
    settings.AUDIT_MIN_RETENTION_DAYS = 30
    logged_rows(cpo, client, days_ago=400)
    before = (AuditLogEntry.objects.count(), Authorization.objects.count())
    too_recent = timezone.localdate() - timedelta(days=29)

    with pytest.raises(CommandError) as info:
        call_command("audit", "prune", "--before", too_recent.isoformat(), stdout=io.StringIO())

    assert "within the minimum retention of 30 days" in str(info.value)
    assert (AuditLogEntry.objects.count(), Authorization.objects.count()) == before


def test_audit_prune_deletes_only_rows_older_than_the_date(cpo, client, settings):
    settings.AUDIT_MIN_RETENTION_DAYS = 30
    old_entry, old_authorization = logged_rows(cpo, client, days_ago=40)
    kept_entry, kept_authorization = logged_rows(cpo, client, days_ago=20)
    out = io.StringIO()

    call_command(
        "audit",
        "prune",
        "--before",
        (timezone.localdate() - timedelta(days=30)).isoformat(),
        stdout=out,
    )

    assert not AuditLogEntry.objects.filter(pk=old_entry.pk).exists()
    assert not Authorization.objects.filter(pk=old_authorization.pk).exists()
    assert AuditLogEntry.objects.filter(pk=kept_entry.pk).exists()
    assert Authorization.objects.filter(pk=kept_authorization.pk).exists()
    assert "Deleted 1 row(s) of the audit log" in out.getvalue()
    assert "Deleted 1 row(s) of the authorization log" in out.getvalue()


@pytest.mark.parametrize(
    ("before", "status", "reason"),
    [
        ("2000-01-01", 0, ""),
        ("2999-01-01", 1, "CommandError: 2999-01-01 is within the minimum retention of 365 days"),
        ("yesterday", 1, "CommandError: --before 'yesterday' is not a date like 2025-01-31."),
        (None, 2, "the following arguments are required: --before"),
    ],
)
def test_cli_audit_prune_exit_status(cli, before, status, reason):
    result = cli("audit", "prune", *(["--before", before] if before else []))

    assert result.returncode == status, result.stderr
    if status:
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert reason in result.stderr
    else:
        assert "Deleted 0 row(s) of the audit log from before 2000-01-01." in result.stdout
