"""Charging sessions started remotely and reservations, both forwarded to the owning CPO."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import Contract
from partners.models import Partner
from stations.models import Connector


class ChargingSessionQuerySet(models.QuerySet):
    def for_partner(self, partner, *, as_cpo=True):
        """
        The sessions ``partner`` asked for (as EMP or OEM), and with ``as_cpo`` those run at
        its stations. The REST API shows both: a CPO follows there the sessions it runs. The
        portal's sessions page leaves the CPO's out (``as_cpo=False``): it is the EMP's and
        OEM's page of their customers' remote starts and shows each customer's identifier in
        full, which the platform shows only to the partner whose customer it is (as
        ``cdrs.selectors.cdr_customer_shown`` does on CDRs).
        """
        shown = Q(requested_by=partner)
        if as_cpo:
            shown |= Q(cpo=partner)
        return self.filter(shown)


class ChargingSession(models.Model):
    """A remote start asked for by an EMP or OEM on behalf of its customer, run by a CPO."""

    class State(models.TextChoices):
        REQUESTED = "requested", "requested"
        STARTED = "started", "started"
        FAILED = "failed", "failed"
        STOPPED = "stopped", "stopped"

    requested_by = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="requested_sessions"
    )
    cpo = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="run_sessions")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="sessions", null=True, blank=True
    )
    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="sessions")
    evse_id = models.CharField("EVSE id", max_length=40, help_text="As the caller sent it.")
    user_identifier_type = models.CharField(max_length=20)
    user_identifier = models.CharField(max_length=100)
    payment_reference = models.CharField(max_length=200, blank=True)
    cpo_session_id = models.CharField("CPO session id", max_length=255, blank=True, db_index=True)
    state = models.CharField(max_length=10, choices=State, default=State.REQUESTED)
    is_stoppable = models.BooleanField("stoppable", null=True, blank=True)
    # The CPO's last answer, as relayed to the caller.
    result_code = models.PositiveSmallIntegerField(null=True, blank=True)
    result_message = models.CharField(max_length=500, blank=True)
    correlation_id = models.CharField(max_length=128, blank=True, db_index=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChargingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "charging session"
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"]),
            models.Index(fields=["cpo", "-requested_at"]),
            models.Index(fields=["connector", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cpo", "cpo_session_id"],
                condition=~Q(cpo_session_id=""),
                name="session_unique_cpo_session_id",
            )
        ]

    def __str__(self):
        return f"{self.evse_id} {self.cpo_session_id or self.pk} ({self.state})"


class Reservation(models.Model):
    """An EVSE held for a customer until ``end_at``."""

    class State(models.TextChoices):
        REQUESTED = "requested", "requested"
        ACTIVE = "active", "active"
        FAILED = "failed", "failed"
        STOPPED = "stopped", "stopped"

    requested_by = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="requested_reservations"
    )
    cpo = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="run_reservations")
    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="reservations")
    evse_id = models.CharField("EVSE id", max_length=40)
    contracts = models.ManyToManyField(Contract, related_name="reservations")
    # The identifiers as the caller sent them ([{"evco-id": ..., "rfid": ...}]), forwarded as such.
    identifiers = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State, default=State.REQUESTED)
    end_at = models.DateTimeField("end", null=True, blank=True)
    result_code = models.PositiveSmallIntegerField(null=True, blank=True)
    result_message = models.CharField(max_length=500, blank=True)
    correlation_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["connector", "state", "end_at"]),
            models.Index(fields=["requested_by", "-created_at"]),
        ]

    def __str__(self):
        end = (
            f"until {timezone.localtime(self.end_at):%Y-%m-%d %H:%M}"
            if self.end_at
            else "open-ended"
        )
        return f"{self.evse_id} {end} ({self.state})"
