from django.apps import AppConfig


class CoreConfig(AppConfig):
    """
    What every other app builds on and that knows no partner, domain or protocol: identifiers,
    formats, shared admin, filter, page and REST bases, streaming, the schedule, domain errors
    and events. It has no models and imports none of our apps.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"
