"""
The staff groups, kept in step with the models on every migrate: staff are given a group in
the admin rather than permissions one by one.
"""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

SUPPORT = "Support (read-only)"
PARTNER_MANAGEMENT = "Partner management"

# The apps whose data staff look after.
DOMAIN_APPS = ("partners", "portal", "stations", "cdrs", "clients", "sessions_app", "app_users")

# (app label, model) → the actions the partner-management group may take beyond viewing.
PARTNER_MANAGEMENT_ACTIONS = {
    ("partners", "partner"): ("add", "change"),
    ("partners", "partneridentifier"): ("add", "change", "delete"),
    ("partners", "operatorid"): ("add", "change", "delete"),
    # Keys are issued through the admin's issue page and revoked, never deleted.
    ("partners", "apikey"): ("add", "change"),
    # Curation: hide, validate, owner and service providers; the CPO's own data stays read-only.
    ("stations", "station"): ("change",),
    ("stations", "company"): ("add", "change"),
    # The images and vehicles the app reads show are staff's own data.
    ("stations", "companyimage"): ("add", "change", "delete"),
    ("stations", "vehicle"): ("add", "change", "delete"),
    ("partners", "delivery"): ("retry",),
    # Customers and their contracts are onboarded; keys are added, blocked and unblocked
    # (change), never deleted: the authorization log names them.
    ("clients", "customer"): ("add", "change"),
    ("clients", "contract"): ("add", "change"),
    ("clients", "chargingkey"): ("add", "change"),
    # Fleet card orders are accepted, rejected and issued (change); the fleet's data stays its own.
    ("clients", "fleetcard"): ("change",),
    # Flagged CDRs are reviewed with a note; CDRs themselves stay read-only (audit).
    ("cdrs", "cdr"): ("review",),
    # OEMs register their app users; staff block them (change) and delete them.
    ("app_users", "appuser"): ("change", "delete"),
}


def staff_groups_ensure(apps=global_apps, **kwargs):
    """Create or update the staff groups (idempotent; runs after every app's migrations)."""
    view = Permission.objects.filter(
        Q(content_type__app_label__in=DOMAIN_APPS) | Q(content_type__app_label="admin"),
        codename__startswith="view_",
    )
    manage = Q(pk__in=[])
    for (app_label, model), actions in PARTNER_MANAGEMENT_ACTIONS.items():
        manage |= Q(
            content_type__app_label=app_label,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    support, _ = Group.objects.get_or_create(name=SUPPORT)
    support.permissions.set(view)
    management, _ = Group.objects.get_or_create(name=PARTNER_MANAGEMENT)
    management.permissions.set(Permission.objects.filter(Q(pk__in=view) | manage))
