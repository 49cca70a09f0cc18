from django.apps import AppConfig


class AppUsersConfig(AppConfig):
    """The app users of OEM partners: drivers signing in to an OEM's app, our customers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "app_users"
    verbose_name = "App users"
