"""The filters of the client exchange's lists, shared by the REST API and the portal."""

import django_filters

from clients.models import Authorization, FleetCard, WhitelistEntry
from core import identifiers
from core.filtersets import DateTimeFilter, FilterSet, IdentifierFilter


class WhitelistEntryFilterSet(FilterSet):
    uid = IdentifierFilter(field_name="uid", normalizer=identifiers.normalize_uid)
    active = django_filters.BooleanFilter(field_name="is_active")
    added_since = DateTimeFilter(field_name="added_at", lookup_expr="gte")
    removed_since = DateTimeFilter(field_name="removed_at", lookup_expr="gte")
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
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Authorization
        fields = ["uid", "evco_id", "result_code", "since", "until"]


class FleetCardFilterSet(FilterSet):
    uid = django_filters.CharFilter(field_name="uid")
    member = django_filters.CharFilter(field_name="member__uid")
    status = django_filters.ChoiceFilter(choices=FleetCard.Status.choices)
    rfid = IdentifierFilter(field_name="charging_key__uid", normalizer=identifiers.normalize_uid)
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = FleetCard
        fields = ["uid", "member", "status", "rfid", "updated_since"]
