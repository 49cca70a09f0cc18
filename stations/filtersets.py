"""The filters of the station and connector lists, shared by the REST API and the portal."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

# One filter for identifiers written in any form, shared by every app's lists.
from core import identifiers
from core.filtersets import DateTimeFilter, FilterSet, IdentifierFilter, IntegerFilter
from stations.models import Connector, ConnectorStatus, ConnectorType, Station
from stations.selectors import BoundingBox


class BoundingBoxField(forms.CharField):
    """`min_long,min_lat,max_long,max_lat` (the GeoJSON order), cleaned to a BoundingBox."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            min_long, min_lat, max_long, max_lat = (float(part) for part in value.split(","))
        except ValueError:
            raise ValidationError(
                "Four numbers: min_long,min_lat,max_long,max_lat.", code="invalid"
            ) from None
        longitudes_valid = all(-180 <= long <= 180 for long in (min_long, max_long))
        if not (-90 <= min_lat <= max_lat <= 90 and longitudes_valid):
            raise ValidationError(
                "Latitudes within ±90 (min first), longitudes within ±180; min_long greater "
                "than max_long crosses the antimeridian.",
                code="invalid",
            )
        return BoundingBox(min_lat, max_lat, min_long, max_long)


class BoundingBoxFilter(django_filters.CharFilter):
    field_class = BoundingBoxField


class StationAttributesFilterSet(FilterSet):
    """
    Filters on a station's own attributes, for the stations and for what belongs to them.
    ``station_path`` is how the filtered model reaches its station.
    """

    station_path = ""
    # The model's times of change that `changed_since` looks at.
    change_times = ()

    operator = IdentifierFilter(
        field_name="operator__normalized",
        normalizer=identifiers.normalize_operator_id,
        method="filter_station",
        help_text="Operator id (`cpo-id`) in any written form, e.g. `DE*8PS` or `de8ps`.",
    )
    country = django_filters.CharFilter(
        field_name="country__iexact", method="filter_station", help_text="ISO 3166-1 alpha-2."
    )
    city = django_filters.CharFilter(field_name="city__iexact", method="filter_station")
    deleted = django_filters.BooleanFilter(
        field_name="is_deleted", method="filter_station", help_text="Deleted by station-post."
    )
    changed_since = DateTimeFilter(
        method="filter_changed_since",
        help_text="Changed at or after this time: static data or a connector status.",
    )
    bbox = BoundingBoxFilter(
        method="filter_bbox",
        help_text="`min_long,min_lat,max_long,max_lat`; min_long greater than max_long crosses "
        "the antimeridian.",
    )

    def filter_station(self, queryset, name, value):
        return queryset.filter(**{f"{self.station_path}{name}": value})

    def filter_bbox(self, queryset, name, value):
        return queryset.filter(value.q(self.station_path))

    def filter_changed_since(self, queryset, name, value):
        changed = Q()
        for field in self.change_times:
            changed |= Q(**{f"{field}__gte": value})
        return queryset.filter(changed)


# Station filters on its connectors, by connector lookup: one connector must meet them all.
STATION_CONNECTOR_FILTERS = {
    "status": "status",
    "connector_type": "type",
    "speed_min": "speed__gte",
    "speed_max": "speed__lte",
}


class StationFilterSet(StationAttributesFilterSet):
    external_id = django_filters.CharFilter(help_text="Your station id.")
    hidden = django_filters.BooleanFilter(
        field_name="is_hidden", help_text="Hidden by our staff from the read calls."
    )
    status = django_filters.ChoiceFilter(
        choices=ConnectorStatus.choices,
        method="filter_by_connectors",
        help_text="Stations with a connector in this status.",
    )
    connector_type = django_filters.ChoiceFilter(
        choices=ConnectorType.choices,
        method="filter_by_connectors",
        help_text="Stations with a connector of this type.",
    )
    speed_min = django_filters.NumberFilter(
        method="filter_by_connectors", help_text="Stations with a connector of at least this kW."
    )
    speed_max = django_filters.NumberFilter(
        method="filter_by_connectors", help_text="Stations with a connector of at most this kW."
    )

    change_times = ("last_static_change", "last_dynamic_change")

    class Meta:
        model = Station
        fields = []

    def filter_by_connectors(self, queryset, name, value):
        # Applied together in filter_queryset(), so that one connector meets them all.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        lookups = {
            lookup: self.form.cleaned_data[name]
            for name, lookup in STATION_CONNECTOR_FILTERS.items()
            if self.form.cleaned_data.get(name) not in (None, "")
        }
        if not lookups:
            return queryset
        return queryset.filter(Exists(Connector.objects.filter(station=OuterRef("pk"), **lookups)))


class ConnectorFilterSet(StationAttributesFilterSet):
    station_path = "station__"

    station = IntegerFilter(field_name="station_id", help_text="Our station id.")
    evse_id = IdentifierFilter(
        field_name="evse_id_normalized",
        normalizer=identifiers.normalize_evse_id,
        help_text="EVSE id in any written form, e.g. `DE*8PS*E123` or `de8pse123`.",
    )
    status = django_filters.ChoiceFilter(choices=ConnectorStatus.choices)
    type = django_filters.ChoiceFilter(choices=ConnectorType.choices)
    speed_min = django_filters.NumberFilter(field_name="speed", lookup_expr="gte")
    speed_max = django_filters.NumberFilter(field_name="speed", lookup_expr="lte")
    change_times = ("status_changed_at", "station__last_static_change")

    class Meta:
        model = Connector
        fields = []
