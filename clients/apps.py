from django.apps import AppConfig


class ClientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clients"
    verbose_name = "Clients"

    def ready(self):
        from clients.models import Authorization
        from partners.services import audit_log_register

        # Every verification we answered is evidence, pruned with the request audit log.
        audit_log_register("authorization log", Authorization)
