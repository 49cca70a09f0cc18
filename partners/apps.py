from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PartnersConfig(AppConfig):
    """
    Partners and what makes a request theirs: identifiers, operator ids, API keys, rate limits,
    portal memberships, authentication and the partner-scoped REST and page bases; and their
    traffic: the request audit log and the deliveries we owe them.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = "Partners and API"

    def ready(self):
        from partners.api import schema  # noqa: F401 - registers the API key scheme
        from partners.groups import staff_groups_ensure

        # Every app's post_migrate: the groups' permissions exist only once each app has migrated.
        post_migrate.connect(staff_groups_ensure, dispatch_uid="partners.staff_groups_ensure")
