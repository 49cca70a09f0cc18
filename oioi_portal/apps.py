from django.apps import AppConfig


class OioiPortalConfig(AppConfig):
    """
    The project package, installed as an app only for its migration history: databases created
    before the restructure recorded migrations under this label, and the models they created now
    belong to ``partners`` and ``portal`` (migration 0007 hands them over, tables unchanged).
    It has no models, and no app imports it.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "oioi_portal"
    verbose_name = "Project"
