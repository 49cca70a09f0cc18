"""PreparedQuery: ORM reads whose SQL is built once and run with each call's values."""

from oioi_portal.models import ApiKey
from oioi_portal.prepared import Param, PreparedQuery
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
