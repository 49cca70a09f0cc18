"""
The filters of CDR lists: one FilterSet for the REST API and the partner portal alike.
Identifiers are accepted in any written form and compared normalized, on indexes.
"""

import django_filters
from django.db.models import Q

from cdrs.models import CDR, IdentifierType
from clients.models import Contract
from core import identifiers
from core.filtersets import DateTimeFilter, FilterSet, IdentifierFilter, IntegerFilter


class CDRFilterSet(FilterSet):
    since = DateTimeFilter(
        field_name="session_start",
        lookup_expr="gte",
        help_text="Sessions started at or after this time (RFC 3339).",
    )
    until = DateTimeFilter(
        field_name="session_start",
        lookup_expr="lt",
        help_text="Sessions started before this time (RFC 3339).",
    )
    updated_since = DateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="CDRs created or changed at or after this time: for incremental sync.",
    )
    station = IntegerFilter(field_name="station_id", help_text="Our station id.")
    evse_id = IdentifierFilter(
        field_name="evse_id_normalized",
        normalizer=identifiers.normalize_evse_id,
        help_text="EVSE id in any written form, e.g. `DE*8PS*E123` or `de8pse123`.",
    )
    evco_id = IdentifierFilter(
        normalizer=identifiers.normalize_evco_id,
        method="filter_evco_id",
        help_text="EVCO id in any written form: the user's, or the contract of the user's key.",
    )
    uid = IdentifierFilter(
        normalizer=identifiers.normalize_uid,
        method="filter_uid",
        help_text="RFID UID in any case.",
    )
    state = django_filters.ChoiceFilter(choices=CDR.State.choices)
    session_id = django_filters.CharFilter(help_text="The CPO's session id.")
    currency = django_filters.CharFilter(
        field_name="cost_currency", lookup_expr="iexact", help_text="ISO 4217, e.g. EUR."
    )

    class Meta:
        model = CDR
        fields = []

    def filter_evco_id(self, queryset, name, value):
        return queryset.filter(
            Q(user_identifier_type=IdentifierType.EVCO_ID, user_identifier_normalized=value)
            # A subquery rather than a join: the contract is one indexed row.
            | Q(contract__in=Contract.objects.filter(evco_id_normalized=value).values("pk"))
        )

    def filter_uid(self, queryset, name, value):
        return queryset.filter(
            user_identifier_type=IdentifierType.RFID, user_identifier_normalized=value
        )
