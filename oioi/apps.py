from django.apps import AppConfig


class OioiConfig(AppConfig):
    """OIOI v4 over the domain: the endpoint, its calls, result codes and outbound client."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "oioi"
    verbose_name = "OIOI"

    def ready(self):
        from clients import remote as clients_remote
        from core import labels
        from oioi import receivers  # noqa: F401 - connects
        from oioi.calls import apps, cdrs, clients, core, fleet, sessions, stations, users  # noqa: F401
        from oioi.forwarding import OioiGateway
        from oioi.labels import RESULT_CODE_LABELS
        from oioi.online_authorization import OioiVerifyGateway
        from sessions_app import remote

        labels.register("result_code", RESULT_CODE_LABELS)
        remote.gateway_register(OioiGateway())
        clients_remote.gateway_register(OioiVerifyGateway())
