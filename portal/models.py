"""The portal's own state: failed sign-ins, counted across every app process."""

from django.db import models
from django.utils import timezone


class SignInThrottle(models.Model):
    """
    Failed portal sign-ins of one username from one address. Kept in the database, not a
    per-process cache, so that every gunicorn worker sees the same count.
    """

    username = models.CharField(max_length=150)
    # Text, never NULL, so that the unique constraint also holds for an unknown address.
    address = models.CharField(max_length=45, blank=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Created under the project's label before the restructure; kept, rows and all.
        db_table = "oioi_portal_signinthrottle"
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="sign_in_throttle_key")
        ]

    def __str__(self):
        return f"{self.username} from {self.address}: {self.failures}"
