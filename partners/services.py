import hashlib
import hmac
import random
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import identifiers
from partners.models import (
    ApiKey,
    AuditLogEntry,
    Delivery,
    OperatorId,
    Partner,
    PartnerIdentifier,
    PartnerMembership,
    Role,
)

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


# A CPO's operator ids are its stations' `cpo-id`; a fleet's are the `fleet-cpo-id` its
# fleet-post-members name (docs/oioi.md, "Fleet cards").
OPERATOR_ID_ROLES = frozenset({Role.CPO, Role.FLEET})
OPERATOR_ID_REFUSAL = "Only a CPO or fleet partner registers operator ids."


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
    if not roles & OPERATOR_ID_ROLES and operator_ids:
        raise ValidationError(OPERATOR_ID_REFUSAL)
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
    if not partner.roles & OPERATOR_ID_ROLES:
        raise ValidationError(OPERATOR_ID_REFUSAL)
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


def delivery_enqueue(
    partner, call, payload, *, subject="", dedupe_key=None, not_before=None, sequence=""
):
    """
    Queue ``{call: payload}`` for ``partner``. Call it inside the transaction that makes the
    change: if that rolls back, the delivery never existed. With ``dedupe_key``, enqueuing
    the same thing again returns the existing delivery. Deliveries of one ``sequence`` go one
    at a time, in the order they were queued.
    """
    fields = {
        "partner": partner,
        "call": call,
        "payload": payload,
        "subject": subject[:200],
        "sequence": sequence,
        "max_attempts": settings.DELIVERY_MAX_ATTEMPTS,
        "next_attempt_at": not_before or timezone.now(),
    }
    if dedupe_key is None:
        return Delivery.objects.create(**fields)
    delivery, _ = Delivery.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    return delivery


def delivery_backoff_seconds(attempt, rng=random):
    """Exponential back-off after ``attempt`` failures, with jitter so retries spread out."""
    ceiling = min(
        settings.DELIVERY_BACKOFF_MAX_SECONDS,
        settings.DELIVERY_BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0),
    )
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def delivery_lease_seconds():
    """How long a claim lasts: longer than any exchange, so only a dead worker's expires."""
    return settings.OIOI_OUTBOUND_CONNECT_TIMEOUT + settings.OIOI_OUTBOUND_READ_TIMEOUT + 60


def deliveries_claim(limit, now=None):
    """
    Claim up to ``limit`` due deliveries for this worker: pending ones whose time has come,
    and ones whose sender died (lease expired). Rows another worker holds are skipped, and so
    is a delivery of a sequence while an earlier one of it is still on its way.
    """
    now = now or timezone.now()
    due = Q(state=Delivery.State.PENDING, next_attempt_at__lte=now) | Q(
        state=Delivery.State.SENDING, lease_expires_at__lte=now
    )
    earlier = Delivery.objects.filter(
        sequence=OuterRef("sequence"),
        pk__lt=OuterRef("pk"),
        state__in=[Delivery.State.PENDING, Delivery.State.SENDING],
    )
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(due)
            .filter(Q(sequence="") | ~Exists(earlier))
            .select_related("partner")
            .order_by("next_attempt_at", "id")[:limit]
        )
        if claimed:
            Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
                state=Delivery.State.SENDING,
                lease_expires_at=now + timedelta(seconds=delivery_lease_seconds()),
            )
    return claimed


def delivery_retry(delivery, now=None):
    """Staff send a dead delivery again: it gets a fresh round of attempts, starting now."""
    if delivery.state != Delivery.State.DEAD:
        raise ValidationError("Only a dead delivery is retried; the others are on their way.")
    delivery.state = Delivery.State.PENDING
    delivery.next_attempt_at = now or timezone.now()
    delivery.max_attempts = delivery.attempts + settings.DELIVERY_MAX_ATTEMPTS
    delivery.save(update_fields=["state", "next_attempt_at", "max_attempts"])
    return delivery


# Rows deleted per statement: each is a short transaction, so requests logging meanwhile wait
# on no long lock, and an interrupted prune keeps what it did.
AUDIT_PRUNE_BATCH_ROWS = 5000


# The logs kept as evidence, pruned together: {name: model with a ``created_at``}. An app with
# a log of its own registers it when it is ready (``audit_log_register``).
AUDIT_LOGS = {"audit log": AuditLogEntry}


def audit_log_register(name, model):
    AUDIT_LOGS[name] = model


def audit_prune(before, *, today=None):
    """
    Delete the rows of every log in AUDIT_LOGS (the request audit log, the authorization log)
    from before the day ``before`` (its midnight in TIME_ZONE). A day less than
    AUDIT_MIN_RETENTION_DAYS ago is refused: the logs are the evidence of what partners sent and
    what we answered. Returns {log name: rows deleted}.
    """
    today = today or timezone.localdate()
    earliest = today - timedelta(days=settings.AUDIT_MIN_RETENTION_DAYS)
    if before > earliest:
        raise ValidationError(
            f"{before.isoformat()} is within the minimum retention of "
            f"{settings.AUDIT_MIN_RETENTION_DAYS} days (AUDIT_MIN_RETENTION_DAYS); "
            f"the latest day allowed is {earliest.isoformat()}."
        )
    cutoff = timezone.make_aware(datetime.combine(before, time.min))
    return {
        name: _delete_in_batches(model.objects.filter(created_at__lt=cutoff))
        for name, model in AUDIT_LOGS.items()
    }


def _delete_in_batches(queryset):
    deleted = 0
    while True:
        batch = list(queryset.order_by("pk").values_list("pk", flat=True)[:AUDIT_PRUNE_BATCH_ROWS])
        if not batch:
            return deleted
        deleted += queryset.model.objects.filter(pk__in=batch).delete()[0]


@transaction.atomic
def portal_user_create(
    partner, username, *, email="", password=None, is_partner_admin=False, invited_by=None
):
    """
    Create a portal user of ``partner``. Without ``password`` the user gets a random one nobody
    knows: it signs in after setting its own through the e-mailed link (or "forgot password",
    which Django sends only to users with a usable password, hence not an unusable one).
    """
    User = get_user_model()
    username = username.strip()
    user = User(username=username, email=email.strip())
    user.full_clean(exclude=["password"])
    if password is not None:
        password_validation.validate_password(password, user)
    user.set_password(password if password is not None else secrets.token_urlsafe(32))
    user.save()
    PartnerMembership.objects.create(
        user=user, partner=partner, is_partner_admin=is_partner_admin, invited_by=invited_by
    )
    return user


def portal_user_invite(partner, *, username, email, is_partner_admin, invited_by, base_url):
    """
    Create a portal user of ``partner`` and e-mail it a link to set its password. ``base_url``
    is the portal's address as the inviting user reached it, e.g. ``https://portal.example/``.
    """
    if not email.strip():
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    user = portal_user_create(
        partner,
        username,
        email=email,
        is_partner_admin=is_partner_admin,
        invited_by=invited_by,
    )
    link = base_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "partner": partner, "invited_by": invited_by, "link": link}
    # In the inviting user's language: the invited colleague most likely shares it.
    send_mail(
        _("Your %(partner)s account on the OIOI partner portal") % {"partner": partner.name},
        render_to_string("portal/email/invitation.txt", context),
        None,
        [user.email],
    )
    return user


def portal_user_set_active(membership, *, active):
    """Deactivate (or reactivate) a portal user: a deactivated user cannot sign in."""
    user = membership.user
    user.is_active = active
    user.save(update_fields=["is_active"])
