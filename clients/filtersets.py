"""The filters of the client exchange's lists, shared by the REST API and the portal."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from clients.models import Authorization, WhitelistEntry
from oioi_portal import identifiers
from oioi_portal.filtersets import FilterSet


class IdentifierFormField(forms.CharField):
    """An identifier in any written form, cleaned to its normalized form."""

    def __init__(self, *, normalizer, **kwargs):
        self.normalizer = normalizer
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return self.normalizer(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="invalid") from None


class IdentifierFilter(django_filters.CharFilter):
    """Matches a normalized column against a value written in any form (`04a1b2c3`, `DE-8PS-…`)."""

    field_class = IdentifierFormField


class WhitelistEntryFilterSet(FilterSet):
    uid = IdentifierFilter(field_name="uid", normalizer=identifiers.normalize_uid)
    active = django_filters.BooleanFilter(field_name="is_active")
    added_since = django_filters.IsoDateTimeFilter(field_name="added_at", lookup_expr="gte")
    removed_since = django_filters.IsoDateTimeFilter(field_name="removed_at", lookup_expr="gte")
    partner_identifier = django_filters.CharFilter(
        field_name="whitelist__partner_identifier__value"
    )

    class Meta:
        model = WhitelistEntry
        fields = ["uid", "active", "added_since", "removed_since", "partner_identifier"]


class AuthorizationFilterSet(FilterSet):
    uid = IdentifierFilter(field_name="uid", normalizer=identifiers.normalize_uid)
    evco_id = IdentifierFilter(
        field_name="charging_key__contract__evco_id_normalized",
        normalizer=identifiers.normalize_evco_id,
    )
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Authorization
        fields = ["uid", "evco_id", "result_code", "since", "until"]
