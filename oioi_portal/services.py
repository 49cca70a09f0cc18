"""
Writes on partners and API keys. The admin, the operator commands and the API all call these,
so the rules live in one place.
"""

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from oioi_portal import identifiers
from oioi_portal.models import ApiKey, OperatorId, Partner, PartnerIdentifier, Role

KEY_PREFIX_LENGTH = 10
KEY_SECRET_BYTES = 32  # token_urlsafe(32) gives 43 characters
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits


def api_key_hash(secret):
    """Keyed hash of a key's secret: fast, because the secret is long and random."""
    return hmac.new(
        settings.API_KEY_HASH_SECRET.encode(), secret.encode(), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    plaintext: str


@transaction.atomic
def partner_create(
    *,
    name,
    roles,
    operator_ids=(),
    partner_identifiers=(),
    endpoint_url="",
    endpoint_key="",
    **fields,
):
    """Create a partner with its roles, operator ids and partner identifiers, all or nothing."""
    roles = {Role(role) for role in roles}
    if not roles:
        raise ValidationError("A partner has at least one role.")
    if Role.CPO not in roles and operator_ids:
        raise ValidationError("Only a CPO partner registers operator ids.")
    if endpoint_key and not endpoint_url:
        raise ValidationError("An endpoint key goes with an endpoint URL.")
    partner = Partner(
        name=name,
        slug=fields.pop("slug", None) or slugify(name),
        endpoint_url=endpoint_url,
        endpoint_key=endpoint_key,
        **{Partner.ROLE_FIELDS[role]: True for role in roles},
        **fields,
    )
    partner.full_clean()
    partner.save()
    for value in operator_ids:
        operator_id_add(partner, value)
    for value in partner_identifiers:
        partner_identifier_add(partner, value)
    return partner


def operator_id_add(partner, value, name=""):
    if not partner.is_cpo:
        raise ValidationError("Only a CPO partner registers operator ids.")
    normalized = identifiers.normalize_operator_id(value)
    if OperatorId.objects.filter(normalized=normalized).exists():
        raise ValidationError(f"Operator id {value} is already registered.")
    return OperatorId.objects.create(partner=partner, value=value, name=name)


def partner_identifier_add(partner, value, description=""):
    value = identifiers.normalize_partner_identifier(value)
    if PartnerIdentifier.objects.filter(value=value).exists():
        raise ValidationError(f"Partner identifier {value} is already registered.")
    return PartnerIdentifier.objects.create(partner=partner, value=value, description=description)


def _new_prefix():
    while True:
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(KEY_PREFIX_LENGTH))
        if not ApiKey.objects.filter(prefix=prefix).exists():
            return prefix


@transaction.atomic
def api_key_issue(
    partner,
    *,
    label="",
    expires_at=None,
    partner_identifiers=(),
    allowed_networks="",
    created_by=None,
):
    """
    Issue a new key for ``partner``. Returns the key and its plaintext, which is shown to
    whoever asked once and stored nowhere. Existing keys keep working (rotation).
    """
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry lies in the past.")
    foreign = [pi for pi in partner_identifiers if pi.partner_id != partner.pk]
    if foreign:
        raise ValidationError("A key acts only for its own partner's identifiers.")
    secret = secrets.token_urlsafe(KEY_SECRET_BYTES)
    api_key = ApiKey(
        partner=partner,
        prefix=_new_prefix(),
        secret_hash=api_key_hash(secret),
        label=label,
        expires_at=expires_at,
        allowed_networks=allowed_networks,
        created_by=created_by,
    )
    api_key.full_clean(exclude=["partner_identifiers"])
    api_key.save()
    api_key.partner_identifiers.set(partner_identifiers)
    return IssuedKey(api_key=api_key, plaintext=f"{api_key.prefix}.{secret}")


def api_key_revoke(api_key, *, revoked_by=None):
    """Revoke a key; the next request made with it is refused. Revoking twice changes nothing."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.revoked_by = revoked_by
        api_key.save(update_fields=["revoked_at", "revoked_by"])
    return api_key


def api_key_touch(api_key, now=None):
    """
    Record that a key was used, at most once per ``API_KEY_LAST_USED_RESOLUTION_SECONDS``:
    a write per request would cost every request a row lock on a hot row.
    """
    now = now or timezone.now()
    resolution = timedelta(seconds=settings.API_KEY_LAST_USED_RESOLUTION_SECONDS)
    if api_key.last_used_at is not None and now - api_key.last_used_at < resolution:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
