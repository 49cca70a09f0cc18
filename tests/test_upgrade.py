"""
The upgrade across the restructure (issue 14): a database at the migration state of the last
commit before it (57f0cea), filled with demo data, migrates to the new layout without losing a
table or a row, and serves the same answers. The models moved from ``oioi_portal`` to
``partners`` and ``portal`` by state-only migrations (their tables kept), and their content
types were handed over, so permissions, staff groups and admin log entries follow them.

Runs on the test database itself (transactional), so on SQLite and PostgreSQL alike: back to the
old state (which shows the reverse works too), seed with the old labels, record, forward, compare;
and, pass or fail, forward to the latest state, as the other tests expect the database.
"""

import io
import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from core.commands import PORTAL_USER_PASSWORD_ENV
from partners import services
from partners.models import (
    ApiKey,
    AuditLogEntry,
    Delivery,
    DeliveryAttempt,
    Partner,
    PartnerMembership,
    RateLimitCounter,
)
from portal.models import SignInThrottle
from stations.models import Station
from tests.helpers import oioi_post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# The leaf migrations of 57f0cea (`git ls-tree -r 57f0cea -- '*/migrations/'`); Django's own apps
# had the same migrations then as now.
OLD_LEAVES = [
    ("oioi_portal", "0006_partner_protected"),
    ("stations", "0002_partner_deletion"),
    ("clients", "0004_offline_whitelist_push"),
    ("sessions_app", "0001_initial"),
    ("cdrs", "0004_cdr_billed_identifiers"),
]
# The apps the restructure added; they had no migrations at 57f0cea.
NEW_APPS = ["partners", "portal"]
OLD_LABEL = "oioi_portal"
# Tables a later migration adds on purpose (none: the restructure only moved models).
NEW_TABLES = set()

# The staff groups as 57f0cea's post_migrate kept them (oioi_portal/groups.py then): view on
# every model of these apps and the admin's, and partner management's extra actions.
OLD_VIEW_APPS = (OLD_LABEL, "stations", "cdrs", "clients", "sessions_app", "admin")
OLD_MANAGEMENT_ACTIONS = {
    (OLD_LABEL, "partner"): ("add", "change"),
    (OLD_LABEL, "partneridentifier"): ("add", "change", "delete"),
    (OLD_LABEL, "operatorid"): ("add", "change", "delete"),
    (OLD_LABEL, "apikey"): ("add", "change"),
    ("stations", "station"): ("change",),
    ("stations", "company"): ("add", "change"),
    (OLD_LABEL, "delivery"): ("retry",),
    ("clients", "customer"): ("add", "change"),
    ("clients", "contract"): ("add", "change"),
    ("clients", "chargingkey"): ("add", "change"),
    ("cdrs", "cdr"): ("review",),
}
SUPPORT = "Support (read-only)"
PARTNER_MANAGEMENT = "Partner management"
# What the groups lose when migrate's post_migrate recomputes them (partners.groups): the sign-in
# throttle moved to ``portal``, which is not among the apps staff view, and has no admin page.
NOT_IN_NEW_GROUPS = {("portal", "view_signinthrottle")}
# seed_demo's portal users' password (PORTAL_USER_PASSWORD).
PORTAL_PASSWORD = "upgrade-portal-password"  # noqa: S105


def migrate_to(targets):
    """Migrate the test database to ``targets`` as ``migrate`` would, without its signals."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)


def latest_targets():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def old_targets():
    return OLD_LEAVES + [(app, None) for app in NEW_APPS]


def table_counts():
    """Every table's row count, but the migration recorder's (it gains the new migrations)."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names():
            if table == "django_migrations":
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def content_types():
    return {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.all()}


def permissions():
    """Every permission as (id, app label, codename), and each group's and user's."""
    return {
        "all": set(Permission.objects.values_list("pk", "content_type__app_label", "codename")),
        "groups": {
            group.name: set(group.permissions.values_list("pk", flat=True))
            for group in Group.objects.all()
        },
        "members": set(get_user_model().groups.through.objects.values_list("user_id", "group_id")),
        "users": set(
            get_user_model().user_permissions.through.objects.values_list(
                "user_id", "permission_id"
            )
        ),
    }


def issue_key(partner_name):
    """A key issued with the operator command, as staff would; its plaintext is the last line."""
    out = io.StringIO()
    call_command("partner", "issue-key", partner_name, "--label", "upgrade", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def page(response):
    """A page's HTML without what differs on every rendering (CSRF tokens, CSP nonces)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def answers(client, portal, keys, station_ids, app_label):
    """
    What partners, portal users and staff are answered; ``app_label`` names the permissions of
    the moved models (the old label before the upgrade, the new one after).
    """
    answered = {}
    by_ids = oioi_post(client, keys["emp"], "station-get-by-ids", {"station-ids": station_ids})
    answered["station-get-by-ids"] = (by_ids.status_code, by_ids.json())
    for uid in ("04A1B2C3", "04A1B2C4", "0E0E0E01"):
        verify = oioi_post(client, keys["cpo"], "rfid-verify", {"rfid": uid})
        answered[f"rfid-verify {uid}"] = (verify.status_code, verify.json())
    for url, key in (
        ("/api/v1/stations/", keys["cpo"]),
        ("/api/v1/cdrs/", keys["emp"]),
        ("/api/v1/deliveries/", keys["emp"]),
    ):
        listed = client.get(url, HTTP_AUTHORIZATION=f"key={key}")
        answered[url] = (listed.status_code, listed.json())
    for url in ("/portal/stations/", "/portal/users/"):
        shown = portal.get(url)
        answered[url] = (shown.status_code, page(shown))
    User = get_user_model()
    # Through a group, and (the support user's change_partneridentifier) granted directly.
    answered["has_perm"] = {
        (username, codename): User.objects.get(username=username).has_perm(
            f"{app_label}.{codename}"
        )
        for username in ("upgrade-manager", "upgrade-support")
        for codename in (
            "add_apikey",
            "change_partner",
            "retry_delivery",
            "delete_apikey",
            "change_partneridentifier",
        )
    }
    return answered


def seed_the_old_database(old_apps, client, portal):
    """
    Demo data as 57f0cea held it: ``seed_demo`` and the operator command write the same tables
    as then; what names content types (groups, permissions, admin log) is written with the
    historical models, under the labels of the time.
    """
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    keys = {"emp": issue_key("Demo EMP"), "cpo": issue_key("Demo CPO")}
    cpo = Partner.objects.get(name="Demo CPO")
    # A key for named partner identifiers only, and a minute's count of its requests.
    scoped = services.api_key_issue(cpo, partner_identifiers=cpo.identifiers.all()).api_key
    RateLimitCounter.objects.create(api_key=scoped, minute=29_000_000, hits=3)

    emp = Partner.objects.get(name="Demo EMP")
    delivered = services.delivery_enqueue(
        emp, "session-post", {"cdr": {"id": "upgrade-1"}}, subject="CDR upgrade-1"
    )
    delivered.attempt_log.create(
        number=1,
        started_at=timezone.now(),
        duration_ms=12,
        request_id="upgrade-request",
        http_status=200,
        result_code=0,
        outcome="delivered",
    )
    services.delivery_enqueue(emp, "session-post", {"cdr": {"id": "upgrade-2"}}, subject="pending")
    # A failed sign-in leaves its throttle row; the portal user signs in, and stays signed in
    # across the upgrade (the session table is kept).
    client.post("/accounts/login/", {"username": "someone", "password": "not-the-password"})
    signed_in = portal.post(
        "/accounts/login/", {"username": "demo-cpo", "password": PORTAL_PASSWORD}
    )
    assert signed_in.status_code == 302, signed_in.content

    ContentType_ = old_apps.get_model("contenttypes", "ContentType")
    Permission_ = old_apps.get_model("auth", "Permission")
    Group_ = old_apps.get_model("auth", "Group")
    User_ = old_apps.get_model("auth", "User")
    LogEntry_ = old_apps.get_model("admin", "LogEntry")
    view = Permission_.objects.filter(
        content_type__app_label__in=OLD_VIEW_APPS, codename__startswith="view_"
    )
    manage = Q(pk__in=[])
    for (app_label, model), actions in OLD_MANAGEMENT_ACTIONS.items():
        manage |= Q(
            content_type__app_label=app_label,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    support, _ = Group_.objects.get_or_create(name=SUPPORT)
    support.permissions.set(view)
    management, _ = Group_.objects.get_or_create(name=PARTNER_MANAGEMENT)
    management.permissions.set(Permission_.objects.filter(Q(pk__in=view) | manage))
    User_.objects.create(username="upgrade-manager", is_staff=True).groups.add(management)
    supporter = User_.objects.create(username="upgrade-support", is_staff=True)
    supporter.groups.add(support)
    supporter.user_permissions.add(
        Permission_.objects.get(
            content_type__app_label=OLD_LABEL, codename="change_partneridentifier"
        )
    )

    superuser = User_.objects.get(username="admin")
    logged = [
        (OLD_LABEL, "partner", emp.pk, str(emp), CHANGE),
        (OLD_LABEL, "apikey", ApiKey.objects.filter(partner=emp).first().pk, "key", ADDITION),
        (OLD_LABEL, "delivery", delivered.pk, str(delivered), CHANGE),
        (OLD_LABEL, "partnermembership", PartnerMembership.objects.first().pk, "member", CHANGE),
        (OLD_LABEL, "signinthrottle", SignInThrottle.objects.get().pk, "throttle", CHANGE),
        ("stations", "station", Station.objects.order_by("pk").first().pk, "station", CHANGE),
    ]
    for app_label, model, pk, text, flag in logged:
        LogEntry_.objects.create(
            user=superuser,
            content_type=ContentType_.objects.get(app_label=app_label, model=model),
            object_id=str(pk),
            object_repr=text,
            action_flag=flag,
            change_message="[]",
        )
    return keys


def test_a_database_of_57f0cea_with_demo_data_upgrades_keeping_every_row_and_answer(
    client, monkeypatch
):
    monkeypatch.setenv(PORTAL_USER_PASSWORD_ENV, PORTAL_PASSWORD)
    tables_now = set(connection.introspection.table_names())
    counts_now, types_now = table_counts(), content_types()
    executor = migrate_to(old_targets())
    try:
        # The way back is state-only too: every row stays, and the content types of the moved
        # models return to the old label under the same ids.
        assert table_counts() == counts_now
        assert content_types() == {
            (OLD_LABEL if app_label in NEW_APPS else app_label, model): pk
            for (app_label, model), pk in types_now.items()
        }
        upgrade(executor, client, tables_now)
    finally:
        migrate_to(latest_targets())


def upgrade(executor, client, tables_now):
    portal = Client()
    ours = {app for app, _ in OLD_LEAVES} | set(NEW_APPS)
    graph = executor.loader.graph
    # Django's own apps (admin, auth, ...) are at the same migrations then and now.
    theirs = [leaf for leaf in graph.leaf_nodes() if leaf[0] not in ours]
    old_state = executor.loader.project_state(OLD_LEAVES + theirs)
    applied = {key for key in executor.recorder.applied_migrations() if key[0] in ours}
    assert applied == {
        key for leaf in OLD_LEAVES for key in graph.forwards_plan(leaf) if key[0] in ours
    }
    # Back at the old state the moved models' content types carry the old label again.
    assert not ContentType.objects.filter(app_label__in=NEW_APPS).exists()

    keys = seed_the_old_database(old_state.apps, client, portal)
    # Nothing above named the new apps (the current code ran on the old tables).
    assert not ContentType.objects.filter(app_label__in=NEW_APPS).exists()
    station_ids = list(Station.objects.order_by("pk").values_list("pk", flat=True)[:5])

    before = answers(client, portal, keys, station_ids, OLD_LABEL)
    for model in (
        AuditLogEntry,
        Delivery,
        DeliveryAttempt,
        SignInThrottle,
        PartnerMembership,
        ApiKey,
        ApiKey.partner_identifiers.through,
        RateLimitCounter,
        LogEntry,
    ):
        assert model.objects.exists(), model
    assert before["station-get-by-ids"][0] == 200
    assert len(before["station-get-by-ids"][1]["stations"]) == len(station_ids)
    assert before["has_perm"] == {
        ("upgrade-manager", "add_apikey"): True,
        ("upgrade-manager", "change_partner"): True,
        ("upgrade-manager", "retry_delivery"): True,
        ("upgrade-manager", "delete_apikey"): False,
        ("upgrade-manager", "change_partneridentifier"): True,
        ("upgrade-support", "add_apikey"): False,
        ("upgrade-support", "change_partner"): False,
        ("upgrade-support", "retry_delivery"): False,
        ("upgrade-support", "delete_apikey"): False,
        ("upgrade-support", "change_partneridentifier"): True,
    }
    counts = table_counts()
    old_types = content_types()
    old_permissions = permissions()
    old_log = dict(LogEntry.objects.values_list("pk", "object_id"))

    migrate_to(latest_targets())

    assert set(connection.introspection.table_names()) == tables_now | NEW_TABLES
    upgraded = table_counts()
    assert {table: n for table, n in upgraded.items() if table not in NEW_TABLES} == counts
    # Each old model's content type is its current model's, same id, under the new label.
    new_types = content_types()
    for (app_label, model), pk in old_types.items():
        current = ContentType.objects.get(pk=pk)
        if app_label == OLD_LABEL:
            assert current.app_label in NEW_APPS, (app_label, model)
        else:
            assert current.app_label == app_label
        assert current.model == model
        assert current.model_class() is not None, (app_label, model)
    assert not ContentType.objects.filter(app_label=OLD_LABEL).exists()
    assert len(new_types) == len(old_types)
    assert new_types[("partners", "apikey")] == old_types[(OLD_LABEL, "apikey")]
    assert new_types[("portal", "signinthrottle")] == old_types[(OLD_LABEL, "signinthrottle")]
    new_permissions = permissions()
    assert new_permissions["groups"] == old_permissions["groups"]
    assert new_permissions["members"] == old_permissions["members"]
    assert new_permissions["users"] == old_permissions["users"]
    assert {(pk, codename) for pk, _, codename in new_permissions["all"]} == {
        (pk, codename) for pk, _, codename in old_permissions["all"]
    }
    # The admin's log still finds what it names.
    assert dict(LogEntry.objects.values_list("pk", "object_id")) == old_log
    for entry in LogEntry.objects.select_related("content_type"):
        assert str(entry.get_edited_object().pk) == entry.object_id
        if admin.site.is_registered(entry.content_type.model_class()):
            label = entry.content_type.app_label
            assert entry.get_admin_url().startswith(f"/admin/{label}/"), entry

    after = answers(client, portal, keys, station_ids, "partners")
    assert after == before
    manager = get_user_model().objects.get(username="upgrade-manager")
    assert not manager.has_perm(f"{OLD_LABEL}.add_apikey")
    client.force_login(manager)
    assert client.get("/admin/partners/apikey/").status_code == 200
    assert client.get("/admin/partners/delivery/").status_code == 200
    client.logout()

    # migrate's own signals (an operator runs `manage.py migrate`): no content type or
    # permission is created anew, and the staff groups keep theirs.
    call_command("migrate", verbosity=0, interactive=False)
    ContentType.objects.clear_cache()
    assert content_types() == new_types
    recomputed = permissions()
    assert recomputed["all"] == new_permissions["all"]
    names = {pk: (app_label, codename) for pk, app_label, codename in new_permissions["all"]}
    lost = set()
    for group, granted in old_permissions["groups"].items():
        assert recomputed["groups"][group] <= granted
        lost |= {names[pk] for pk in granted - recomputed["groups"][group]}
    assert lost == NOT_IN_NEW_GROUPS
    assert recomputed["members"] == old_permissions["members"]
    assert recomputed["users"] == old_permissions["users"]
