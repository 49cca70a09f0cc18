"""The REST API's shared machinery, through /api/v1/requests/ (a partner's own audit log)."""

import pytest
from django.db import OperationalError, connection

from partners.models import AuditLogEntry
from tests.mixins import RestEndpointContract

URL = "/api/v1/requests/"


def log_entry(partner, **fields):
    return AuditLogEntry.objects.create(
        request_id=fields.pop("request_id", "r"),
        interface=AuditLogEntry.Interface.OIOI,
        partner=partner,
        method="POST",
        path="/api/v4/request",
        **fields,
    )


class TestRequestsContract(RestEndpointContract):
    url = URL

    def make_object(self, caller):
        return log_entry(caller.partner, call="station-post", http_status=200, result_code=0)


def test_filters_and_pagination(client, cpo, other_cpo):
    for n in range(5):
        log_entry(cpo.partner, request_id=f"ok{n}", call="station-post", result_code=0)
    log_entry(cpo.partner, request_id="bad", call="session-post", result_code=230)
    log_entry(other_cpo.partner, request_id="theirs", call="session-post", result_code=230)

    response = cpo.get(client, URL, data={"result_code": 230})
    assert [item["request_id"] for item in response.json()["results"]] == ["bad"]

    response = cpo.get(client, URL, data={"call": "station-post", "page_size": 2})
    body = response.json()
    assert [item["request_id"] for item in body["results"]] == ["ok4", "ok3"]
    page_two = cpo.get(client, body["next"]).json()
    assert [item["request_id"] for item in page_two["results"]] == ["ok2", "ok1"]


def test_filter_cannot_reach_another_partner(client, cpo, other_cpo):
    theirs = log_entry(other_cpo.partner, request_id="theirs", call="x")
    response = cpo.get(client, URL, data={"request_id": "theirs"})
    assert response.json()["results"] == []
    assert cpo.get(client, f"{URL}{theirs.pk}/").status_code == 404


def test_rest_requests_are_audited(client, cpo):
    response = cpo.get(client, URL)
    entry = AuditLogEntry.objects.get(request_id=response["X-Request-ID"])
    assert entry.interface == AuditLogEntry.Interface.REST
    assert (entry.partner, entry.key_prefix) == (cpo.partner, cpo.api_key.prefix)
    assert (entry.method, entry.http_status, entry.call) == ("GET", 200, "api:request-list")


def test_list_costs_a_constant_number_of_queries(client, cpo, django_assert_max_num_queries):
    cpo.get(client, URL)
    for n in range(30):
        log_entry(cpo.partner, request_id=f"r{n}")
    # Key, page, audit row.
    with django_assert_max_num_queries(3):
        response = cpo.get(client, URL)
    assert len(response.json()["results"]) == 31


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/"])
def test_schema_and_docs_are_served(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith("schema/"):
        assert b"/api/v1/requests/" in response.content
        assert b"openapi" in response.content


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_docs_page_uses_no_cdn(client, db):
    content = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in content
    assert "cdn" not in content.lower()
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_fails(client):
    def down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(down):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_unknown_api_urls_answer_json(client, cpo):
    response = cpo.get(client, "/api/v1/requests/1.5/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert b"<html" in client.get("/no-such-page/").content


@pytest.mark.parametrize("page_size", ["x", "0", "-3", "1.5"])
def test_malformed_page_size_is_400(client, cpo, page_size):
    response = cpo.get(client, URL, data={"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_schema_documents_the_error_answers(client, db):
    import yaml

    document = yaml.safe_load(client.get("/api/v1/schema/").content)
    listing = document["paths"]["/api/v1/requests/"]["get"]
    assert {"200", "400", "401", "404", "429"} <= set(listing["responses"])
    detail = document["paths"]["/api/v1/requests/{id}/"]["get"]
    assert {"200", "401", "404", "429"} <= set(detail["responses"])


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/requests/", "result_code"),
        ("/api/v1/sessions/", "station"),
        ("/api/v1/cdrs/", "station"),
        ("/api/v1/stations/", "operator"),
        ("/api/v1/authorizations/", "result_code"),
    ],
)
@pytest.mark.parametrize("number", ["-223271660763628634112", "9223372036854775808"])
def test_integers_no_column_holds_are_400_not_500(client, cpo, url, parameter, number):
    response = cpo.get(client, url, data={parameter: number})
    assert response.status_code == 400, response.content
    assert parameter in response.json()


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/requests/", "since"),
        ("/api/v1/deliveries/", "until"),
        ("/api/v1/sessions/", "updated_since"),
        ("/api/v1/authorizations/", "since"),
        ("/api/v1/charging-keys/", "added_since"),
        ("/api/v1/cdrs/", "updated_since"),
        ("/api/v1/stations/", "changed_since"),
    ],
)
def test_time_filters_take_any_offset_and_compare_in_utc(client, cpo, url, parameter):
    # ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59): they are read, not forwarded.
    response = cpo.get(client, url, data={parameter: "2026-01-01T00:00:00-17:36"})
    assert response.status_code == 200, response.content
    response = cpo.get(client, url, data={parameter: "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 400
