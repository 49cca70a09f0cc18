"""
The app users of OEM partners (docs/oioi.md, "OEM app users"): each is a Customer of ours with
an app contract, signs in to its OEM's app (never to the portal or the admin) and is named in
later calls by a token. Passwords are Django password hashes, tokens SHA-256 digests.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from clients.models import Contract, Customer
from partners.models import Partner


class AppUserQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """The app users of OEM ``partner``: REST and OIOI alike."""
        return self.filter(oem=partner)


class AppUser(models.Model):
    oem = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="app_users",
        limit_choices_to={"is_oem": True},
        verbose_name="OEM",
    )
    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="app_user")
    # The contract made at registration: remote starts and reservations for the user use it.
    contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, related_name="app_user", verbose_name="app contract"
    )
    username = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    password = models.CharField(max_length=128, editable=False)
    language = models.CharField(max_length=2, blank=True, help_text="ISO 639-1.")
    receive_newsletters = models.BooleanField(default=False)
    # user-post-details' members, as the app sent them (first_name, address, vat, ...).
    details = models.JSONField(default=dict, blank=True)
    is_blocked = models.BooleanField("blocked", default=False, editable=False)
    blocked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Failed sign-ins in the current window: too many lock the user for the window's rest.
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    failed_logins_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppUserQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "app user"
        constraints = [
            # Apps sign in with either: each names one user of the OEM, whatever the case.
            models.UniqueConstraint("oem", Lower("username"), name="app_user_unique_username"),
            models.UniqueConstraint("oem", Lower("email"), name="app_user_unique_email"),
        ]

    def __str__(self):
        return self.username


class AppUserToken(models.Model):
    """A sign-in of an app user through its OEM; the token itself is shown once, never kept."""

    user = models.ForeignKey(AppUser, on_delete=models.CASCADE, related_name="tokens")
    oem = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField("last used")
    revoked_at = models.DateTimeField("revoked", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "app user token"
        indexes = [
            models.Index(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="app_token_live"
            )
        ]

    def __str__(self):
        return f"token of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"
