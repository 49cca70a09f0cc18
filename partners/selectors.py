import hmac
from datetime import timedelta

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import sql
from partners.models import ApiKey, Delivery, Partner, PartnerIdentifier, PartnerMembership
from partners.services import api_key_hash


class InvalidApiKey(Exception):
    """The presented key cannot be used; the message says why without revealing secrets."""


def api_key_get_valid(plaintext, *, client_address=None, now=None):
    """
    Return the usable ApiKey (with its partner) for ``plaintext``, in one query, or raise
    InvalidApiKey. The secret is compared in constant time against the stored keyed hash.
    """
    prefix, dot, secret = (plaintext or "").partition(".")
    if not dot or not prefix or not secret or len(prefix) > 12:
        raise InvalidApiKey("Invalid API key.")
    api_key = api_key_get_by_prefix(prefix)
    if api_key is None:
        raise InvalidApiKey("Invalid API key.")
    if not hmac.compare_digest(api_key.secret_hash, api_key_hash(secret)):
        raise InvalidApiKey("Invalid API key.")
    state = api_key.state(now or timezone.now())
    if state != ApiKey.State.ACTIVE:
        raise InvalidApiKey(f"API key {state}.")
    if not api_key.partner.is_active:
        raise InvalidApiKey("API key of an inactive partner.")
    if client_address is not None and not api_key.allows_address(client_address):
        raise InvalidApiKey("API key not allowed from this network.")
    return api_key


_KEY = sql.Columns(ApiKey, "k")


_PARTNER = sql.Columns(Partner, "p")


_API_KEY_BY_PREFIX = (
    f"SELECT {_KEY.sql}, {_PARTNER.sql} FROM {sql.table(ApiKey)} k "  # noqa: S608
    f"INNER JOIN {sql.table(Partner)} p ON {sql.column(Partner, 'id', 'p')} = "
    f"{sql.column(ApiKey, 'partner', 'k')} WHERE {sql.column(ApiKey, 'prefix', 'k')} = %s"
)


def api_key_get_by_prefix(prefix):
    """
    The ApiKey with ``prefix``, its partner with it, or None: one query, on every API request
    (plain SQL, see oioi_portal.sql).
    """
    with connection.cursor() as cursor:
        cursor.execute(_API_KEY_BY_PREFIX, [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    api_key = _KEY.instance(row[: _KEY.count])
    api_key.partner = _PARTNER.instance(row[_KEY.count :])
    return api_key


_IDENTIFIER = sql.Columns(PartnerIdentifier, "i")


_KEY_LINKS = ApiKey.partner_identifiers.through


_PARTNER_IDENTIFIER_FOR_KEY = (
    f"SELECT {_IDENTIFIER.sql} FROM {sql.table(PartnerIdentifier)} i "  # noqa: S608
    f"WHERE {sql.column(PartnerIdentifier, 'value', 'i')} = %s "
    f"AND {sql.column(PartnerIdentifier, 'partner', 'i')} = %s "
    f"AND {sql.column(PartnerIdentifier, 'is_active', 'i')} = %s "
    # A key with no identifiers selected acts for all of its partner's.
    f"AND (NOT EXISTS (SELECT 1 FROM {sql.table(_KEY_LINKS)} l "
    f"WHERE {sql.column(_KEY_LINKS, 'apikey', 'l')} = %s) "
    f"OR EXISTS (SELECT 1 FROM {sql.table(_KEY_LINKS)} l "
    f"WHERE {sql.column(_KEY_LINKS, 'apikey', 'l')} = %s "
    f"AND {sql.column(_KEY_LINKS, 'partneridentifier', 'l')} = "
    f"{sql.column(PartnerIdentifier, 'id', 'i')}))"
)


def partner_identifier_get_for_key(api_key, value):
    """
    The active partner identifier ``value`` if ``api_key`` may act for it, else None: one
    query, on every call naming a partner identifier (plain SQL, see oioi_portal.sql).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _PARTNER_IDENTIFIER_FOR_KEY, [value, api_key.partner_id, True, api_key.pk, api_key.pk]
        )
        row = cursor.fetchone()
    return None if row is None else _IDENTIFIER.instance(row)


# A key expiring this soon is renewed with its partner before their calls start failing.
KEY_EXPIRY_WARNING = timedelta(days=14)


def api_key_list_expiring(now=None):
    """Usable keys that expire within KEY_EXPIRY_WARNING."""
    now = now or timezone.now()
    return ApiKey.objects.usable(now).filter(expires_at__lte=now + KEY_EXPIRY_WARNING)


def partner_list_endpoint_failing():
    """
    Partners whose endpoint did not take a delivery: one given up on (a dead letter) or one
    whose last attempt failed and that waits for the next.
    """
    failing = Delivery.objects.filter(partner=OuterRef("pk"), attempts__gt=0).exclude(
        state=Delivery.State.DELIVERED
    )
    return Partner.objects.filter(Exists(failing))


def delivery_list_dead():
    return Delivery.objects.filter(state=Delivery.State.DEAD)


def membership_for(user):
    """The signed-in user's membership with its partner (one query), or None."""
    if not user.is_authenticated:
        return None
    return PartnerMembership.objects.select_related("partner", "user").filter(user=user).first()


def memberships_of(partner):
    return PartnerMembership.objects.filter(partner=partner).select_related("user")


def api_keys_of(partner):
    """The partner's keys as the dashboard shows them: prefixes and use, never a secret."""
    return ApiKey.objects.filter(partner=partner).only(
        "prefix", "label", "created_at", "expires_at", "revoked_at", "last_used_at", "partner_id"
    )
