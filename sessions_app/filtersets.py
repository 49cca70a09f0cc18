import django_filters

from core.filtersets import DateTimeFilter, FilterSet, IntegerFilter
from sessions_app.models import ChargingSession, Reservation


class ChargingSessionFilterSet(FilterSet):
    since = DateTimeFilter(field_name="requested_at", lookup_expr="gte")
    until = DateTimeFilter(field_name="requested_at", lookup_expr="lt")
    updated_since = DateTimeFilter(field_name="updated_at", lookup_expr="gte")
    evse_id = django_filters.CharFilter(
        field_name="connector__evse_id_normalized", method="filter_evse"
    )
    station = IntegerFilter(field_name="connector__station")

    class Meta:
        model = ChargingSession
        fields = ["state", "cpo_session_id", "result_code"]

    def filter_evse(self, queryset, name, value):
        return queryset.filter(**{name: value.upper().replace("*", "")})


class ReservationFilterSet(FilterSet):
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Reservation
        fields = ["state"]
