from rest_framework.permissions import BasePermission

from partners.models import ApiKey


class IsPartner(BasePermission):
    """The request is authenticated by a partner's API key (see ApiKeyAuthentication)."""

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiKey)
