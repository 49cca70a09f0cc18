from rest_framework import viewsets

from app_users.api.serializers import AppUserSerializer
from app_users.filtersets import AppUserFilterSet
from app_users.models import AppUser
from partners.api.views import PartnerScopedViewSet


class AppUserViewSet(PartnerScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """Your app users (registered with user-register), newest first."""

    queryset = AppUser.objects.select_related("contract")
    serializer_class = AppUserSerializer
    filterset_class = AppUserFilterSet
