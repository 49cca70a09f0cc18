"""Partners, their identifiers, operator ids, API keys and portal users; their request audit log
and the deliveries we owe them."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from core import identifiers


class Role(models.TextChoices):
    CPO = "cpo", "Charge point operator"
    EMP = "emp", "E-mobility provider"
    OEM = "oem", "Car maker"
    FLEET = "fleet", "Fleet operator"


class PartnerQuerySet(models.QuerySet):
    def with_role(self, role):
        return self.filter(**{Partner.ROLE_FIELDS[Role(role)]: True})

    def active(self):
        return self.filter(is_active=True)


class Partner(models.Model):
    """A company that exchanges data with the platform over OIOI."""

    ROLE_FIELDS = {
        Role.CPO: "is_cpo",
        Role.EMP: "is_emp",
        Role.OEM: "is_oem",
        Role.FLEET: "is_fleet",
    }

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    # One flag per role: a partner may hold several, and each is cheap to filter on.
    is_cpo = models.BooleanField("CPO", default=False)
    is_emp = models.BooleanField("EMP", default=False)
    is_oem = models.BooleanField("OEM", default=False)
    is_fleet = models.BooleanField("fleet", default=False)
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive partners' API keys are refused."
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)
    endpoint_url = models.URLField(
        "OIOI endpoint URL", blank=True, help_text="Where we send this partner's OIOI calls."
    )
    # The key the partner gave us for calling its endpoint. We must send it, so it cannot be
    # hashed; it is never shown back in full (see ``endpoint_key_hint``).
    endpoint_key = models.CharField("OIOI endpoint key", max_length=500, blank=True)
    offline_authorization = models.BooleanField(
        "offline authorization",
        default=False,
        help_text="A CPO that authorizes offline: it receives the complete whitelist (rfid-post) "
        "after changes and daily.",
    )
    online_authorization = models.BooleanField(
        "online authorization",
        default=False,
        help_text="An EMP or OEM that authorizes its customers' charges itself: a CPO's "
        "rfid-verify of one of its UIDs is forwarded to its OIOI endpoint and its answer relayed "
        "(waiting at most OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS).",
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        "rate limit (requests per minute per key)",
        null=True,
        blank=True,
        help_text="Empty: the platform's default (API_RATE_LIMIT_PER_MINUTE); 0: no limit.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_partner"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_cpo=True) | Q(is_emp=True) | Q(is_oem=True) | Q(is_fleet=True),
                name="partner_has_a_role",
                violation_error_message="A partner has at least one role.",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def roles(self):
        return frozenset(role for role, field in self.ROLE_FIELDS.items() if getattr(self, field))

    def has_role(self, role):
        return getattr(self, self.ROLE_FIELDS[Role(role)])

    def clean(self):
        # Only a provider of contracts has UIDs of its own to authorize (docs/oioi.md).
        if self.online_authorization and not (self.is_emp or self.is_oem):
            raise ValidationError(
                {"online_authorization": "Only an EMP or an OEM authorizes online."}
            )
        if self.online_authorization and not self.endpoint_url:
            raise ValidationError(
                {"online_authorization": "Online authorization needs an OIOI endpoint URL."}
            )

    @property
    def endpoint_key_hint(self):
        """Enough of the endpoint key to recognise it, never enough to use it."""
        if not self.endpoint_key:
            return ""
        return f"…{self.endpoint_key[-4:]}" if len(self.endpoint_key) >= 12 else "…"


class PartnerIdentifier(models.Model):
    """A value a partner sends as `partner-identifier` to say on whose behalf it acts."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="identifiers")
    value = models.CharField(
        max_length=identifiers.PARTNER_IDENTIFIER_MAX_LENGTH,
        unique=True,
        validators=[identifiers.normalize_partner_identifier],
    )
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_partneridentifier"
        ordering = ["partner", "value"]

    def __str__(self):
        return self.value


class OperatorId(models.Model):
    """An operator id (`DE*8PS`): a CPO's stations' `cpo-id`, or a fleet's `fleet-cpo-id`."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="operator_ids")
    value = models.CharField(
        "operator id", max_length=10, help_text="As written by the operator, e.g. DE*8PS."
    )
    normalized = models.CharField(max_length=5, unique=True, editable=False)
    name = models.CharField(max_length=200, blank=True, help_text="The operator's trading name.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_operatorid"
        ordering = ["normalized"]
        verbose_name = "operator id"

    def __str__(self):
        return self.value

    def save(self, *args, **kwargs):
        self.normalized = identifiers.normalize_operator_id(self.value)
        self.value = identifiers.display_operator_id(self.value)
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.normalized = identifiers.normalize_operator_id(self.value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from exc


def parse_networks(text):
    """Parse an allow-list of CIDR networks; raise ValidationError naming a bad entry."""
    networks = []
    for entry in text.replace(",", "\n").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValidationError(f"{entry!r} is not a network in CIDR notation.") from exc
    return networks


def validate_networks(value):
    parse_networks(value)


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """
    A partner's API key `<prefix>.<secret>`. The prefix is public and names the key; of the
    secret only a keyed hash is stored (see ``oioi_portal.services.api_key_issue``).
    """

    class State(models.TextChoices):
        ACTIVE = "active", "active"
        EXPIRED = "expired", "expired"
        REVOKED = "revoked", "revoked"

    # Keys are revoked, never deleted (the audit and admin logs name them), nor their partner.
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="api_keys")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(
        "expires", null=True, blank=True, help_text="Leave empty for a key that does not expire."
    )
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)
    partner_identifiers = models.ManyToManyField(
        PartnerIdentifier,
        blank=True,
        related_name="api_keys",
        help_text="The partner identifiers this key may act for; none selected means all of "
        "its partner's.",
    )
    allowed_networks = models.TextField(
        blank=True,
        help_text="Client networks (CIDR) the key may be used from, one per line or "
        "comma-separated; empty means any.",
        validators=[validate_networks],
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_apikey"
        ordering = ["partner", "-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return self.prefix

    def state(self, now=None):
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE

    @cached_property
    def networks(self):
        return parse_networks(self.allowed_networks)

    def allows_address(self, address):
        if not self.networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


class PartnerMembership(models.Model):
    """Makes a Django user a portal user of one partner: the partner whose data the user sees."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    is_partner_admin = models.BooleanField(
        "partner admin",
        default=False,
        help_text="May invite and deactivate the portal users of its own partner.",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_partnermembership"
        ordering = ["partner", "user__username"]
        verbose_name = "portal user"

    def __str__(self):
        return f"{self.user} ({self.partner})"


class RateLimitCounter(models.Model):
    """Requests made with one API key in one minute, summed over every app process."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField(help_text="Minutes since the epoch.")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_ratelimitcounter"
        constraints = [
            models.UniqueConstraint(fields=["api_key", "minute"], name="ratelimit_key_minute")
        ]

    def __str__(self):
        return f"{self.api_key_id}@{self.minute}: {self.hits}"


class AuditLogEntryQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """The requests ``partner`` made to us and the calls we made to it."""
        return self.filter(partner=partner)


class AuditLogEntry(models.Model):
    """One request: an OIOI call or REST request we received, or an OIOI call we sent."""

    class Direction(models.TextChoices):
        INBOUND = "in", "inbound"
        OUTBOUND = "out", "outbound"

    class Interface(models.TextChoices):
        OIOI = "oioi", "OIOI"
        REST = "rest", "REST"

    created_at = models.DateTimeField("time", default=timezone.now, db_index=True)
    request_id = models.CharField(max_length=64, db_index=True)
    correlation_id = models.CharField(max_length=128, blank=True, db_index=True)
    direction = models.CharField(max_length=3, choices=Direction, default=Direction.INBOUND)
    interface = models.CharField(max_length=4, choices=Interface)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    # The key's public prefix, never the key: kept as text so the row outlives the key.
    key_prefix = models.CharField(max_length=12, blank=True)
    call = models.CharField(max_length=100, blank=True, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    result_code = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField("duration (ms)", default=0)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditLogEntryQuerySet.as_manager()

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_auditlogentry"
        ordering = ["-created_at", "-id"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["partner", "-created_at"])]

    def __str__(self):
        status = self.http_status or "no answer"
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.call or self.path} {status}"


class DeliveryQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """What we send ``partner`` without waiting."""
        return self.filter(partner=partner)


class Delivery(models.Model):
    """
    An OIOI call we send without waiting (a CDR to an EMP, a whitelist to a CPO). The row is
    the task: workers claim due rows, send, and record each attempt; it is committed with the
    change that caused it, so a rolled-back change never sends anything.
    """

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        DELIVERED = "delivered", "delivered"
        DEAD = "dead", "dead letter"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="deliveries")
    call = models.CharField(max_length=100)
    payload = models.JSONField()
    subject = models.CharField(
        max_length=200, blank=True, help_text="What is delivered, e.g. 'CDR 123'."
    )
    # Enqueuing the same thing twice (e.g. the same final CDR) yields one delivery.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Deliveries of one sequence are sent one at a time, in the order they were queued (a
    # fleet's card statuses); a dead one lets the next go. Empty: no order to keep.
    sequence = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField()
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker's claim on a row it is sending; a worker that dies leaves it to expire.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_result_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_delivery"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        permissions = [("retry_delivery", "Can send a dead delivery again")]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["partner", "-created_at"]),
            models.Index(
                fields=["sequence", "id"], condition=~Q(sequence=""), name="delivery_sequence"
            ),
        ]

    def __str__(self):
        return f"{self.call} to {self.partner}: {self.subject or self.pk}"


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        DELIVERED = "delivered", "delivered"
        RETRY = "retry", "will retry"
        DEAD = "dead", "gave up"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField("duration (ms)")
    request_id = models.CharField(max_length=64)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    result_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome)

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_deliveryattempt"
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.outcome}"
