"""
Charge detail records as CPOs post them (session-post), every accepted post kept as a revision,
matched to our stations, customers and remote sessions, and forwarded to the partner whose
customer charged. See docs/oioi.md, session-post and "Calls we send".
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from clients.models import EVCO_ID_MAX_LENGTH, ChargingKey, Contract, Customer
from partners.models import Partner, PartnerIdentifier
from sessions_app.models import ChargingSession
from stations.models import Connector, Station

# Money and energy are exact decimals. Energy to the Wh and beyond (mWh), cost to a hundredth
# of a cent: what CPOs send fits, and sums over a million rows stay exact.
ENERGY_DIGITS, ENERGY_PLACES = 15, 6
COST_DIGITS, COST_PLACES = 15, 4


class IdentifierType(models.TextChoices):
    """The `identifier-type` of OIOI's user object."""

    EVCO_ID = "evco-id"
    RFID = "rfid"
    USERNAME = "username"
    TOKEN = "token"  # noqa: S105 (a name, not a secret)


def _posted_by(partner):
    return Q(cpo=partner)


def _forwarded_to(partner):
    # An open CDR is not sent, so its recipient does not see it yet.
    return Q(recipient=partner, state=CDR.State.FINAL)


def _cdr_scope(partner):
    """The one partner-scope rule of CDRs, which their daily totals share (same columns)."""
    return _posted_by(partner) | _forwarded_to(partner)


class CDRQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """
        The CDRs ``partner`` may see, on every interface: those it posted, and the final ones
        forwarded to it.
        """
        return self.filter(_cdr_scope(partner))

    def for_partner_parts(self, partner):
        """
        ``for_partner`` as two disjoint lists without its OR, which SQLite answers by collecting
        every matching row id in memory: the CDRs ``partner`` posted, then the final ones
        forwarded to it that it did not post.
        """
        return (
            self.filter(_posted_by(partner)),
            self.filter(_forwarded_to(partner)).exclude(_posted_by(partner)),
        )

    def needing_review(self):
        return self.filter(needs_review=True)


class CDR(models.Model):
    """One charging session as its CPO reported it: open until it has a stop time, then final."""

    class State(models.TextChoices):
        OPEN = "open", "open"
        FINAL = "final", "final"

    cpo = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="posted_cdrs", verbose_name="CPO"
    )
    partner_identifier = models.ForeignKey(
        PartnerIdentifier,
        on_delete=models.PROTECT,
        related_name="cdrs",
        help_text="The partner identifier of the last accepted post.",
    )
    session_id = models.CharField("session id", max_length=255, help_text="The CPO's.")
    # The EVSE as sent, its normalized form, and what it matched among the CPO's stations.
    evse_id = models.CharField("EVSE id", max_length=40, help_text="As the CPO sent it.")
    evse_id_normalized = models.CharField("normalized EVSE id", max_length=40, editable=False)
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.SET_NULL, related_name="cdrs"
    )
    station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="cdrs"
    )
    user_identifier_type = models.CharField(max_length=10, choices=IdentifierType)
    user_identifier = models.CharField(max_length=255, help_text="As the CPO sent it.")
    # Upper case, separators removed for UIDs and EVCO ids: what searches and filters compare.
    user_identifier_normalized = models.CharField(max_length=255, editable=False)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="cdrs"
    )
    charging_key = models.ForeignKey(
        ChargingKey, null=True, blank=True, on_delete=models.PROTECT, related_name="cdrs"
    )
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="cdrs"
    )
    # What the CDR says of its customer and station, copied from the matched contract and station
    # at each post and so fixed once final: a later edit of that master data (an EVCO id
    # corrected, a station renamed) rewrites no CDR already billed and forwarded.
    evco_id = models.CharField(
        "EVCO id",
        max_length=EVCO_ID_MAX_LENGTH,
        blank=True,
        help_text="The matched contract's EVCO id as billed; empty when unmatched.",
    )
    station_name = models.CharField(max_length=255, blank=True, help_text="As billed.")
    station_city = models.CharField(max_length=100, blank=True, help_text="As billed.")
    recipient = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_cdrs",
        help_text="The EMP, OEM or fleet partner this CDR is forwarded to once final.",
    )
    charging_session = models.ForeignKey(
        ChargingSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cdrs",
        help_text="The remote start this CDR reports on (same CPO and session id).",
    )
    session_start = models.DateTimeField()
    session_stop = models.DateTimeField(null=True, blank=True)
    charging_start = models.DateTimeField(null=True, blank=True)
    charging_stop = models.DateTimeField(null=True, blank=True)
    energy_kwh = models.DecimalField(
        "energy (kWh)",
        max_digits=ENERGY_DIGITS,
        decimal_places=ENERGY_PLACES,
        null=True,
        blank=True,
    )
    cost_amount = models.DecimalField(
        "cost", max_digits=COST_DIGITS, decimal_places=COST_PLACES, null=True, blank=True
    )
    cost_currency = models.CharField("currency", max_length=3, blank=True, help_text="ISO 4217.")
    state = models.CharField(max_length=5, choices=State, default=State.OPEN)
    final_at = models.DateTimeField("final since", null=True, blank=True)
    # Review: billing data is never dropped; what we could not match is flagged for staff.
    unmatched_user = models.BooleanField(
        default=False, help_text="No charging key or contract of ours matches the user."
    )
    unmatched_connector = models.BooleanField(
        default=False, help_text="No connector of this CPO's stations has the EVSE id."
    )
    needs_review = models.BooleanField(
        default=False, help_text="Flagged and not reviewed by staff yet."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_note = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CDRQuerySet.as_manager()

    class Meta:
        ordering = ["-session_start", "-id"]
        verbose_name = "CDR"
        verbose_name_plural = "CDRs"
        permissions = [("review_cdr", "Can review flagged CDRs")]
        constraints = [
            # The upsert key: two concurrent posts of one session cannot make two CDRs.
            models.UniqueConstraint(fields=["cpo", "session_id"], name="cdr_unique_cpo_session"),
            models.CheckConstraint(
                condition=Q(session_stop__isnull=True)
                | Q(session_stop__gte=models.F("session_start")),
                name="cdr_session_stop_after_start",
            ),
            models.CheckConstraint(
                condition=Q(state="open", session_stop__isnull=True)
                | Q(state="final", session_stop__isnull=False),
                name="cdr_final_iff_stopped",
            ),
        ]
        indexes = [
            # Per-partner period reports and lists (the portal, the REST API's period filter):
            # a CPO's CDRs and a recipient's, each by session start.
            models.Index(fields=["cpo", "session_start"], name="cdr_cpo_period"),
            models.Index(fields=["recipient", "session_start"], name="cdr_recipient_period"),
            # Incremental sync: the REST API pages on (updated_at, id) within a partner's CDRs.
            models.Index(fields=["cpo", "updated_at", "id"], name="cdr_cpo_sync"),
            models.Index(fields=["recipient", "updated_at", "id"], name="cdr_recipient_sync"),
            models.Index(fields=["updated_at", "id"], name="cdr_sync"),
            models.Index(fields=["session_start", "id"], name="cdr_period"),
            # Searches and filters by identifier, in their normalized forms.
            models.Index(fields=["evse_id_normalized"], name="cdr_evse"),
            models.Index(fields=["user_identifier_normalized"], name="cdr_user"),
            models.Index(fields=["session_id"], name="cdr_session_id"),
            # The staff's review queue is small: index only it.
            models.Index(fields=["created_at"], condition=Q(needs_review=True), name="cdr_review"),
        ]

    def __str__(self):
        return f"CDR {self.session_id} ({self.state})"

    @property
    def flags(self):
        return [
            name
            for name, flagged in (
                ("unmatched user", self.unmatched_user),
                ("unmatched connector", self.unmatched_connector),
            )
            if flagged
        ]


class CDRRevision(models.Model):
    """One accepted session-post, exactly as received."""

    cdr = models.ForeignKey(CDR, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    received_at = models.DateTimeField()
    payload = models.JSONField(help_text="The session-post payload as received.")
    key_prefix = models.CharField("API key", max_length=12, help_text="The key's public prefix.")
    request_id = models.CharField(
        max_length=64, help_text="The request in the audit log that posted it."
    )

    class Meta:
        ordering = ["cdr", "number"]
        verbose_name = "CDR revision"
        constraints = [
            models.UniqueConstraint(fields=["cdr", "number"], name="cdr_revision_unique_number")
        ]

    def __str__(self):
        return f"revision {self.number} of {self.cdr}"


class CDRDailyTotalQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """The daily totals of the CDRs ``partner`` may see (``CDRQuerySet.for_partner``)."""
        return self.filter(_cdr_scope(partner))


class CDRDailyTotal(models.Model):
    """
    The CDRs of one day (by session start, in TIME_ZONE) summed per CPO, recipient, state and
    currency: the portal's report over months reads a few rows a day instead of every CDR.
    ``cdrs.services.cdr_post`` keeps them in step in the transaction of each post; after a bulk
    load, ``cdr_daily_totals_rebuild`` computes them anew.
    """

    # Billing figures: a partner that has them is deactivated, never deleted.
    cpo = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Partner, null=True, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    state = models.CharField(max_length=5, choices=CDR.State)
    cost_currency = models.CharField(max_length=3, blank=True)
    sessions = models.IntegerField(default=0)
    energy_kwh = models.DecimalField(
        max_digits=ENERGY_DIGITS + 6, decimal_places=ENERGY_PLACES, default=0
    )
    cost_amount = models.DecimalField(
        max_digits=COST_DIGITS + 6, decimal_places=COST_PLACES, default=0
    )
    # How many of the sessions have a cost: none means "no cost", which is not a cost of 0.
    costed = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    duration = models.DurationField(
        default=timedelta(0), help_text="The stopped sessions' durations summed."
    )

    objects = CDRDailyTotalQuerySet.as_manager()

    class Meta:
        verbose_name = "CDR daily total"
        constraints = [
            # One row per key, the missing recipient included (NULLs are distinct in a plain
            # unique constraint): concurrent first posts of a day cannot make two.
            models.UniqueConstraint(
                "cpo",
                Coalesce("recipient", 0),
                "day",
                "state",
                "cost_currency",
                name="cdr_daily_total_unique_key",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "day"], name="cdr_daily_total_recipient")]

    def __str__(self):
        return f"CDRs of {self.day} ({self.state}, {self.cost_currency or 'no currency'})"
