"""The station calls: CPOs push stations and statuses, EMP and OEM apps read them."""

from decimal import Decimal

from django.conf import settings

from oioi.registry import Outcome, register
from oioi.serializers import TimestampField
from oioi.serializers.stations import (
    ConnectorPostStatusSerializer,
    StationGetByIdsSerializer,
    StationGetSurfaceSerializer,
    StationPostSerializer,
)
from partners.models import Role
from stations import selectors, services

READERS = (Role.EMP, Role.OEM)
timestamp = TimestampField().to_representation


@register(
    "station-post", serializer=StationPostSerializer, roles=[Role.CPO], partner_identifier=True
)
def station_post(call):
    services.station_upsert(
        partner=call.partner,
        partner_identifier=call.partner_identifier,
        station=call.data["station"],
    )
    return Outcome()


# Not atomic as a whole: a repeated status is answered from one read, without a write lock;
# the service makes its writes in a transaction of their own.
@register(
    "connector-post-status",
    serializer=ConnectorPostStatusSerializer,
    roles=[Role.CPO],
    partner_identifier=True,
    atomic=False,
)
def connector_post_status(call):
    services.connector_status_post(
        partner=call.partner,
        evse_id=call.data["connector_id"],
        status=call.data["status"],
        request_id=call.request_id,
    )
    return Outcome()


@register(
    "station-get-surface", serializer=StationGetSurfaceSerializer, roles=READERS, atomic=False
)
def station_get_surface(call):
    data = call.data
    surface = selectors.station_surface_list(
        partner=call.partner,
        box=selectors.BoundingBox(
            data["min_lat"], data["max_lat"], data["min_long"], data["max_long"]
        ),
        filters=data["filters"],
        limit=settings.OIOI_SURFACE_MAX_STATIONS,
    )
    stations = []
    for row in surface.stations:
        connectors = surface.connectors[row["id"]]
        station = {
            "id": row["id"],
            "name": row["name"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "dynamic-status-summary": selectors.status_summary(c[1] for c in connectors),
            "owner-type": row["owner_type"],
            "last-static-change": timestamp(row["last_static_change"]),
            "connector-statuses": {str(pk): status for pk, status, *_ in connectors},
        }
        reservations = {
            str(pk): reservation_view(end, by, call.partner)
            for pk, _, end, by in connectors
            if end is not None
        }
        if reservations:
            station["connector-reservations"] = reservations
        stations.append(station)
    return Outcome(members={"stations": stations, "hasMore": surface.has_more})


def reservation_view(end, requested_by_id, partner):
    """OIOI's reservation object (`end`, `own`) as ``partner`` sees it, or None when free."""
    if end is None:
        return None
    return {"end": end.isoformat(), "own": requested_by_id == partner.pk}


def format_speed(kilowatts):
    """`22.2kW`, `50kW`: the figure written minimally, never in exponent notation."""
    return f"{Decimal(repr(kilowatts)).normalize():f}kW"


def _contact(item):
    # `web` is the read calls' documented name; `website` mirrors station-post's.
    return {
        "email": item.email or None,
        "web": item.website or None,
        "website": item.website or None,
        "phone": item.phone or None,
        "fax": item.fax or None,
    }


def _address(item):
    return {
        "street": item.street or None,
        "street-number": item.street_number or None,
        "city": item.city or None,
        "zip": item.zip_code or None,
        "country": item.country or None,
    }


def _connector_detail(connector, partner):
    return {
        "id": connector.pk,
        "status": connector.status,
        "last-change": timestamp(connector.status_changed_at),
        "name": connector.type,
        "speed": format_speed(connector.speed),
        # Charging modes are not part of station-post: we do not know them.
        "mode": None,
        "external-id": connector.evse_id,
        "reservation": reservation_view(
            connector.reservation_end, connector.reservation_by, partner
        ),
    }


def _station_detail(station, partner):
    connectors = list(station.connectors.all())
    return {
        "id": station.pk,
        "address": _address(station),
        "contact": _contact(station),
        "operator-company-id": station.operator_company_id,
        "floor-level": station.floor_level,
        "is-free-charge": station.is_free_charge,
        "last-static-change": timestamp(station.last_static_change),
        "last-dynamic-change": timestamp(station.last_dynamic_change),
        "name": station.name,
        "description": station.description or None,
        "latitude": station.latitude,
        "longitude": station.longitude,
        "open-hour-notes": station.open_hour_notes,
        "total-parking": station.total_parking,
        "notes": station.notes or None,
        "is-green-power-available": station.is_green_power_available,
        "is-plugin-charge": station.is_plugin_charge,
        "is-roofed": station.is_roofed,
        "is-reservable": station.is_reservable,
        "has-dynamic-info": station.last_dynamic_change is not None,
        "is-open-24": station.is_open_24,
        "dynamic-status-summary": selectors.status_summary(c.status for c in connectors),
        "is-validated": station.is_validated,
        "is-private": station.is_private,
        "owner-company-id": station.owner_company_id,
        "service-providers": [company.pk for company in station.service_providers.all()],
        "connectors": [_connector_detail(connector, partner) for connector in connectors],
    }


def _company(company):
    return {
        "id": company.pk,
        "name": company.name,
        "contact": _contact(company),
        "address": _address(company),
        "description": company.description or None,
        "type": company.type,
    }


@register("station-get-by-ids", serializer=StationGetByIdsSerializer, roles=READERS, atomic=False)
def station_get_by_ids(call):
    stations = selectors.station_detail_list(
        partner=call.partner, station_ids=call.data["station_ids"]
    )
    return Outcome(
        members={
            "stations": [_station_detail(station, call.partner) for station in stations],
            "companies": [_company(c) for c in selectors.station_companies(stations)],
        }
    )
