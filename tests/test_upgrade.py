"""
The upgrade across the restructure (issue 14): a database at the migration state of the last
commit before it (57f0cea), filled with that commit's demo data, migrates to the new layout
without losing a table or a row, and serves the answers that data implies. The models moved from
``oioi_portal`` to ``partners`` and ``portal`` by state-only migrations (their tables kept), and
their content types were handed over, so permissions, staff groups and admin log entries follow.

At the old state only the historical models (the migration state's apps) touch the database:
today's models and services describe today's tables, which later migrations change. The data is
``fixtures/demo_at_57f0cea.json``, which 57f0cea's own ``seed_demo`` wrote. After the upgrade
today's code answers, and what it must answer is worked out from the fixture itself.

Runs on the test database itself (transactional), so on SQLite and PostgreSQL alike: back to the
old state (which shows the reverse works too), fill, forward, compare; and, pass or fail,
forward to the latest state, as the other tests expect the database.
"""

import json
import string
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from partners.services import api_key_hash
from tests.helpers import oioi_post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FIXTURE = Path(__file__).parent / "fixtures" / "demo_at_57f0cea.json"
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
BASE_DIR = Path(settings.BASE_DIR)
NEW_APPS = ["partners", "portal"]
OLD_LABEL = "oioi_portal"

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
# What the groups lose when migrate's post_migrate recomputes them (partners.groups): nothing,
# the moved models' apps are among those staff view.
NOT_IN_NEW_GROUPS = set()
# The grants above, as the group members must hold them after the upgrade (under "partners").
EXPECTED_PERMS = {
    ("upgrade-manager", "add_apikey"): True,
    ("upgrade-manager", "change_partner"): True,
    ("upgrade-manager", "retry_delivery"): True,
    ("upgrade-manager", "delete_apikey"): False,
    ("upgrade-manager", "change_partneridentifier"): True,
    ("upgrade-support", "add_apikey"): False,
    ("upgrade-support", "change_partner"): False,
    ("upgrade-support", "retry_delivery"): False,
    ("upgrade-support", "delete_apikey"): False,
    # Granted to the user directly.
    ("upgrade-support", "change_partneridentifier"): True,
}

# API keys written at the old state, by fixture partner name: (prefix, secret, scoped), where a
# scoped key acts for its partner's identifiers only.
KEYS = {
    "cpo": ("Demo CPO", "upgcpo0001", "upgrade-cpo-secret-" + "c" * 24, False),
    "emp": ("Demo EMP", "upgemp0001", "upgrade-emp-secret-" + "e" * 24, False),
    "scoped": ("Demo CPO", "upgcpo0002", "upgrade-scoped-secret-" + "s" * 21, True),
}
# The portal user whose session is written at the old state and must still be valid after.
PORTAL_USER = "demo-cpo"
# Stations asked for by id: some of each CPO's, all visible to an EMP (see ``expected``).
ASKED_STATIONS = [1, 6, 10, 14, 15]
# UIDs to verify: a key in each state, a customer without payment, an EMP's whitelisted
# contract, a whitelisted UID without a key, and one nobody knows.
VERIFIED_UIDS = ["04A1B2C3", "04A1B2C4", "04A1B2C5", "04A1B2C6", "0E0E0E01", "0E0E0E02", "0F0F0F0F"]


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


def tables_by_model(state):
    """Each table of a migration state, to the (app label, model name) that owns it."""
    return {
        model._meta.db_table: (model._meta.app_label, model._meta.model_name)
        for model in state.apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def model_keys(state):
    """(app label, model name) of every model of a migration state."""
    return {(model._meta.app_label, model._meta.model_name) for model in state.apps.get_models()}


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


def load_fixture(old_apps, objects):
    """
    What ``loaddata`` does, with the historical models: rows in file order, relations by id
    (the foreign keys are checked at commit on both databases), then many-to-many, then the
    PostgreSQL sequences past the ids written.
    """
    rows, related = defaultdict(list), []
    for item in objects:
        model = old_apps.get_model(item["model"])
        obj = model(pk=model._meta.pk.to_python(item["pk"]))
        for name, value in item["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                related.append((obj, field, value))
            else:
                setattr(obj, field.attname, field.to_python(value))
        rows[model].append(obj)
    with transaction.atomic():
        for model, objs in rows.items():
            # bulk_create stamps auto_now(_add) fields with the current time: the fixture's
            # times are written back.
            stamped = [
                field.name
                for field in model._meta.concrete_fields
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            ]
            kept = [[getattr(obj, name) for name in stamped] for obj in objs]
            model.objects.bulk_create(objs)
            if stamped:
                for obj, values in zip(objs, kept, strict=True):
                    for name, value in zip(stamped, values, strict=True):
                        setattr(obj, name, value)
                model.objects.bulk_update(objs, stamped)
        for obj, field, value in related:
            getattr(obj, field.name).set(value)
    reset_sequences(rows)


def reset_sequences(models):
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def seed_the_old_database(old_apps, objects):
    """
    The fixture, and what ``seed_demo`` did not write, all with the historical models: API keys
    with known secrets, a rate-limit count, deliveries, the audit and admin logs, a sign-in
    throttle, a portal user's session, and the staff groups under the labels of the time.
    """
    load_fixture(old_apps, objects)

    def model(name, app_label=OLD_LABEL):
        return old_apps.get_model(app_label, name)

    Partner_ = model("Partner")
    for prefix, (partner_name, key_prefix, secret, scoped) in KEYS.items():
        partner = Partner_.objects.get(name=partner_name)
        key = model("ApiKey").objects.create(
            partner=partner,
            prefix=key_prefix,
            secret_hash=api_key_hash(secret),
            label=f"upgrade {prefix}",
        )
        if scoped:
            key.partner_identifiers.set(model("PartnerIdentifier").objects.filter(partner=partner))
            model("RateLimitCounter").objects.create(api_key=key, minute=29_000_000, hits=3)

    emp = Partner_.objects.get(name="Demo EMP")
    Delivery_ = model("Delivery")
    delivered = Delivery_.objects.create(
        partner=emp,
        call="session-post",
        payload={"cdr": {"id": "upgrade-1"}},
        subject="CDR upgrade-1",
        state="delivered",
        attempts=1,
        max_attempts=8,
        delivered_at=timezone.now(),
    )
    model("DeliveryAttempt").objects.create(
        delivery=delivered,
        number=1,
        started_at=timezone.now(),
        duration_ms=12,
        request_id="upgrade-request",
        http_status=200,
        result_code=0,
        outcome="delivered",
    )
    Delivery_.objects.create(
        partner=emp,
        call="session-post",
        payload={"cdr": {"id": "upgrade-2"}},
        subject="pending",
        max_attempts=8,
    )
    model("AuditLogEntry").objects.create(
        partner=emp,
        request_id="upgrade-request",
        interface="oioi",
        key_prefix=KEYS["emp"][1],
        call="station-get-by-ids",
        method="POST",
        path="/oioi",
        http_status=200,
        result_code=0,
    )
    throttle = model("SignInThrottle").objects.create(
        username="someone", address="127.0.0.1", failures=1
    )

    User_ = model("User", "auth")
    portal_user = User_.objects.get(username=PORTAL_USER)
    # The session as the sign-in of the time left it; the sessions table is Django's own and
    # unchanged, and an unsaved user computes the hash that binds it to the password.
    session_key = get_random_string(32, string.ascii_lowercase + string.digits)
    model("Session", "sessions").objects.create(
        session_key=session_key,
        session_data=SessionStore().encode(
            {
                SESSION_KEY: str(portal_user.pk),
                BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: get_user_model()(
                    password=portal_user.password
                ).get_session_auth_hash(),
            }
        ),
        expire_date=timezone.now() + timedelta(days=1),
    )

    ContentType_ = model("ContentType", "contenttypes")
    Permission_ = model("Permission", "auth")
    Group_ = model("Group", "auth")
    # Only the permissions of models the old state has: those of later models are still in
    # the table (migrating back does not delete them), but no group of the time had them.
    of_the_time = Q(pk__in=[])
    for historical in old_apps.get_models():
        of_the_time |= Q(
            content_type__app_label=historical._meta.app_label,
            content_type__model=historical._meta.model_name,
        )
    view = Permission_.objects.filter(
        of_the_time, content_type__app_label__in=OLD_VIEW_APPS, codename__startswith="view_"
    )
    manage = Q(pk__in=[])
    for (app_label, model_name), actions in OLD_MANAGEMENT_ACTIONS.items():
        manage |= Q(
            content_type__app_label=app_label,
            codename__in=[f"{action}_{model_name}" for action in actions],
        )
    # The test database's post_migrate made the groups already: they get the grants of the time.
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
        (OLD_LABEL, "partner", emp.pk, CHANGE),
        (OLD_LABEL, "apikey", model("ApiKey").objects.get(prefix=KEYS["emp"][1]).pk, ADDITION),
        (OLD_LABEL, "delivery", delivered.pk, CHANGE),
        (OLD_LABEL, "partnermembership", model("PartnerMembership").objects.first().pk, CHANGE),
        (OLD_LABEL, "signinthrottle", throttle.pk, CHANGE),
        ("stations", "station", ASKED_STATIONS[0], CHANGE),
    ]
    for app_label, model_name, pk, flag in logged:
        model("LogEntry", "admin").objects.create(
            user=superuser,
            content_type=ContentType_.objects.get(app_label=app_label, model=model_name),
            object_id=str(pk),
            object_repr=model_name,
            action_flag=flag,
            change_message="[]",
        )
    return session_key


def expected(objects):
    """What the platform must answer, worked out from the fixture alone."""
    rows = defaultdict(dict)
    for item in objects:
        rows[item["model"]][item["pk"]] = item["fields"]
    partners = rows[f"{OLD_LABEL}.partner"]
    partner_id = {fields["name"]: pk for pk, fields in partners.items()}
    cpo = partner_id[KEYS["cpo"][0]]
    identifiers = rows[f"{OLD_LABEL}.partneridentifier"]
    stations = rows["stations.station"]
    connectors = rows["stations.connector"]

    answers = {}
    for pk in ASKED_STATIONS:
        station = stations[pk]
        # Public, shown and not deleted: any EMP sees it.
        assert not (station["is_private"] or station["is_hidden"] or station["is_deleted"])
    answers["station-get-by-ids"] = sorted(
        (
            pk,
            stations[pk]["name"],
            tuple(
                sorted(
                    (c["evse_id"], c["status"]) for c in connectors.values() if c["station"] == pk
                )
            ),
        )
        for pk in ASKED_STATIONS
    )

    # rfid-verify (docs/oioi.md): a charging key answers by its state and its customer's
    # payment method; an EMP's contract only while that EMP whitelists the UID; the platform's
    # own contracts are accepted. A UID without a key is accepted while a whitelist holds it.
    keys = {key["uid"]: key for key in rows["clients.chargingkey"].values()}
    whitelists = rows["clients.whitelist"]
    whitelisted = defaultdict(set)
    for entry in rows["clients.whitelistentry"].values():
        if entry["is_active"]:
            holder = identifiers[whitelists[entry["whitelist"]]["partner_identifier"]]["partner"]
            whitelisted[entry["uid"]].add(holder)
    for uid in VERIFIED_UIDS:
        key = keys.get(uid)
        if key is None:
            answer = (0 if whitelisted[uid] else 191, None)
        elif key["state"] == "blocked":
            answer = (192, None)
        elif key["state"] == "inactive":
            answer = (191, None)
        elif not rows["clients.customer"][key["customer"]]["has_valid_payment_method"]:
            answer = (193, None)
        else:
            contract = rows["clients.contract"][key["contract"]]
            provider = contract["provider"]
            refused = (
                provider is not None
                and partners[provider]["is_emp"]
                and provider not in whitelisted[uid]
            )
            answer = (191, None) if refused else (0, contract["evco_id"])
        answers[f"rfid-verify {uid}"] = answer
    assert {answers[f"rfid-verify {uid}"][0] for uid in VERIFIED_UIDS} == {0, 191, 192, 193}

    answers["/api/v1/stations/"] = sorted(
        fields["external_id"] for fields in stations.values() if fields["owner"] == cpo
    )
    answers["/api/v1/cdrs/"] = sorted(
        fields["session_id"] for fields in rows["cdrs.cdr"].values() if fields["cpo"] == cpo
    )
    answers["/api/v1/deliveries/"] = ["CDR upgrade-1", "pending"]
    users = {fields["username"]: pk for pk, fields in rows["auth.user"].items()}
    (member,) = (
        fields
        for fields in rows[f"{OLD_LABEL}.partnermembership"].values()
        if fields["user"] == users[PORTAL_USER]
    )
    answers["portal partner"] = partners[member["partner"]]["name"]
    answers["portal stations"] = sorted(
        fields["name"] for fields in stations.values() if fields["owner"] == member["partner"]
    )
    return answers


def listed(client, url, key):
    """Every item of a paginated REST list."""
    items = []
    while url:
        response = client.get(url, HTTP_AUTHORIZATION=f"key={key}")
        assert response.status_code == 200, response.content
        page = response.json()
        items += page["results"]
        url = page["next"]
    return items


def answers(client, portal):
    """What partners, portal users and staff are answered now."""
    keys = {name: f"{key_prefix}.{secret}" for name, (_, key_prefix, secret, _) in KEYS.items()}
    answered = {}
    by_ids = oioi_post(client, keys["emp"], "station-get-by-ids", {"station-ids": ASKED_STATIONS})
    assert by_ids.status_code == 200, by_ids.content
    answered["station-get-by-ids"] = sorted(
        (
            station["id"],
            station["name"],
            tuple(sorted((c["external-id"], c["status"]) for c in station["connectors"])),
        )
        for station in by_ids.json()["stations"]
    )
    for uid in VERIFIED_UIDS:
        verify = oioi_post(client, keys["cpo"], "rfid-verify", {"rfid": uid})
        assert verify.status_code == 200, verify.content
        body = verify.json()
        answered[f"rfid-verify {uid}"] = (body["result"]["code"], body.get("evco-id"))
    answered["/api/v1/stations/"] = sorted(
        item["external_id"] for item in listed(client, "/api/v1/stations/", keys["cpo"])
    )
    answered["/api/v1/cdrs/"] = sorted(
        item["session_id"] for item in listed(client, "/api/v1/cdrs/", keys["cpo"])
    )
    answered["/api/v1/deliveries/"] = sorted(
        item["subject"] for item in listed(client, "/api/v1/deliveries/", keys["emp"])
    )
    # The scoped key still acts for its partner's identifiers only, and works.
    assert listed(client, "/api/v1/stations/", keys["scoped"])

    dashboard = portal.get("/portal/")
    assert dashboard.status_code == 200, dashboard.content
    answered["portal partner"] = dashboard.context["partner"].name
    stations_page = portal.get("/portal/stations/")
    assert stations_page.status_code == 200
    answered["portal stations"] = sorted(
        station.name for station in stations_page.context["object_list"]
    )
    return answered


def test_a_database_of_57f0cea_with_demo_data_upgrades_keeping_every_row_and_answer(client):
    tables_now = set(connection.introspection.table_names())
    counts_now, types_now = table_counts(), content_types()
    executor = migrate_to(old_targets())
    try:
        upgrade(executor, client, tables_now, counts_now, types_now)
    finally:
        migrate_to(latest_targets())


def upgrade(executor, client, tables_now, counts_now, types_now):
    # Our apps, those of 57f0cea and those added since (not migrated at the old state).
    ours = {app.label for app in apps.get_app_configs() if Path(app.path).parent == BASE_DIR}
    graph = executor.loader.graph
    # Django's own apps (admin, auth, ...) are at the same migrations then and now.
    theirs = [leaf for leaf in graph.leaf_nodes() if leaf[0] not in ours]
    old_state = executor.loader.project_state(OLD_LEAVES + theirs)
    new_state = executor.loader.project_state(graph.leaf_nodes())
    applied = {key for key in executor.recorder.applied_migrations() if key[0] in ours}
    assert applied == {
        key for leaf in OLD_LEAVES for key in graph.forwards_plan(leaf) if key[0] in ours
    }
    # The tables later migrations create (the restructure's own moves create none: a moved
    # model keeps its table), and the models that moved to another app with their table.
    old_tables, new_tables = tables_by_model(old_state), tables_by_model(new_state)
    created = set(new_tables) - set(old_tables)
    moved = {
        old_tables[table]: owner
        for table, owner in new_tables.items()
        if table in old_tables and old_tables[table][0] != owner[0]
    }
    assert {old for old, _ in moved} == {OLD_LABEL}
    assert {new for new, _ in moved.values()} == set(NEW_APPS)

    # The way back: the later tables are gone, every other row stays, and the content types of
    # the moved models return to the old label under the same ids.
    assert set(connection.introspection.table_names()) == tables_now - created
    assert table_counts() == {t: n for t, n in counts_now.items() if t not in created}
    back = {new: old for old, new in moved.items()}
    assert content_types() == {back.get(name, name): pk for name, pk in types_now.items()}

    objects = json.loads(FIXTURE.read_text())
    session_key = seed_the_old_database(old_state.apps, objects)
    portal = Client()
    portal.cookies[settings.SESSION_COOKIE_NAME] = session_key
    counts = table_counts()
    for table in (
        "oioi_portal_apikey",
        "oioi_portal_apikey_partner_identifiers",
        "oioi_portal_ratelimitcounter",
        "oioi_portal_delivery",
        "oioi_portal_deliveryattempt",
        "oioi_portal_auditlogentry",
        "oioi_portal_signinthrottle",
        "django_session",
        "django_admin_log",
        "cdrs_cdr",
    ):
        assert counts[table], table
    old_types = content_types()
    old_permissions = permissions()
    old_log = dict(LogEntry.objects.values_list("pk", "object_id"))

    migrate_to(latest_targets())

    assert set(connection.introspection.table_names()) == tables_now
    upgraded = table_counts()
    assert {table: n for table, n in upgraded.items() if table not in created} == counts
    # Each old model's content type is its current model's, same id, under its new label.
    new_types = content_types()
    for name, pk in old_types.items():
        current = ContentType.objects.get(pk=pk)
        assert (current.app_label, current.model) == moved.get(name, name)
        assert current.model_class() is not None, name
    assert not ContentType.objects.filter(app_label=OLD_LABEL).exists()
    assert new_types == {moved.get(name, name): pk for name, pk in old_types.items()}
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

    assert answers(client, portal) == expected(objects)
    User = get_user_model()
    assert {
        (username, codename): User.objects.get(username=username).has_perm(f"partners.{codename}")
        for username, codename in EXPECTED_PERMS
    } == EXPECTED_PERMS
    manager = User.objects.get(username="upgrade-manager")
    assert not manager.has_perm(f"{OLD_LABEL}.add_apikey")
    client.force_login(manager)
    assert client.get("/admin/partners/apikey/").status_code == 200
    assert client.get("/admin/partners/delivery/").status_code == 200
    client.logout()

    # migrate's own signals (an operator runs `manage.py migrate`): no content type or
    # permission is created anew, and the staff groups keep theirs, but for what the new
    # groups no longer grant; they may gain permissions of the later models only.
    call_command("migrate", verbosity=0, interactive=False)
    ContentType.objects.clear_cache()
    assert content_types() == new_types
    recomputed = permissions()
    assert recomputed["all"] == new_permissions["all"]
    names = {pk: (app_label, codename) for pk, app_label, codename in new_permissions["all"]}
    # The later models: those of the latest state that the old one lacks, but the moved ones
    # (proxies too: they have no table of their own).
    old_models, new_models = model_keys(old_state), model_keys(new_state)
    later = Q(pk__in=[])
    for app_label, model_name in new_models - old_models - set(moved.values()):
        later |= Q(content_type__app_label=app_label, content_type__model=model_name)
    later = set(Permission.objects.filter(later).values_list("pk", flat=True))
    lost = set()
    for group, granted in old_permissions["groups"].items():
        assert recomputed["groups"][group] - granted <= later, group
        lost |= {names[pk] for pk in granted - recomputed["groups"][group]}
    assert lost == NOT_IN_NEW_GROUPS
    assert recomputed["members"] == old_permissions["members"]
    assert recomputed["users"] == old_permissions["users"]
