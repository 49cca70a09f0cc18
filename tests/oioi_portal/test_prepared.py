"""PreparedQuery: ORM reads whose SQL is built once and run with each call's values."""

from django.forms.models import model_to_dict

from oioi_portal.models import ApiKey, AuditLogEntry
from oioi_portal.prepared import Param, PreparedInsert, PreparedQuery
from tests.factories import PartnerFactory, issue_key


def test_each_run_binds_its_own_values(db):
    first, _ = issue_key(PartnerFactory(name="One"))
    second, _ = issue_key(PartnerFactory(name="Two"))
    by_prefix = PreparedQuery(lambda: ApiKey.objects.filter(prefix=Param("prefix"))[:1])
    assert by_prefix.first(prefix=first.prefix) == first
    assert by_prefix.first(prefix=second.prefix) == second
    assert by_prefix.first(prefix="nosuchkey") is None


def test_select_related_objects_come_in_the_same_query(db, django_assert_num_queries):
    api_key, _ = issue_key(PartnerFactory(name="One"))
    by_prefix = PreparedQuery(
        lambda: ApiKey.objects.select_related("partner").filter(prefix=Param("prefix"))[:1]
    )
    with django_assert_num_queries(1):
        found = by_prefix.first(prefix=api_key.prefix)
        assert found.partner.name == "One"
        assert found.created_at == api_key.created_at


def test_the_queryset_is_built_once(db):
    api_key, _ = issue_key(PartnerFactory())
    builds = []

    def build():
        builds.append(1)
        return ApiKey.objects.filter(prefix=Param("prefix")).values_list("pk", "created_at")

    by_prefix = PreparedQuery(build)
    by_prefix.rows(prefix=api_key.prefix)
    built = len(builds)
    for _ in range(3):
        rows = by_prefix.rows(prefix=api_key.prefix)
    assert len(builds) == built
    # Values come converted as the ORM gives them (SQLite stores times as text).
    assert rows == [list(ApiKey.objects.values_list("pk", "created_at").get())]


def test_an_insert_stores_the_row_save_would(db):
    partner = PartnerFactory()

    def entry(request_id):
        return AuditLogEntry(
            request_id=request_id,
            interface=AuditLogEntry.Interface.OIOI,
            partner=partner,
            call="api-minimum-version-number",
            method="POST",
            path="/api/v4/request",
            http_status=200,
            result_code=0,
            client_address="2001:db8::1",
        )

    saved = entry("saved")
    saved.save(force_insert=True)
    insert = PreparedInsert(AuditLogEntry)
    inserted = entry("inserted")
    insert.insert(inserted)
    insert.insert(entry("again"))
    assert AuditLogEntry.objects.filter(request_id="again").exists()
    assert stored("inserted") == stored("saved")
    assert AuditLogEntry.objects.get(request_id="inserted").created_at == inserted.created_at


def stored(request_id):
    row = model_to_dict(AuditLogEntry.objects.get(request_id=request_id))
    return {
        name: value for name, value in row.items() if name not in {"id", "request_id", "created_at"}
    }
