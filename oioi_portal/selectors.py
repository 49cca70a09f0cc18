"""Reads on partners and API keys shared by the OIOI endpoint, the REST API and the admin."""

import hmac
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from oioi_portal.models import ApiKey, Delivery, Partner, PartnerIdentifier
from oioi_portal.prepared import Param, PreparedQuery
from oioi_portal.services import api_key_hash


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
    api_key = _api_key_by_prefix.first(prefix=prefix)
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


def _partner_identifier_for_key():
    key_links = ApiKey.partner_identifiers.through.objects.filter(apikey_id=Param("api_key_id"))
    return (
        PartnerIdentifier.objects.filter(
            value=Param("value"), partner_id=Param("partner_id"), is_active=True
        )
        # A key with no identifiers selected acts for all of its partner's.
        .filter(~Exists(key_links) | Exists(key_links.filter(partneridentifier_id=OuterRef("pk"))))
        .order_by()[:1]
    )


# Every OIOI request runs the first, every call naming a partner identifier the second.
_api_key_by_prefix = PreparedQuery(
    lambda: ApiKey.objects.select_related("partner").filter(prefix=Param("prefix"))[:1]
)
_partner_identifier_for_key = PreparedQuery(_partner_identifier_for_key)


def partner_identifier_get_for_key(api_key, value):
    """The active partner identifier ``value`` if ``api_key`` may act for it, else None."""
    return _partner_identifier_for_key.first(
        value=value, partner_id=api_key.partner_id, api_key_id=api_key.pk
    )


# --- What needs staff's attention -----------------------------------------------------------

# A key expiring this soon is renewed with its partner before their calls start failing.
KEY_EXPIRY_WARNING = timedelta(days=14)


def api_key_list_expiring(now=None):
    """Usable keys that expire within KEY_EXPIRY_WARNING."""
    now = now or timezone.now()
    return ApiKey.objects.usable(now).filter(expires_at__lte=now + KEY_EXPIRY_WARNING)


def delivery_list_dead():
    return Delivery.objects.filter(state=Delivery.State.DEAD)


def partner_list_endpoint_failing():
    """
    Partners whose endpoint did not take a delivery: one given up on (a dead letter) or one
    whose last attempt failed and that waits for the next.
    """
    failing = Delivery.objects.filter(partner=OuterRef("pk"), attempts__gt=0).exclude(
        state=Delivery.State.DELIVERED
    )
    return Partner.objects.filter(Exists(failing))
