"""The staff back-office, driven through the real admin as signed-in users."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cdrs.models import CDR, CDRDailyTotal
from partners import groups
from partners.models import ApiKey, AuditLogEntry, OperatorId, Partner, PartnerIdentifier
from tests.cdrs.helpers import post_cdr
from tests.factories import (
    OperatorIdFactory,
    PartnerFactory,
    PartnerIdentifierFactory,
    issue_key,
)
from tests.helpers import oioi_post, staff_user

PARTNERS_URL = reverse("admin:partners_partner_changelist")
PARTNER_ADD_URL = reverse("admin:partners_partner_add")
KEYS_URL = reverse("admin:partners_apikey_changelist")
ISSUE_URL = reverse("admin:partners_apikey_issue")
AUDIT_URL = reverse("admin:partners_auditlogentry_changelist")
ADMIN_LOG_URL = reverse("admin:admin_logentry_changelist")


def partner_url(partner):
    return reverse("admin:partners_partner_change", args=[partner.pk])


def key_url(api_key, view="change"):
    return reverse(f"admin:partners_apikey_{view}", args=[api_key.pk])


def audit_url(entry, view="change"):
    return reverse(f"admin:partners_auditlogentry_{view}", args=[entry.pk])


def management_form(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def partner_add_data(operator_id="de*nc1", identifier="new-cpo-identifier-0001", **fields):
    data = {
        "name": "New CPO",
        "slug": "new-cpo",
        "is_active": "on",
        "is_cpo": "on",
        **management_form("identifiers", 1),
        "identifiers-0-value": identifier,
        "identifiers-0-description": "main contract",
        "identifiers-0-is_active": "on",
        **management_form("operator_ids", 1),
        "operator_ids-0-value": operator_id,
        "operator_ids-0-name": "New CPO GmbH",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def form_data(response):
    """What a browser sends back for the admin change form in ``response``, left unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def issue_data(partner, /, **fields):
    data = {
        "partner": partner.pk,
        "label": "production",
        "expires_at_0": "",
        "expires_at_1": "",
        "allowed_networks": "",
    }
    data.update(fields)
    return data


def audit_entry(partner=None, **fields):
    values = {
        "request_id": "req-0001",
        "interface": AuditLogEntry.Interface.OIOI,
        "partner": partner,
        "key_prefix": "abcdef1234",
        "call": "station-post",
        "method": "POST",
        "path": "/api/v4/request",
        "http_status": 200,
        "result_code": 0,
        "duration_ms": 12,
        "client_address": "192.0.2.10",
    }
    values.update(fields)
    return AuditLogEntry.objects.create(**values)


def oioi_status(plaintext):
    """Call the real OIOI endpoint with a key, from a client with no admin session."""
    response = oioi_post(Client(), plaintext, "api-minimum-version-number", {})
    return response.status_code, response.json()["result"]["code"]


@pytest.fixture
def partner(db):
    partner = PartnerFactory(name="Alpha Charging", slug="alpha-charging", is_cpo=True)
    PartnerIdentifierFactory(partner=partner, value="alpha-identifier-000001")
    OperatorIdFactory(partner=partner, value="DE*ALP")
    return partner


# --- Access and layout ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PARTNERS_URL, ISSUE_URL, AUDIT_URL, ADMIN_LOG_URL])
def test_anonymous_user_is_sent_to_the_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_site_header(superuser_client):
    response = superuser_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "<title>OIOI partner platform back-office | OIOI partner platform</title>" in (
        response.content.decode()
    )
    assert '<a href="/admin/">OIOI partner platform</a>' in response.content.decode()


# --- Partners ---------------------------------------------------------------------------------


def test_partner_pages_render(superuser_client, partner):
    other = PartnerFactory(name="Beta Mobility", slug="beta", is_cpo=False, is_emp=True)
    issue_key(partner)
    api_key, _ = issue_key(partner)
    api_key.revoked_at = timezone.now()
    api_key.save()

    response = superuser_client.get(PARTNERS_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Alpha Charging" in page and "Beta Mobility" in page
    assert "Charge point operator" in page and "E-mobility provider" in page
    assert "2 (1 active)" in page

    for query in ("alpha", "alpha-identifier-000001", "DE*ALP", "dealp"):
        found = list(superuser_client.get(PARTNERS_URL, {"q": query}).context["cl"].result_list)
        assert found == [partner], query
    by_role = superuser_client.get(PARTNERS_URL, {"role": "emp"}).context["cl"].result_list
    assert list(by_role) == [other]
    inactive = superuser_client.get(PARTNERS_URL, {"is_active__exact": "0"})
    assert list(inactive.context["cl"].result_list) == []

    assert superuser_client.get(PARTNER_ADD_URL).status_code == 200
    response = superuser_client.get(partner_url(partner))
    assert response.status_code == 200
    page = response.content.decode()
    assert "alpha-identifier-000001" in page and "DE*ALP" in page
    assert f'href="{ISSUE_URL}?partner={partner.pk}"' in page
    assert "Issue a new API key" in page
    assert api_key.prefix in page and "revoked" in page


def test_create_partner_with_identifier_and_operator_id(superuser_client, db):
    response = superuser_client.post(PARTNER_ADD_URL, partner_add_data())
    assert response.status_code == 302, response.context["errors"]

    partner = Partner.objects.get(name="New CPO")
    assert partner.roles == {"cpo"} and partner.slug == "new-cpo"
    identifier = partner.identifiers.get()
    assert (identifier.value, identifier.description) == (
        "new-cpo-identifier-0001",
        "main contract",
    )
    operator_id = partner.operator_ids.get()
    assert (operator_id.value, operator_id.normalized) == ("DE*NC1", "DENC1")
    assert LogEntry.objects.filter(object_id=str(partner.pk), action_flag=ADDITION).exists()


def _errors(response):
    """Every error message on the admin page: the form's, the inlines' and the formsets'."""
    messages = [str(m) for error in response.context["errors"] for m in error]
    for inline in response.context["inline_admin_formsets"]:
        messages += inline.formset.non_form_errors()
    return messages


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"operator_id": "DE-12"},
            "An operator id is a country code and three letters or digits, e.g. DE*8PS.",
        ),
        ({"operator_id": "de*alp"}, "Operator id de*alp is already registered."),
        (
            {"operator_ids-0-value": "DE*ZZ1", **management_form("operator_ids", 2)}
            | {"operator_ids-1-value": "dezz1"},
            "This operator id is listed twice.",
        ),
        ({"is_cpo": None, "is_emp": "on"}, "Only a CPO or fleet partner registers operator ids."),
        ({"is_cpo": None}, "A partner has at least one role."),
        ({"identifier": "short"}, "A partner identifier has at least 16 characters."),
        ({"identifier": "alpha-identifier-000001"}, "Partner identifier with this Value"),
        ({"endpoint_key": "their-key-0123456789"}, "An endpoint key goes with an endpoint URL."),
    ],
)
def test_invalid_partner_is_a_form_error_and_saves_nothing(
    superuser_client, partner, fields, message
):
    response = superuser_client.post(PARTNER_ADD_URL, partner_add_data(**fields))

    assert response.status_code == 200
    assert any(message in error for error in _errors(response)), _errors(response)
    assert not Partner.objects.filter(name="New CPO").exists()
    assert OperatorId.objects.count() == 1 and PartnerIdentifier.objects.count() == 1


def test_malformed_operator_id_is_shown_on_its_field(superuser_client, db):
    response = superuser_client.post(PARTNER_ADD_URL, partner_add_data(operator_id="D1*XYZ"))

    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "operator_ids"
    )
    assert formset.forms[0].errors["value"] == [
        "An operator id is a country code and three letters or digits, e.g. DE*8PS."
    ]
    assert Partner.objects.count() == 0


def test_endpoint_key_is_write_only(superuser_client, partner):
    stored = "their-endpoint-key-Zq8W"
    partner.endpoint_url = "https://cpo.example/oioi"
    partner.endpoint_key = stored
    partner.save()

    response = superuser_client.get(partner_url(partner))
    page = response.content.decode()
    assert stored not in page
    assert "…Zq8W" in page and "Leave empty to keep the current key." in page
    assert 'type="password" name="endpoint_key"' in page

    data = form_data(response)
    assert data["endpoint_key"] == ""
    data["contact_name"] = "Ops desk"
    assert superuser_client.post(partner_url(partner), data).status_code == 302
    partner.refresh_from_db()
    assert (partner.endpoint_key, partner.contact_name) == (stored, "Ops desk")
    # Nothing in the admin log says the key changed when it did not.
    entry = LogEntry.objects.filter(object_id=str(partner.pk), action_flag=CHANGE).latest("pk")
    assert "endpoint" not in entry.get_change_message()

    data["endpoint_key"] = "a-new-key-from-the-partner"
    assert superuser_client.post(partner_url(partner), data).status_code == 302
    partner.refresh_from_db()
    assert partner.endpoint_key == "a-new-key-from-the-partner"
    assert (
        "a-new-key-from-the-partner"
        not in superuser_client.get(partner_url(partner)).content.decode()
    )

    data["endpoint_key"] = ""
    data["clear_endpoint_key"] = "on"
    assert superuser_client.post(partner_url(partner), data).status_code == 302
    partner.refresh_from_db()
    assert partner.endpoint_key == ""


def test_removing_the_cpo_role_of_a_partner_with_operator_ids_is_refused(superuser_client, partner):
    data = form_data(superuser_client.get(partner_url(partner)))
    del data["is_cpo"]
    data["is_emp"] = "on"

    response = superuser_client.post(partner_url(partner), data)

    assert response.status_code == 200
    assert "Only a CPO or fleet partner registers operator ids." in _errors(response)
    partner.refresh_from_db()
    assert partner.is_cpo and not partner.is_emp


def test_a_fleet_partner_keeps_its_operator_ids(superuser_client, partner):
    """A fleet registers operator ids too: its fleet-post-members name one as `fleet-cpo-id`."""
    data = form_data(superuser_client.get(partner_url(partner)))
    del data["is_cpo"]
    data["is_fleet"] = "on"

    assert superuser_client.post(partner_url(partner), data).status_code == 302

    partner.refresh_from_db()
    assert partner.roles == {"fleet"}
    assert partner.operator_ids.exists()


def test_partner_with_billing_or_audit_rows_is_not_deleted(superuser_client, cpo, client):
    """A CPO that posted a CDR: its CDRs, daily totals, audit rows and key protect it."""
    post_cdr(client, cpo, "KEPT")
    before = (CDR.objects.count(), CDRDailyTotal.objects.count(), AuditLogEntry.objects.count())
    url = reverse("admin:partners_partner_delete", args=[cpo.partner.pk])

    page = superuser_client.get(url)

    assert page.status_code == 200
    text = page.content.decode()
    assert "would require deleting the following protected related objects" in text
    assert "CDR KEPT (final)" in text and 'id="deactivate-instead"' in text
    assert 'name="post"' not in text
    # Confirming anyway answers the same refusal.
    refused = superuser_client.post(url, {"post": "yes"})
    assert refused.status_code == 200 and 'id="deactivate-instead"' in refused.content.decode()
    bulk = {"action": "delete_selected", "_selected_action": [cpo.partner.pk], "post": "yes"}
    superuser_client.post(PARTNERS_URL, bulk)
    assert Partner.objects.filter(pk=cpo.partner.pk).exists()
    after = (CDR.objects.count(), CDRDailyTotal.objects.count(), AuditLogEntry.objects.count())
    assert after == before and ApiKey.objects.filter(partner=cpo.partner).exists()


def test_partner_with_only_an_api_key_is_not_deleted(superuser_client, partner):
    issue_key(partner)
    url = reverse("admin:partners_partner_delete", args=[partner.pk])
    assert 'id="deactivate-instead"' in superuser_client.get(url).content.decode()
    assert 'id="deactivate-instead"' in superuser_client.post(url, {"post": "yes"}).content.decode()
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_partner_without_records_is_deleted(superuser_client, partner):
    url = reverse("admin:partners_partner_delete", args=[partner.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert not Partner.objects.filter(pk=partner.pk).exists()


# --- API keys ---------------------------------------------------------------------------------


def test_issue_key_shows_the_plaintext_once_and_it_works(superuser_client, partner, admin_user):
    form_page = superuser_client.get(ISSUE_URL, {"partner": partner.pk})
    assert form_page.status_code == 200
    assert form_page.context["form"]["partner"].value() == str(partner.pk)

    posted = superuser_client.post(ISSUE_URL, issue_data(partner))

    # POST-redirect-GET: the secret is on the GET page, not in the answer to the POST.
    api_key = ApiKey.objects.get(partner=partner)
    issued_url = key_url(api_key, "issued")
    assert posted.status_code == 302 and posted["Location"] == issued_url
    response = superuser_client.get(issued_url)
    assert response.status_code == 200
    plaintext = response.context["plaintext"]
    page = response.content.decode()
    assert page.count(plaintext) == 1
    assert "will not be shown again" in page
    assert "no-store" in response["Cache-Control"]
    assert plaintext.startswith(f"{api_key.prefix}.")
    assert (api_key.label, api_key.created_by) == ("production", admin_user)

    assert oioi_status(plaintext) == (200, 0)

    secret = plaintext.partition(".")[2]
    for url in (key_url(api_key), KEYS_URL, partner_url(partner), ADMIN_LOG_URL):
        page = superuser_client.get(url).content.decode()
        assert secret not in page and api_key.secret_hash not in page, url
    entry = LogEntry.objects.get(object_id=str(api_key.pk), action_flag=ADDITION)
    assert entry.object_repr == api_key.prefix
    assert secret not in entry.change_message


def test_issued_key_page_shows_the_secret_once_and_a_reload_issues_nothing(
    superuser_client, partner, client
):
    posted = superuser_client.post(ISSUE_URL, issue_data(partner))
    api_key = ApiKey.objects.get(partner=partner)
    first = superuser_client.get(posted["Location"])
    plaintext = first.context["plaintext"]
    secret = plaintext.partition(".")[2]

    reloaded = superuser_client.get(posted["Location"])

    assert reloaded.status_code == 200
    page = reloaded.content.decode()
    assert "was already shown and cannot be shown again" in page and "No new key" in page
    assert secret not in page and "no-store" in reloaded["Cache-Control"]
    assert list(ApiKey.objects.filter(partner=partner)) == [api_key]
    assert oioi_status(plaintext) == (200, 0)
    # Another staff user's session never held it: the page shows them no secret either.
    client.force_login(staff_user("manager", groups.PARTNER_MANAGEMENT))
    other = client.get(posted["Location"]).content.decode()
    assert secret not in other and "already shown" in other
    # Nor does the session keep it once shown.
    assert secret not in str(dict(superuser_client.session))


def test_issue_key_with_identifiers_networks_and_expiry(superuser_client, partner):
    own = partner.identifiers.get()
    foreign = PartnerIdentifierFactory(value="someone-elses-identifier")
    expires = timezone.localtime() + timedelta(days=30)
    data = issue_data(
        partner,
        partner_identifiers=[own.pk],
        allowed_networks="192.0.2.0/24\n2001:db8::/32",
        expires_at_0=expires.strftime("%Y-%m-%d"),
        expires_at_1=expires.strftime("%H:%M:%S"),
    )

    form_page = superuser_client.get(ISSUE_URL, {"partner": partner.pk})
    assert list(form_page.context["form"].fields["partner_identifiers"].queryset) == [own]
    refused = superuser_client.post(ISSUE_URL, {**data, "partner_identifiers": [foreign.pk]})
    assert "partner_identifiers" in refused.context["form"].errors
    assert not ApiKey.objects.exists()

    response = superuser_client.post(ISSUE_URL, data)

    assert response.status_code == 302
    api_key = ApiKey.objects.get()
    assert list(api_key.partner_identifiers.all()) == [own]
    assert [str(n) for n in api_key.networks] == ["192.0.2.0/24", "2001:db8::/32"]
    assert abs(api_key.expires_at - expires) < timedelta(seconds=1)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"allowed_networks": "10.0.0.0/8, not-a-net"}, "allowed_networks", "'not-a-net' is not"),
        (
            {"expires_at_0": "2001-01-01", "expires_at_1": "00:00:00"},
            "__all__",
            "The expiry lies in the past.",
        ),
        ({"partner": "999999"}, "partner", "Select a valid choice."),
    ],
)
def test_issue_key_refuses_bad_input(superuser_client, partner, fields, field, message):
    response = superuser_client.post(ISSUE_URL, issue_data(partner, **fields))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not ApiKey.objects.exists()
    assert "plaintext" not in response.context


def test_add_leads_to_the_issue_page(superuser_client, partner):
    response = superuser_client.get(reverse("admin:partners_apikey_add"), {"partner": partner.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{ISSUE_URL}?partner={partner.pk}"
    assert f'href="{ISSUE_URL}"' in superuser_client.get(KEYS_URL).content.decode()


def test_key_change_page_edits_settings_within_its_partner(superuser_client, partner):
    api_key, plaintext = issue_key(partner)
    own = partner.identifiers.get()
    foreign = PartnerIdentifierFactory(value="someone-elses-identifier")

    response = superuser_client.get(key_url(api_key))
    assert response.status_code == 200
    page = response.content.decode()
    assert plaintext.partition(".")[2] not in page and api_key.secret_hash not in page
    assert list(response.context["adminform"].form.fields["partner_identifiers"].queryset) == [own]
    assert key_url(api_key, "revoke") in page

    data = {
        "label": "staging",
        "expires_at_0": "",
        "expires_at_1": "",
        "allowed_networks": "not a network",
    }
    response = superuser_client.post(key_url(api_key), data)
    assert "allowed_networks" in response.context["adminform"].form.errors
    response = superuser_client.post(
        key_url(api_key), {**data, "allowed_networks": "", "partner_identifiers": [foreign.pk]}
    )
    assert "partner_identifiers" in response.context["adminform"].form.errors

    data.update(allowed_networks="198.51.100.0/24", partner_identifiers=[own.pk])
    assert superuser_client.post(key_url(api_key), data).status_code == 302
    api_key.refresh_from_db()
    assert api_key.label == "staging" and api_key.allowed_networks == "198.51.100.0/24"
    assert list(api_key.partner_identifiers.all()) == [own]
    assert api_key.prefix == plaintext.partition(".")[0]


def test_key_list_and_state_filter(superuser_client, partner):
    active, _ = issue_key(partner, label="active one")
    expired, _ = issue_key(partner, label="expired one")
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked, _ = issue_key(partner, label="revoked one")
    ApiKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())

    response = superuser_client.get(KEYS_URL)
    assert response.status_code == 200
    assert "secret" not in response.content.decode().lower()
    for state, api_key in (("active", active), ("expired", expired), ("revoked", revoked)):
        listed = superuser_client.get(KEYS_URL, {"state": state}).context["cl"].result_list
        assert list(listed) == [api_key], state
    found = superuser_client.get(KEYS_URL, {"q": active.prefix}).context["cl"].result_list
    assert list(found) == [active]
    by_partner = superuser_client.get(KEYS_URL, {"partner__id__exact": partner.pk})
    assert by_partner.context["cl"].result_count == 3


def test_revoke_selected_keys_action(superuser_client, partner, admin_user):
    api_key, plaintext = issue_key(partner)
    kept, kept_plaintext = issue_key(partner)

    response = superuser_client.post(
        KEYS_URL, {"action": "revoke_selected", "_selected_action": [api_key.pk]}
    )

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.state() == ApiKey.State.REVOKED and api_key.revoked_by == admin_user
    assert oioi_status(plaintext) == (401, 210)
    assert oioi_status(kept_plaintext) == (200, 0)
    entry = LogEntry.objects.get(object_id=str(api_key.pk), action_flag=CHANGE)
    assert (entry.user, entry.change_message) == (admin_user, "Revoked.")


def test_revoke_button(superuser_client, partner, admin_user):
    api_key, plaintext = issue_key(partner)
    revoke_url = key_url(api_key, "revoke")

    confirmation = superuser_client.get(revoke_url)
    assert confirmation.status_code == 200
    assert "Yes, revoke it" in confirmation.content.decode()
    assert api_key.state() == ApiKey.State.ACTIVE

    response = superuser_client.post(revoke_url)

    assert response.status_code == 302 and response["Location"] == key_url(api_key)
    api_key.refresh_from_db()
    assert api_key.state() == ApiKey.State.REVOKED
    assert oioi_status(plaintext) == (401, 210)
    assert LogEntry.objects.filter(object_id=str(api_key.pk), action_flag=CHANGE).count() == 1
    # Revoking twice changes nothing and logs nothing more; the button is gone.
    superuser_client.post(revoke_url)
    assert LogEntry.objects.filter(object_id=str(api_key.pk), action_flag=CHANGE).count() == 1
    assert revoke_url not in superuser_client.get(key_url(api_key)).content.decode()


def test_keys_are_never_deleted(superuser_client, partner):
    api_key, _ = issue_key(partner)

    assert superuser_client.get(key_url(api_key, "delete")).status_code == 403
    assert superuser_client.post(key_url(api_key, "delete"), {"post": "yes"}).status_code == 403
    actions = superuser_client.get(KEYS_URL).context["action_form"].fields["action"].choices
    assert [name for name, _ in actions] == ["", "revoke_selected"]
    assert ApiKey.objects.filter(pk=api_key.pk).exists()


# --- Audit log and admin log ------------------------------------------------------------------


def test_audit_log_list_filters_and_search(superuser_client, cpo):
    cpo.post(Client(), "api-minimum-version-number", {})
    oioi_post(Client(), "nope.nope", "api-minimum-version-number", {})
    ok, refused = AuditLogEntry.objects.order_by("pk")

    response = superuser_client.get(AUDIT_URL)
    assert response.status_code == 200
    assert ok.request_id in response.content.decode()

    filters = {
        "result_code": "210",
        "http_status": "4xx",
        "interface": "oioi",
        "direction": "in",
        "partner__id__exact": str(cpo.partner.pk),
        "call": "api-minimum-version-number",
        # As the date filter's own "Today" link puts it.
        "created_at__gte": str(
            timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        ),
        "created_at__year": str(timezone.localdate().year),
    }
    expected = {
        "result_code": [refused],
        "http_status": [refused],
        "interface": [refused, ok],
        "direction": [refused, ok],
        "partner__id__exact": [ok],
        "call": [ok],
        "created_at__gte": [refused, ok],
        "created_at__year": [refused, ok],
    }
    for name, value in filters.items():
        response = superuser_client.get(AUDIT_URL, {name: value})
        assert response.status_code == 200, name
        assert list(response.context["cl"].result_list) == expected[name], name
    for query, entry in ((ok.request_id, ok), (cpo.api_key.prefix, ok)):
        found = superuser_client.get(AUDIT_URL, {"q": query}).context["cl"].result_list
        assert list(found) == [entry]


def test_audit_log_list_is_narrow_and_its_entries_named_without_none(support_client, cpo):
    cpo.post(Client(), "api-minimum-version-number", {})
    entry = AuditLogEntry.objects.get()
    page = support_client.get(AUDIT_URL).content.decode()
    # Interface and direction in one column, the request id shortened (whole on hover); the
    # key, client address and path are on the entry's page.
    assert '<td class="field-channel_display">OIOI inbound</td>' in page
    assert f'title="{entry.request_id}">{entry.request_id[:8]}…</span>' in page
    for column in ("key_prefix", "client_address", "direction", "interface"):
        assert f"field-{column}" not in page
    AuditLogEntry.objects.filter(pk=entry.pk).update(http_status=None)
    entry.refresh_from_db()
    assert str(entry).endswith("api-minimum-version-number no answer")


def test_audit_log_is_read_only(superuser_client, partner, client):
    entry = audit_entry(partner)

    assert superuser_client.get(reverse("admin:partners_auditlogentry_add")).status_code == 403
    page = superuser_client.get(audit_url(entry))
    assert page.status_code == 200 and entry.request_id in page.content.decode()
    response = superuser_client.post(audit_url(entry), {"request_id": "forged", "call": "x"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.request_id, entry.call) == ("req-0001", "station-post")

    # Nobody deletes entries here, superusers included: retention is `manage.py audit prune`.
    client.force_login(staff_user("manager", groups.PARTNER_MANAGEMENT))
    for user_client in (superuser_client, client):
        assert user_client.get(audit_url(entry, "delete")).status_code == 403
        assert user_client.post(audit_url(entry, "delete"), {"post": "yes"}).status_code == 403
        bulk = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
        user_client.post(AUDIT_URL, bulk)
    # No action is offered at all: deleting the selected entries was the only one.
    assert superuser_client.get(AUDIT_URL).context["action_form"] is None
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_admin_log_shows_who_did_what(superuser_client, partner, admin_user):
    api_key, _ = issue_key(partner)
    superuser_client.post(key_url(api_key, "revoke"))
    entry = LogEntry.objects.get()

    response = superuser_client.get(ADMIN_LOG_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a href="{key_url(api_key)}">{api_key.prefix}</a>' in page
    assert "Revoked." in page
    for params in ({"user__id__exact": admin_user.pk}, {"action_flag__exact": CHANGE}):
        assert list(superuser_client.get(ADMIN_LOG_URL, params).context["cl"].result_list) == [
            entry
        ]
    log_url = reverse("admin:admin_logentry_change", args=[entry.pk])
    assert superuser_client.get(log_url).status_code == 200
    assert superuser_client.post(log_url, {"change_message": "forged"}).status_code == 403
    assert superuser_client.get(reverse("admin:admin_logentry_add")).status_code == 403
    assert (
        superuser_client.get(reverse("admin:admin_logentry_delete", args=[entry.pk])).status_code
        == 403
    )


# --- Staff groups -----------------------------------------------------------------------------


def test_support_group_reads_but_cannot_write(support_client, partner):
    partner.endpoint_url = "https://cpo.example/oioi"
    partner.endpoint_key = "their-endpoint-key-Zq8W"
    partner.save()
    api_key, plaintext = issue_key(partner)
    entry = audit_entry(partner)

    for url in (
        PARTNERS_URL,
        partner_url(partner),
        KEYS_URL,
        key_url(api_key),
        AUDIT_URL,
        audit_url(entry),
        ADMIN_LOG_URL,
    ):
        assert support_client.get(url).status_code == 200, url
    page = support_client.get(partner_url(partner)).content.decode()
    assert "their-endpoint-key-Zq8W" not in page and "…Zq8W" in page
    assert "Issue a new API key" not in page
    assert key_url(api_key, "revoke") not in support_client.get(key_url(api_key)).content.decode()

    assert support_client.get(PARTNER_ADD_URL).status_code == 403
    assert support_client.post(PARTNER_ADD_URL, partner_add_data()).status_code == 403
    assert support_client.post(partner_url(partner), {"name": "Renamed"}).status_code == 403
    assert support_client.get(ISSUE_URL).status_code == 403
    assert support_client.post(ISSUE_URL, issue_data(partner)).status_code == 403
    assert support_client.post(key_url(api_key), {"label": "changed"}).status_code == 403
    assert support_client.get(key_url(api_key, "revoke")).status_code == 403
    assert support_client.post(key_url(api_key, "revoke")).status_code == 403
    support_client.post(KEYS_URL, {"action": "revoke_selected", "_selected_action": [api_key.pk]})
    assert support_client.get(audit_url(entry, "delete")).status_code == 403

    partner.refresh_from_db()
    api_key.refresh_from_db()
    assert partner.name == "Alpha Charging" and Partner.objects.count() == 1
    assert api_key.state() == ApiKey.State.ACTIVE and api_key.label == ""
    assert ApiKey.objects.count() == 1
    assert oioi_status(plaintext) == (200, 0)


def test_partner_management_group_onboards_partners_and_manages_keys(management_client, db):
    response = management_client.post(PARTNER_ADD_URL, partner_add_data())
    assert response.status_code == 302
    partner = Partner.objects.get(name="New CPO")
    assert partner.identifiers.count() == 1 and partner.operator_ids.count() == 1

    page = management_client.get(partner_url(partner)).content.decode()
    assert f"{ISSUE_URL}?partner={partner.pk}" in page
    response = management_client.post(ISSUE_URL, issue_data(partner), follow=True)
    assert response.status_code == 200
    plaintext = response.context["plaintext"]
    assert oioi_status(plaintext) == (200, 0)

    api_key = ApiKey.objects.get(partner=partner)
    assert management_client.post(key_url(api_key, "revoke")).status_code == 302
    assert oioi_status(plaintext) == (401, 210)

    entry = AuditLogEntry.objects.latest("pk")
    assert management_client.get(audit_url(entry, "delete")).status_code == 403
    assert (
        management_client.get(
            reverse("admin:partners_partner_delete", args=[partner.pk])
        ).status_code
        == 403
    )
    assert management_client.get(key_url(api_key, "delete")).status_code == 403


# --- Query counts -----------------------------------------------------------------------------

# Session, user, counts, the page's rows, the filters' choices: none of them per row.
PARTNER_LIST_MAX_QUERIES = 5
KEY_LIST_MAX_QUERIES = 6
AUDIT_LIST_MAX_QUERIES = 8


@pytest.mark.parametrize("rows", [3, 30])
def test_partner_list_queries_do_not_grow_with_rows(
    superuser_client, django_assert_max_num_queries, rows
):
    for n in range(rows):
        partner = PartnerFactory(name=f"Partner {n:03d}", slug=f"partner-{n:03d}", is_emp=n % 2)
        PartnerIdentifierFactory(partner=partner)
        issue_key(partner)
        issue_key(partner)

    with django_assert_max_num_queries(PARTNER_LIST_MAX_QUERIES):
        response = superuser_client.get(PARTNERS_URL)
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows
    assert "2 (2 active)" in response.content.decode()

    with django_assert_max_num_queries(PARTNER_LIST_MAX_QUERIES):
        response = superuser_client.get(PARTNERS_URL, {"q": "partner-identifier"})
    assert response.context["cl"].result_count == rows

    with django_assert_max_num_queries(KEY_LIST_MAX_QUERIES):
        response = superuser_client.get(KEYS_URL)
    assert response.context["cl"].result_count == 2 * rows


@pytest.mark.parametrize("rows", [3, 30])
def test_audit_log_queries_do_not_grow_with_rows(
    superuser_client, django_assert_max_num_queries, rows
):
    partners = [PartnerFactory(name=f"Partner {n}", slug=f"partner-{n}") for n in range(3)]
    for n in range(rows):
        audit_entry(partners[n % 3], request_id=f"req-{n:04d}", result_code=n % 2 * 210)

    with django_assert_max_num_queries(AUDIT_LIST_MAX_QUERIES):
        response = superuser_client.get(AUDIT_URL)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows

    with django_assert_max_num_queries(AUDIT_LIST_MAX_QUERIES):
        response = superuser_client.get(AUDIT_URL, {"result_code": "210", "q": "/api/v4/"})
    assert response.status_code == 200


def test_admin_sign_in_is_throttled(client, admin_user, settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": admin_user.username, "password": "wrong"})
    # Locked now: even the right password is refused for a while, from this address.
    response = client.post(url, {"username": admin_user.username, "password": "password"})
    assert response.status_code == 200
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session
    other_address = client.post(
        url,
        {"username": admin_user.username, "password": "password"},
        REMOTE_ADDR="198.51.100.20",
    )
    assert other_address.status_code == 302
