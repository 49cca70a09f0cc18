"""
Customers, their contracts (EVCO ids) and charging keys (RFID UIDs), the whitelists partner
EMPs push, and the log of every rfid-verify. See docs/oioi.md, "Identifiers", rfid-verify,
rfid-post.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core import identifiers
from partners.models import Partner, PartnerIdentifier

UID_MAX_LENGTH = max(identifiers.UID_LENGTHS)
EVCO_ID_MAX_LENGTH = 24  # the longest form, DE*8PS*C12345678*9, with room for `-` separators


def _normalized_or_field_error(normalizer, value, field):
    try:
        return normalizer(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


class Customer(models.Model):
    """A driver, of the platform or of a partner EMP / OEM (see Contract.provider)."""

    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    has_valid_payment_method = models.BooleanField(
        "valid payment method",
        default=True,
        help_text="Without one, the customer's keys are refused with 193.",
    )
    # The fleet operator whose fleet this driver charges for: it receives the driver's CDRs.
    fleet = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fleet_customers",
        limit_choices_to={"is_fleet": True},
        help_text="The fleet partner that receives this customer's CDRs; empty for none.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.name or self.email or f"Customer #{self.pk}"


class Contract(models.Model):
    """A contract, named by its EVCO id; provided by the platform or by a partner."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    evco_id = models.CharField(
        "EVCO id", max_length=EVCO_ID_MAX_LENGTH, help_text="As issued, e.g. DE*8PS*123456*7."
    )
    # Upper case without separators: `DE-8PS-123456-7` and `de8ps1234567` are one contract.
    evco_id_normalized = models.CharField(
        max_length=EVCO_ID_MAX_LENGTH, unique=True, editable=False
    )
    provider = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        limit_choices_to=Q(is_emp=True) | Q(is_oem=True),
        help_text="The EMP or OEM partner whose customer this is; empty for the platform's own.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evco_id_normalized"]
        verbose_name = "contract"

    def __str__(self):
        return self.evco_id

    def save(self, *args, **kwargs):
        self.evco_id = self.evco_id.strip()
        self.evco_id_normalized = identifiers.normalize_evco_id(self.evco_id)
        super().save(*args, **kwargs)

    def clean(self):
        self.evco_id_normalized = _normalized_or_field_error(
            identifiers.normalize_evco_id, self.evco_id, "evco_id"
        )
        # Forms leave the normalized column out of their unique checks: `DE-8PS-…` is `DE*8PS*…`.
        taken = Contract.objects.filter(evco_id_normalized=self.evco_id_normalized)
        if taken.exclude(pk=self.pk).exists():
            raise ValidationError({"evco_id": f"EVCO id {self.evco_id} is already a contract."})


class ChargingKeyQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """The keys of the contracts ``partner`` provides: the customers it may act for."""
        return self.filter(contract__provider=partner)


class ChargingKey(models.Model):
    """An RFID card or key fob, by its UID, tied to a contract."""

    class State(models.TextChoices):
        ACTIVE = "active", "active"
        BLOCKED = "blocked", "blocked"
        INACTIVE = "inactive", "inactive"

    uid = models.CharField(
        "UID", max_length=UID_MAX_LENGTH, unique=True, help_text="Hexadecimal, 8, 14 or 20 digits."
    )
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="charging_keys")
    # The contract's customer, kept here so that a customer's page lists its keys inline.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="charging_keys", editable=False
    )
    state = models.CharField(max_length=8, choices=State, default=State.ACTIVE, editable=False)
    state_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    state_reason = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChargingKeyQuerySet.as_manager()

    class Meta:
        ordering = ["uid"]
        verbose_name = "charging key"

    def __str__(self):
        return self.uid

    def save(self, *args, **kwargs):
        self.uid = identifiers.normalize_uid(self.uid)
        self.customer_id = self.contract.customer_id
        super().save(*args, **kwargs)

    def clean(self):
        self.uid = _normalized_or_field_error(identifiers.normalize_uid, self.uid, "uid")


class Whitelist(models.Model):
    """The UIDs a partner pushed (rfid-post) under one of its partner identifiers."""

    partner_identifier = models.OneToOneField(
        PartnerIdentifier, on_delete=models.PROTECT, related_name="whitelist"
    )
    pushed_at = models.DateTimeField("last push", null=True, blank=True)
    last_push_size = models.PositiveIntegerField("UIDs in the last push", default=0)
    last_push_added = models.PositiveIntegerField("added by the last push", default=0)
    last_push_removed = models.PositiveIntegerField("removed by the last push", default=0)

    class Meta:
        ordering = ["partner_identifier__partner__name", "partner_identifier__value"]

    def __str__(self):
        return f"{self.partner_identifier.partner} / {self.partner_identifier}"


class WhitelistEntryQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """The UIDs ``partner`` pushed, under any of its partner identifiers."""
        return self.filter(whitelist__partner_identifier__partner=partner)


class WhitelistEntry(models.Model):
    """One UID of a whitelist; a UID dropped from the list stays, inactive, with its history."""

    # No index of its own: the unique (whitelist, uid) index serves lookups by whitelist, and
    # every index costs each of a 100,000-UID push's inserts and updates.
    whitelist = models.ForeignKey(
        Whitelist, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    uid = models.CharField("UID", max_length=UID_MAX_LENGTH)
    is_active = models.BooleanField("active", default=True)
    added_at = models.DateTimeField(help_text="When the UID last entered the list.")
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = WhitelistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["uid"]
        verbose_name = "whitelist entry"
        verbose_name_plural = "whitelist entries"
        constraints = [
            models.UniqueConstraint(fields=["whitelist", "uid"], name="whitelist_entry_unique_uid")
        ]
        indexes = [
            # rfid-verify looks a UID up among the active entries of every whitelist.
            models.Index(fields=["uid"], condition=Q(is_active=True), name="whitelist_active_uid"),
        ]

    def __str__(self):
        return self.uid


class VerificationResult(models.IntegerChoices):
    """
    What verifying a charging key or contract decides. The values are the numbers that
    ``Authorization.result_code`` rows have always held (they were OIOI's result codes), so
    they must not change; a protocol maps each to its own code.
    """

    ACCEPTED = 0, "accepted"
    # Unknown, or with every key deactivated: answered alike, so a deactivated key tells nothing.
    UNKNOWN = 191, "unknown"
    BLOCKED = 192, "blocked"
    NO_PAYMENT_METHOD = 193, "no payment method"
    # The provider that authorizes online gave no usable answer, and no whitelist of its holds
    # the UID (docs/oioi.md, "rfid-verify forwarded").
    PROVIDER_UNAVAILABLE = 102, "provider unavailable"


class AuthorizationQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """The rfid-verify requests ``partner`` sent."""
        return self.filter(partner=partner)


class Authorization(models.Model):
    """One rfid-verify and our answer."""

    created_at = models.DateTimeField("time", default=timezone.now)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="authorizations")
    uid = models.CharField("UID", max_length=UID_MAX_LENGTH, db_index=True)
    # A VerificationResult value.
    result_code = models.PositiveSmallIntegerField()
    evco_id = models.CharField(
        "EVCO id", max_length=EVCO_ID_MAX_LENGTH, blank=True, help_text="As answered."
    )
    charging_key = models.ForeignKey(
        ChargingKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authorizations",
    )
    # The answered EVCO id compared as EVCO ids are, for a provider's own one that we hold no
    # contract of: its CDR is matched to the provider that answered it (cdrs.selectors).
    evco_id_normalized = models.CharField(max_length=EVCO_ID_MAX_LENGTH, blank=True, editable=False)
    request_id = models.CharField(max_length=64, blank=True)
    # Set when the verification was forwarded to a provider that authorizes online.
    provider = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwarded_authorizations",
        help_text="The provider asked (online authorization); empty when answered locally.",
    )
    provider_answer = models.CharField(
        "provider's answer",
        max_length=16,
        blank=True,
        help_text="Its result code as it gave it, or timeout, unreachable, garbage.",
    )
    provider_failed = models.BooleanField(
        "provider failed",
        default=False,
        help_text="No usable answer from the provider: answered by the fallback.",
    )
    provider_wait_ms = models.PositiveIntegerField("wait (ms)", null=True, blank=True)

    objects = AuthorizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-created_at"]),
            # A provider's endpoint health: its latest forwarded verifications.
            models.Index(
                fields=["provider", "-created_at"],
                condition=Q(provider__isnull=False),
                name="authorization_provider_recent",
            ),
            models.Index(
                fields=["partner", "evco_id_normalized", "-created_at"],
                condition=Q(provider__isnull=False),
                name="authorization_provider_evco",
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.uid} {self.result_code}"


class OfflineWhitelistPush(models.Model):
    """Where the complete whitelist stands for one offline-authorizing CPO."""

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, related_name="offline_whitelist_push"
    )
    # The whitelist as last noticed (a change waits until it has settled) and as last sent.
    seen_fingerprint = models.CharField(max_length=64, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    pushed_fingerprint = models.CharField(max_length=64, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    pushed_size = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"whitelist for {self.partner}"


# --- Fleet cards (docs/oioi.md, "Fleet cards") ---------------------------------------------------

FLEET_UID_MAX_LENGTH = 100  # `fleet-member-uid`, `fm-card-uid`: "max length 100" in the docs


class FleetMember(models.Model):
    """A fleet's driver as its fleet-post-members sent it: a Customer whose fleet is the fleet."""

    fleet = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="fleet_members",
        limit_choices_to={"is_fleet": True},
    )
    uid = models.CharField("fleet member uid", max_length=FLEET_UID_MAX_LENGTH)
    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="fleet_member", editable=False
    )
    external_id = models.CharField("external id", max_length=100, blank=True)
    first_name = models.CharField(max_length=50)
    last_name = models.CharField(max_length=50)
    title = models.CharField(max_length=10, blank=True)
    job_title = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.CharField(max_length=50, blank=True)
    address_line_1 = models.CharField(max_length=50)
    address_line_2 = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=50)
    state_province = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2.")
    default_language = models.CharField(max_length=2, help_text="ISO 639-1.")
    # The fleet's `fleet-id`: its own name for the group the member belongs to.
    fleet_group_id = models.CharField("fleet id", max_length=100)
    fleet_name = models.CharField(max_length=50)
    fleet_cpo_id = models.CharField("fleet cpo id", max_length=6)
    fleet_reference_id = models.CharField("fleet reference id", max_length=100, blank=True)
    # For staff only: the member's home EVSEs and reimbursement terms, as the fleet sent them.
    evses = models.JSONField("EVSEs", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fleet_group_id", "uid"]
        verbose_name = "fleet member"
        constraints = [
            models.UniqueConstraint(fields=["fleet", "uid"], name="fleet_member_unique_uid")
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.uid})"


class FleetCardQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """The cards ``partner`` ordered as a fleet: REST and portal alike."""
        return self.filter(fleet=partner)


class FleetCard(models.Model):
    """A charging card a fleet ordered for one of its members, and where its order stands."""

    class Status(models.TextChoices):
        NEW_REQUEST = "NEW_REQUEST", "new request"
        EVCO_REQUEST = "EVCO_REQUEST", "EVCO id request"
        REQUEST_RECEIVED = "REQUEST_RECEIVED", "request received"
        REQUEST_ACCEPTED = "REQUEST_ACCEPTED", "request accepted"
        REQUEST_REJECTED = "REQUEST_REJECTED", "request rejected"
        OPERATIONAL = "OPERATIONAL", "operational"
        REQUEST_TO_BLOCK = "REQUEST_TO_BLOCK", "request to block"
        REQUEST_TO_UNBLOCK = "REQUEST_TO_UNBLOCK", "request to unblock"
        BLOCKED = "BLOCKED", "blocked"

    fleet = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="fleet_cards",
        limit_choices_to={"is_fleet": True},
    )
    # The identifier the fleet's requests acted for: our answers name it too.
    partner_identifier = models.ForeignKey(
        PartnerIdentifier, on_delete=models.PROTECT, related_name="fleet_cards"
    )
    uid = models.CharField("fleet card uid", max_length=FLEET_UID_MAX_LENGTH)
    member = models.ForeignKey(FleetMember, on_delete=models.PROTECT, related_name="cards")
    status = models.CharField(max_length=20, choices=Status, editable=False)
    request_date = models.DateTimeField(null=True, blank=True)
    # An EVCO_REQUEST's third-party card: its UID and issuer as the fleet sent them.
    requested_rfid = models.CharField(
        "requested UID", max_length=UID_MAX_LENGTH, blank=True, editable=False
    )
    issuer = models.CharField(max_length=6, blank=True, editable=False)
    visual_id = models.CharField("visual id", max_length=64, blank=True, editable=False)
    charging_key = models.OneToOneField(
        ChargingKey,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fleet_card",
        editable=False,
    )
    activation_date = models.DateTimeField(null=True, blank=True, editable=False)
    expiration_date = models.DateTimeField(null=True, blank=True, editable=False)
    # When the fleet's REQUEST_TO_BLOCK blocked the key: a key blocked at another time was
    # blocked by staff, and the fleet's REQUEST_TO_UNBLOCK does not lift that.
    fleet_blocked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FleetCardQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = "fleet card"
        constraints = [
            models.UniqueConstraint(fields=["fleet", "uid"], name="fleet_card_unique_uid")
        ]
        indexes = [models.Index(fields=["fleet", "-updated_at"], name="fleet_card_fleet_updated")]

    def __str__(self):
        return f"card {self.uid} of {self.member.uid}"


class FleetCardEvent(models.Model):
    """One status of a fleet card: sent by the fleet, or by us (staff's or our own decision)."""

    card = models.ForeignKey(FleetCard, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=FleetCard.Status)
    from_fleet = models.BooleanField(help_text="Sent by the fleet; otherwise by us.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff member who decided; empty for the fleet's or the platform's own.",
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "fleet card status"
        verbose_name_plural = "fleet card status history"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.status}"


class OnlineProvider(Partner):
    """An EMP or OEM that authorizes online, seen with the health of its endpoint."""

    class Meta:
        proxy = True
        verbose_name = "online provider"
