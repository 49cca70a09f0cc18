"""The reads for apps (EMP and OEM): a station's usage, tariffs, company images, vehicles."""

from cdrs.selectors import station_usage_get
from oioi.registry import Outcome, register
from oioi.serializers import EmptySerializer, TimestampField
from oioi.serializers.apps import (
    CompanyGetImagesSerializer,
    StationGetUsageSerializer,
    TariffsGetByStationIdsSerializer,
)
from partners.models import Role
from stations import selectors

READERS = (Role.EMP, Role.OEM)
timestamp = TimestampField().to_representation


@register("station-get-usage", serializer=StationGetUsageSerializer, roles=READERS, atomic=False)
def station_get_usage(call):
    usage = station_usage_get(partner=call.partner, station_id=call.data["station_id"])
    return Outcome(
        members={
            "station-usage": {
                "last-7-days-usage-count": usage.last_7_days,
                "last-30-days-usage-count": usage.last_30_days,
                "last-station-usage-date": timestamp(usage.last_used_at),
            }
        }
    )


@register(
    "tariffs-get-by-station-ids",
    serializer=TariffsGetByStationIdsSerializer,
    roles=READERS,
    atomic=False,
)
def tariffs_get_by_station_ids(call):
    stations = selectors.station_tariff_list(
        partner=call.partner, station_ids=call.data["station_ids"]
    )
    # `tariff` is optional and omitted: the platform holds no tariff (docs/oioi.md).
    return Outcome(
        members={
            "stations": [
                {
                    "id": station.pk,
                    "is-free-charge": station.is_free_charge,
                    "connectors": [{"id": c.pk} for c in station.connectors.all()],
                }
                for station in stations
            ]
        }
    )


@register("company-get-images", serializer=CompanyGetImagesSerializer, roles=READERS, atomic=False)
def company_get_images(call):
    company, urls = selectors.company_image_urls(company_id=call.data["company_id"])
    return Outcome(members={"company": company.name, "urls": urls})


@register("vehicle-get-all", serializer=EmptySerializer, roles=READERS, atomic=False)
def vehicle_get_all(call):
    vehicles = [
        {
            "id": vehicle.pk,
            "brand": vehicle.brand,
            "model": vehicle.model,
            "max-speed": vehicle.max_speed,
            "connector-types": vehicle.connector_types,
        }
        for vehicle in selectors.vehicle_list()
    ]
    # Nested under the call's name, as the docs' example is.
    return Outcome(members={"vehicle-get-all": {"vehicles": vehicles}})
