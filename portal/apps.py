from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Partner users' pages: sign-in, the dashboard, portal users, and the back-office's frame."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "Portal"
