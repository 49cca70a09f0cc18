"""
Hostile input, class by class, across every endpoint it applies to: every registered OIOI call,
every REST list and detail route and every portal page, enumerated from the registry and the
URL resolver so that a new one is covered without being listed here. Each answer is a 4xx in
the interface's own format (OIOI's ``result``, the REST API's ``detail``, the portal's HTML),
never a 500; `make fuzz` generates more of each class (tests/test_fuzz_oioi.py,
tests/test_schemathesis_rest.py).
"""

import json
from base64 import b64encode

import pytest
from django import forms
from django.conf import settings
from django.urls import URLResolver, get_resolver, resolve, reverse

from core import exports as portal_exports
from core.filtersets import BoundedDateField
from oioi.registry import registry
from oioi.results import ResultCode
from oioi.views import MAX_JSON_DEPTH
from partners.models import AuditLogEntry, Role
from tests.factories import CDRFactory, StationFactory
from tests.helpers import OIOI_URL
from tests.mixins import partner_with_roles, portal_user
from tests.test_fuzz_oioi import wire_fields

# A lone UTF-16 surrogate: a JSON escape carries one; in a URL or form it can only come as its
# (invalid) UTF-8 bytes.
SURROGATE = "\ud800"
SURROGATE_BYTES = "%ED%A0%80"
FOREIGN_HOST = "attacker.example"


def too_many_fields():
    return "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))


def nested(depth):
    return "[" * depth + "]" * depth


@pytest.fixture
def everyone(db):
    """A partner holding every role, so no role check stops a request before the input is read."""
    return partner_with_roles("Hostile", set(Role))


@pytest.fixture
def client(client):
    # A server error is what these tests look for: answered as gunicorn would, not raised.
    client.raise_request_exception = False
    return client


# --- OIOI -------------------------------------------------------------------------------------


def oioi_raw(client, partner, body, *, url=OIOI_URL, **extra):
    return client.post(
        url,
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"key={partner.key}",
        **extra,
    )


def assert_oioi_refused(response, http_status=400, mentions=""):
    assert response.status_code == http_status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    result = response.json()["result"]
    assert result["code"] == ResultCode.INVALID_REQUEST_FORMAT
    assert mentions in result["message"]
    return result["message"]


def call_fields():
    return [(call, field) for call in registry.names() for field in wire_fields_of(call)]


def wire_fields_of(call):
    return wire_fields(registry.get(call).serializer_class)


@pytest.mark.parametrize(
    "name", [SURROGATE, "\udc00", f"api-minimum-version-number{SURROGATE}", "\udbff\udbff"]
)
def test_oioi_call_name_with_a_lone_surrogate_is_230(client, everyone, name):
    response = oioi_raw(client, everyone, json.dumps({name: {}}))
    assert_oioi_refused(response, mentions="surrogate")


@pytest.mark.parametrize(("call", "field"), call_fields())
def test_oioi_field_value_with_a_lone_surrogate_is_230_naming_it(client, everyone, call, field):
    for value in (SURROGATE, f"DE*8PS*E1{SURROGATE}", [f"x{SURROGATE}"], {"a": SURROGATE}):
        response = oioi_raw(client, everyone, json.dumps({call: {field: value}}))
        assert_oioi_refused(response, mentions=f"'{call}.{field}")


@pytest.mark.parametrize("call", registry.names())
def test_oioi_member_name_with_a_lone_surrogate_is_230(client, everyone, call):
    payload = {f"ignored{SURROGATE}": 1, "nested": {f"\udfff{SURROGATE}": "x"}}
    response = oioi_raw(client, everyone, json.dumps({call: payload}))
    assert_oioi_refused(response, mentions="surrogate")
    # A pair of surrogates is one character (U+1F50C) and no reason to refuse.
    response = oioi_raw(client, everyone, json.dumps({call: {"ignored\ud83d\udd0c": 1}}))
    assert response.status_code != 500


@pytest.mark.parametrize("call", registry.names())
def test_oioi_deep_nesting_in_an_ignored_member_is_230(client, everyone, call):
    depths = [MAX_JSON_DEPTH, 200]
    for depth in depths:
        body = f'{{"{call}": {{"ignored-member": {nested(depth)}}}}}'
        assert_oioi_refused(oioi_raw(client, everyone, body), mentions=f"'{call}.ignored-member")
    # Up to the body size limit: too deep for the JSON parser itself.
    depth = (settings.OIOI_MAX_REQUEST_BYTES - len(call) - 40) // 2
    body = f'{{"{call}": {{"ignored-member": {nested(depth)}}}}}'
    assert len(body) <= settings.OIOI_MAX_REQUEST_BYTES
    assert_oioi_refused(oioi_raw(client, everyone, body))


@pytest.mark.parametrize(("call", "field"), call_fields())
def test_oioi_deep_nesting_in_a_field_is_230(client, everyone, call, field):
    body = f'{{"{call}": {{"{field}": {nested(MAX_JSON_DEPTH)}}}}}'
    assert_oioi_refused(oioi_raw(client, everyone, body), mentions=f"'{call}.{field}")


@pytest.mark.parametrize("call", registry.names())
def test_oioi_too_many_query_parameters_is_230(client, everyone, call):
    body = json.dumps({call: {}})
    response = oioi_raw(client, everyone, body, url=f"{OIOI_URL}?{too_many_fields()}")
    assert_oioi_refused(response, mentions="query parameters or form fields")


@pytest.mark.parametrize("call", registry.names())
def test_oioi_too_many_form_fields_is_230(client, everyone, call):
    response = client.post(
        OIOI_URL,
        data=too_many_fields(),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"key={everyone.key}",
    )
    assert_oioi_refused(response)


@pytest.mark.parametrize("call", registry.names())
def test_oioi_surrogate_bytes_in_the_query_string_change_nothing(client, everyone, call):
    body = json.dumps({call: {}})
    response = oioi_raw(client, everyone, body, url=f"{OIOI_URL}?{call}={SURROGATE_BYTES}")
    plain = oioi_raw(client, everyone, body)
    assert (response.status_code, response.json()) == (plain.status_code, plain.json())


@pytest.mark.parametrize("call", registry.names())
def test_oioi_host_outside_allowed_hosts_is_230(client, everyone, call):
    response = oioi_raw(client, everyone, json.dumps({call: {}}), HTTP_HOST=FOREIGN_HOST)
    assert_oioi_refused(response, mentions="Host header")


def test_oioi_refusals_are_audited_with_their_code(client, everyone):
    oioi_raw(client, everyone, json.dumps({SURROGATE: {}}))
    oioi_raw(client, everyone, "{}", HTTP_HOST=FOREIGN_HOST)
    entries = AuditLogEntry.objects.order_by("id")
    assert [(e.http_status, e.result_code) for e in entries] == [(400, 230), (400, 230)]


@pytest.mark.parametrize("path", ["/api/v4/", "/api/v4/no-such-endpoint"])
def test_unknown_oioi_urls_answer_in_the_oioi_envelope(client, everyone, path):
    response = oioi_raw(client, everyone, "{}", url=path)
    assert_oioi_refused(response, http_status=404)


# --- REST API ---------------------------------------------------------------------------------


def rest_routes():
    """{route name: its URL kwargs} of every REST list and detail, as the routers register them."""
    routes = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "api" and (pattern.name or "").endswith(("-list", "-detail")):
                kwargs = [k for k in pattern.pattern.regex.groupindex if k != "format"]
                routes.setdefault(pattern.name, kwargs)

    walk(get_resolver().url_patterns, None)
    return routes


ROUTES = rest_routes()
LIST_URLS = [reverse(f"api:{name}") for name in ROUTES if name.endswith("-list")]
DETAIL_URLS = [
    reverse(f"api:{name}", kwargs=dict.fromkeys(kwargs, "1"))
    for name, kwargs in ROUTES.items()
    if name.endswith("-detail")
]


def test_every_rest_route_is_enumerated():
    assert len(LIST_URLS) >= 8 and len(DETAIL_URLS) >= 8
    assert "/api/v1/cdrs/" in LIST_URLS and "/api/v1/cdrs/1/" in DETAIL_URLS


def filters_of(url):
    view = resolve(url).func.cls
    filterset_class = getattr(view, "filterset_class", None)
    return dict(filterset_class.base_filters) if filterset_class else {}


def is_date_filter(item):
    return issubclass(item.field_class, forms.DateField | forms.DateTimeField)


def assert_rest_error(response, http_status, key="detail"):
    assert response.status_code == http_status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert key in body, body
    return body


@pytest.mark.parametrize("url", LIST_URLS + DETAIL_URLS)
def test_rest_too_many_query_parameters_is_400_in_json(client, everyone, url):
    response = everyone.get(client, f"{url}?{too_many_fields()}")
    body = assert_rest_error(response, 400)
    assert "query parameters or form fields" in body["detail"]


@pytest.mark.parametrize("url", LIST_URLS + DETAIL_URLS)
def test_rest_host_outside_allowed_hosts_is_400_in_json(client, everyone, url):
    response = everyone.get(client, url, HTTP_HOST=FOREIGN_HOST)
    assert "Host header" in assert_rest_error(response, 400)["detail"]


@pytest.mark.parametrize("url", LIST_URLS + DETAIL_URLS)
def test_rest_surrogate_bytes_in_any_parameter_are_no_server_error(client, everyone, url):
    names = [*filters_of(url), "cursor", "page_size", "format", "ordering", "search"]
    for name in names:
        response = everyone.get(client, f"{url}?{name}={SURROGATE_BYTES}")
        assert response.status_code in (200, 400, 404), (name, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
    response = everyone.get(client, f"{url.rstrip('/')}{SURROGATE_BYTES}/")
    assert_rest_error(response, 404)


def cursor(text):
    return b64encode(text.encode()).decode()


CRAFTED_CURSORS = [
    "%%%not-base64",
    cursor("p=zzz"),
    cursor("p="),
    cursor("p=1.5"),
    cursor("p=99999999999999999999"),
    cursor("p=-99999999999999999999"),
    cursor("p=0001-01-01T00:00:00%2B01:00"),
    cursor("p=9999-12-31T23:59:59-01:00"),
    cursor("p=9999-12-31T23:59:59"),
    cursor("o=-1"),
    cursor("o=x"),
    cursor("r=x"),
    cursor("p=1&r=2&o=99999999999999999999"),
]


@pytest.mark.parametrize("url", LIST_URLS)
@pytest.mark.parametrize("crafted", CRAFTED_CURSORS)
def test_rest_crafted_cursor_is_404_invalid_cursor(client, everyone, url, crafted):
    response = everyone.get(client, f"{url}?cursor={crafted}")
    if response.status_code == 200:
        # "r=2&o=<huge>" with a valid position: DRF caps the offset and reads "r" as a number.
        assert crafted == CRAFTED_CURSORS[-1]
        return
    assert assert_rest_error(response, 404) == {"detail": "Invalid cursor"}


EDGE_TIMES = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01", "9999-12-31"]
BEYOND_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "10000-01-01T00:00:00Z",
    "0000-12-31T00:00:00Z",
]


def rest_date_filters():
    return [
        (url, name)
        for url in LIST_URLS
        for name, item in filters_of(url).items()
        if is_date_filter(item)
    ]


def test_rest_date_filters_are_enumerated():
    assert len(rest_date_filters()) >= 10


@pytest.mark.parametrize(("url", "name"), rest_date_filters())
@pytest.mark.parametrize("export", [None, "csv"])
def test_rest_dates_at_the_calendars_edges(client, everyone, url, name, export):
    extra = {"format": export} if export else {}
    for value in EDGE_TIMES:
        response = everyone.get(client, url, data={name: value, **extra})
        # A time the calendar holds is a filter; one that is no time at all names the field.
        assert response.status_code in (200, 400, 404), (value, response.content[:300])
        if response.status_code == 400:
            assert name in response.json()
    for value in BEYOND_TIMES:
        response = everyone.get(client, url, data={name: value, **extra})
        assert response.status_code in (400, 404), (value, response.content[:300])
        if response.status_code == 400:
            assert name in assert_rest_error(response, 400, key=name)


# --- portal -----------------------------------------------------------------------------------


@pytest.fixture
def portal(client, everyone):
    """Signed in as a partner admin of a partner with every role; its CDR for the detail page."""
    user = portal_user(everyone.partner, "hostile-user", admin=True)
    client.force_login(user)
    client.cdr = CDRFactory(cpo=everyone.partner, station=StationFactory(owner=everyone.partner))
    client.user = user
    return client


def portal_routes():
    names = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "portal":
                names.append((pattern.name, list(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, None)
    return names


PORTAL_ROUTES = portal_routes()


def portal_url(client, name, kwargs):
    # The one object behind each page with an id: the partner's CDR, else the signed-in user.
    pk = client.cdr.pk if name == "cdr" else client.user.pk
    return reverse(f"portal:{name}", kwargs=dict.fromkeys(kwargs, pk))


def portal_filters(url):
    view = resolve(url).func.view_class
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is None:
        return {}
    left_out = getattr(filterset_class, "left_out", ())
    return {n: f for n, f in filterset_class.base_filters.items() if n not in left_out}


def test_every_portal_page_is_enumerated():
    assert {"dashboard", "cdrs", "cdr", "stations", "sessions", "users"} <= {
        name for name, _ in PORTAL_ROUTES
    }


@pytest.mark.parametrize(("name", "kwargs"), PORTAL_ROUTES)
def test_portal_too_many_fields_is_400(portal, name, kwargs):
    url = portal_url(portal, name, kwargs)
    view = resolve(url).func.view_class
    # Pages read their query string (filters, sorting, pages) or their form; others ignore it.
    response = portal.get(f"{url}?{too_many_fields()}")
    reads_query = getattr(view, "filterset_class", None) is not None
    expected = 400 if reads_query else (200 if hasattr(view, "get") else 405)
    assert response.status_code == expected, response.status_code
    assert response["Content-Type"].startswith("text/html")
    # As in production, the CSRF check reads every POST's form before any view.
    portal.handler.enforce_csrf_checks = True
    portal.cookies["csrftoken"] = "a" * 32
    response = portal.post(
        url, data=too_many_fields(), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("name", "kwargs"), PORTAL_ROUTES)
def test_portal_surrogate_bytes_in_any_parameter_are_no_server_error(portal, name, kwargs):
    url = portal_url(portal, name, kwargs)
    for parameter in [*portal_filters(url), "sort", "page", "export", "next"]:
        response = portal.get(f"{url}?{parameter}={SURROGATE_BYTES}")
        assert response.status_code in (200, 302, 404, 405), (parameter, response.status_code)
        response = portal.post(
            url,
            data=f"{parameter}={SURROGATE_BYTES}&csrfmiddlewaretoken=x",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in (200, 302, 403, 404, 405), (parameter, response.status_code)


def portal_date_filters():
    routes = dict(PORTAL_ROUTES)
    return [
        (name, parameter)
        for name, kwargs in routes.items()
        if not kwargs
        for parameter, item in portal_filters(reverse(f"portal:{name}")).items()
        if is_date_filter(item)
    ]


def test_portal_date_filters_are_enumerated():
    assert {("cdrs", "date_from"), ("cdrs", "date_to"), ("stations", "changed_since")} <= set(
        portal_date_filters()
    )


PORTAL_EDGE_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"]
PORTAL_NO_DATES = ["2026-02-29", "0000-01-01", "10000-01-01", "9999-12-31T23:59:60"]


@pytest.mark.parametrize(("name", "parameter"), portal_date_filters())
def test_portal_dates_at_the_calendars_edges_are_form_errors(portal, name, parameter):
    url = reverse(f"portal:{name}")
    dates_only = portal_filters(url)[parameter].field_class is BoundedDateField
    for value in PORTAL_EDGE_DATES + PORTAL_NO_DATES:
        data = {"period": "dates", parameter: value}
        response = portal.get(url, data=data)
        assert response.status_code == 200, (value, response.status_code)
        errors = response.context["filterset"].errors
        # A time filter takes any time UTC holds; the report's dates a century of them.
        if value in PORTAL_NO_DATES or dates_only:
            assert parameter in errors, value
        else:
            assert not errors, (value, errors)
        for export in portal_exports.FORMATS:
            response = portal.get(url, data={**data, "export": export})
            assert response.status_code == 200, (value, export)
            assert b"".join(response.streaming_content)
