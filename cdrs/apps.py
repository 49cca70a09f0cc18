from django.apps import AppConfig


class CdrsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cdrs"
    verbose_name = "Charge detail records"
