"""
The OIOI hot path's plain SQL (oioi_portal.sql): the API key by prefix and the partner
identifier check give what the ORM gives for the same query, on the database the suite runs
on; the key check and the audit row through the OIOI endpoint.
"""

from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from partners.models import ApiKey, AuditLogEntry, PartnerIdentifier
from partners.selectors import api_key_get_by_prefix, partner_identifier_get_for_key
from tests.factories import PartnerFactory, PartnerIdentifierFactory, issue_key
from tests.helpers import OIOI_URL, oioi_post


def columns(instance):
    """Every column's value of ``instance`` as loaded, or None."""
    if instance is None:
        return None
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


# --- The key lookup through the endpoint ------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "http_status"),
    [
        ("valid", 200),
        ("wrong secret", 401),
        ("unknown prefix", 401),
        ("revoked", 401),
        ("expired", 401),
    ],
)
def test_the_key_lookup_through_the_endpoint(client, cpo, case, http_status):
    prefix, _, secret = cpo.key.partition(".")
    key = {
        "wrong secret": f"{prefix}.{'x' * len(secret)}",
        "unknown prefix": f"nosuchkey.{secret}",
    }.get(case, cpo.key)
    now = timezone.now()
    if case == "revoked":
        ApiKey.objects.filter(pk=cpo.api_key.pk).update(revoked_at=now)
    elif case == "expired":
        ApiKey.objects.filter(pk=cpo.api_key.pk).update(expires_at=now - timedelta(seconds=1))
    else:
        # Times of every column set, so that each is read as an aware time.
        ApiKey.objects.filter(pk=cpo.api_key.pk).update(
            expires_at=now + timedelta(days=1), last_used_at=now
        )

    response = oioi_post(client, key, "api-minimum-version-number", {})

    assert response.status_code == http_status, response.content
    entry = AuditLogEntry.objects.get(request_id=response["X-Request-ID"])
    if case == "valid":
        assert response.json()["result"]["code"] == 0
        assert (entry.partner, entry.key_prefix) == (cpo.partner, prefix)
    else:
        assert response.json()["result"]["code"] == 210
        assert (entry.partner, entry.key_prefix) == (None, "")


def test_the_audit_row_holds_what_the_request_gave(client, cpo):
    response = cpo.post(
        client,
        "no-such-call",
        {},
        HTTP_X_CORRELATION_ID="trace-7",
        REMOTE_ADDR="2001:db8::7",
    )
    entry = AuditLogEntry.objects.get(request_id=response["X-Request-ID"])

    stored = columns(entry)
    assert stored.pop("id") > 0
    assert stored.pop("duration_ms") >= 0
    assert timezone.now() - timedelta(minutes=1) < stored.pop("created_at") <= timezone.now()
    assert stored == {
        "request_id": response["X-Request-ID"],
        "correlation_id": "trace-7",
        "direction": AuditLogEntry.Direction.INBOUND,
        "interface": AuditLogEntry.Interface.OIOI,
        "partner_id": cpo.partner.pk,
        "key_prefix": cpo.api_key.prefix,
        "call": "no-such-call",
        "method": "POST",
        "path": OIOI_URL,
        "http_status": 400,
        "result_code": 230,
        "message": response.json()["result"]["message"],
        "client_address": "2001:db8::7",
    }


# --- The SQL against the ORM ------------------------------------------------------------------


def test_the_key_by_prefix_is_the_orm_s_key_with_its_partner(
    db, admin_user, django_assert_num_queries
):
    now = timezone.now()
    plain, _ = issue_key(PartnerFactory(name="Plain"))
    full, _ = issue_key(
        PartnerFactory(name="Full", rate_limit_per_minute=7, notes="n", is_emp=True),
        label="everything set",
        expires_at=now + timedelta(days=3),
        allowed_networks="192.0.2.0/24",
        created_by=admin_user,
    )
    ApiKey.objects.filter(pk=full.pk).update(
        revoked_at=now, revoked_by=admin_user, last_used_at=now - timedelta(hours=1)
    )

    for prefix in (plain.prefix, full.prefix, "nosuchkey", ""):
        with django_assert_num_queries(1):
            found = api_key_get_by_prefix(prefix)
            partner = found and found.partner
        expected = ApiKey.objects.select_related("partner").filter(prefix=prefix).first()
        assert columns(found) == columns(expected)
        assert columns(partner) == columns(expected and expected.partner)
        if found is not None:
            assert (found._state.db, found._state.adding) == ("default", False)
    assert api_key_get_by_prefix(full.prefix).revoked_at == now


def orm_partner_identifier_for_key(api_key, value):
    links = ApiKey.partner_identifiers.through.objects.filter(apikey_id=api_key.pk)
    return (
        PartnerIdentifier.objects.filter(value=value, partner_id=api_key.partner_id, is_active=True)
        .filter(~Exists(links) | Exists(links.filter(partneridentifier_id=OuterRef("pk"))))
        .first()
    )


def test_the_partner_identifier_check_is_the_orm_s(db):
    partner = PartnerFactory()
    first, second = PartnerIdentifierFactory.create_batch(2, partner=partner)
    inactive = PartnerIdentifierFactory(partner=partner, is_active=False)
    theirs = PartnerIdentifierFactory(partner=PartnerFactory())
    keys = {
        "any": issue_key(partner)[0],
        "second": issue_key(partner, partner_identifiers=[second])[0],
        "inactive": issue_key(partner, partner_identifiers=[inactive])[0],
    }
    values = [first.value, second.value, inactive.value, theirs.value, "nosuchvalue"]

    found = {}
    for name, api_key in keys.items():
        for value in values:
            identifier = partner_identifier_get_for_key(api_key, value)
            assert columns(identifier) == columns(orm_partner_identifier_for_key(api_key, value))
            if identifier is not None:
                found.setdefault(name, []).append(identifier.value)
    assert found == {"any": [first.value, second.value], "second": [second.value]}
