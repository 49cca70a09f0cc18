from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OioiPortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "oioi_portal"
    verbose_name = "Partners and API"

    def ready(self):
        from oioi_portal.groups import staff_groups_ensure
        from oioi_portal.oioi.registry import registry

        registry.autodiscover()
        # Every app's post_migrate: the groups' permissions exist only once each app has migrated.
        post_migrate.connect(staff_groups_ensure, dispatch_uid="oioi_portal.staff_groups_ensure")
