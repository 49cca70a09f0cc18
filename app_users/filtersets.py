"""The filters of the app user list (REST API)."""

import django_filters

from app_users.models import AppUser
from core.filtersets import DateTimeFilter, FilterSet


class AppUserFilterSet(FilterSet):
    username = django_filters.CharFilter(field_name="username", lookup_expr="iexact")
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")
    blocked = django_filters.BooleanFilter(field_name="is_blocked")
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = AppUser
        fields = ["username", "email", "blocked", "since"]
