"""
Reads on stations for the OIOI read calls, the REST API and the admin. Each read runs a fixed
number of queries whatever the number of stations it answers with.
"""

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Exists, F, FloatField, OuterRef, Prefetch, Q, Value, When, Window
from django.db.models.functions import Coalesce, Floor, Least, RowNumber
from django.utils import timezone

from core import sql
from stations.errors import CompanyNotFound, StationNotFound
from stations.models import Company, CompanyImage, Connector, ConnectorStatus, Station, Vehicle

# What a station shows on the map, by precedence: one free plug makes it available.
SUMMARY_PRECEDENCE = (
    (ConnectorStatus.AVAILABLE, ConnectorStatus.AVAILABLE),
    (ConnectorStatus.OCCUPIED, ConnectorStatus.OCCUPIED),
    (ConnectorStatus.RESERVED, ConnectorStatus.OCCUPIED),
    (ConnectorStatus.OFFLINE, ConnectorStatus.OFFLINE),
)


def status_summary(statuses):
    """
    The `dynamic-status-summary` of a station from its connectors' statuses: Available if one
    is, else Occupied if one is occupied or reserved, else Offline if one is, else None
    (nothing known).
    """
    present = set(statuses)
    return next((summary for status, summary in SUMMARY_PRECEDENCE if status in present), None)


@dataclass(frozen=True)
class BoundingBox:
    """A box on the map; ``min_long > max_long`` means it crosses the antimeridian."""

    min_lat: float
    max_lat: float
    min_long: float
    max_long: float

    @property
    def crosses_antimeridian(self):
        return self.min_long > self.max_long

    @property
    def width(self):
        return self.max_long - self.min_long + (360 if self.crosses_antimeridian else 0)

    def q(self, prefix=""):
        """A filter matching the positions inside the box (``prefix``: the path to a station)."""
        lat, long = f"{prefix}latitude", f"{prefix}longitude"
        inside = Q(**{f"{lat}__gte": self.min_lat, f"{lat}__lte": self.max_lat})
        if self.crosses_antimeridian:
            return inside & (
                Q(**{f"{long}__gte": self.min_long}) | Q(**{f"{long}__lte": self.max_long})
            )
        return inside & Q(**{f"{long}__gte": self.min_long, f"{long}__lte": self.max_long})

    def cell(self, rows, columns):
        """An expression numbering the cell of a ``rows`` × ``columns`` grid a station lies in."""
        height = (self.max_lat - self.min_lat) / rows or 1.0
        width = self.width / columns or 1.0
        east = F("longitude") - Value(self.min_long)
        if self.crosses_antimeridian:
            east = Case(
                When(longitude__gte=self.min_long, then=east),
                default=east + Value(360.0),
                output_field=FloatField(),
            )
        # Least(): the stations on the box's north or east edge belong to the last cell.
        row = Least(Floor((F("latitude") - Value(self.min_lat)) / Value(height)), rows - 1)
        column = Least(Floor(east / Value(width)), columns - 1)
        return row * Value(columns) + column


def connector_reservation_annotations(now=None):
    """
    Annotations for a Connector queryset: the end and the requester of the reservation that
    holds the connector (None when free), read from the connector's own columns.
    """
    held = Q(reserved_until__gt=now or timezone.now())
    return {
        "reservation_end": Case(When(held, then=F("reserved_until"))),
        "reservation_by": Case(When(held, then=F("reserved_by_id"))),
    }


def _connector_filter(filters):
    """The connector-level filters: a station matches when one connector meets them all."""
    q = Q()
    if filters.get("connector_types"):
        q &= Q(type__in=filters["connector_types"])
    if filters.get("connector_speeds_greater") is not None:
        q &= Q(speed__gte=filters["connector_speeds_greater"])
    if filters.get("connector_speeds_less") is not None:
        q &= Q(speed__lte=filters["connector_speeds_less"])
    return q


def _station_filter(filters):
    q = Q()
    if filters.get("excludes"):
        q &= ~Q(pk__in=filters["excludes"])
    if filters.get("operator_ids"):
        q &= Q(operator_company_id__in=filters["operator_ids"])
    if filters.get("company_types"):
        q &= Q(owner_type__in=filters["company_types"])
    payable = set(filters.get("payable") or ())
    if "app" in payable:
        q &= Q(accepts_app=True)
    if "rfid" in payable:
        q &= Q(accepts_rfid=True)
    return q


@dataclass(frozen=True)
class Surface:
    stations: list
    # station id → [(connector id, status, reservation end, reserved by partner id), ...]
    connectors: dict
    has_more: bool


def station_surface_list(*, partner, box, filters, limit):
    """
    The stations inside ``box`` that ``partner`` may see and that match ``filters`` (the
    station-get-surface filters), at most ``limit`` of them, in id order. When more match, the
    answer is a spatially even sample: the box is cut into a grid of about ``limit`` cells and
    every non-empty cell gives its first station before any gives a second, so a map shows
    the whole box. Two queries, whatever the size of the box or the answer.
    """
    side = max(1, math.isqrt(limit))
    queryset = (
        Station.objects.visible_to(partner)
        .filter(box.q())
        .annotate(owner_type=Coalesce("owner_company__type", "operator_company__type"))
        .filter(_station_filter(filters))
    )
    connector_filter = _connector_filter(filters)
    if connector_filter:
        matching = Connector.objects.filter(connector_filter, station=OuterRef("pk"))
        queryset = queryset.filter(Exists(matching))
    rows = list(
        queryset.annotate(
            rank=Window(RowNumber(), partition_by=[box.cell(side, side)], order_by=F("id").asc())
        )
        .order_by("rank", "id")
        .values("id", "name", "latitude", "longitude", "owner_type", "last_static_change")[
            : limit + 1
        ]
    )
    has_more = len(rows) > limit
    rows = sorted(rows[:limit], key=lambda row: row["id"])
    connectors = {row["id"]: [] for row in rows}
    for station_id, *connector in (
        Connector.objects.filter(station_id__in=connectors)
        .annotate(**connector_reservation_annotations())
        .order_by("id")
        .values_list("station_id", "id", "status", "reservation_end", "reservation_by")
    ):
        connectors[station_id].append(tuple(connector))
    return Surface(stations=rows, connectors=connectors, has_more=has_more)


def station_detail_list(*, partner, station_ids):
    """
    The stations among ``station_ids`` that ``partner`` may see, in the order asked, with
    their connectors, companies and service providers: three queries.
    """
    found = (
        Station.objects.visible_to(partner)
        .filter(pk__in=station_ids)
        .select_related("operator_company", "owner_company")
        .prefetch_related(
            Prefetch(
                "connectors",
                queryset=Connector.objects.annotate(**connector_reservation_annotations()).order_by(
                    "id"
                ),
            ),
            "service_providers",
        )
        .in_bulk()
    )
    return [found[pk] for pk in dict.fromkeys(station_ids) if pk in found]


def station_get_visible(*, partner, station_id):
    """The station ``station_id`` if ``partner`` may see it; else StationNotFound, the same
    for an unknown, deleted, hidden or another partner's private station."""
    station = Station.objects.visible_to(partner).filter(pk=station_id).first()
    if station is None:
        raise StationNotFound()
    return station


def station_tariff_list(*, partner, station_ids):
    """
    The stations among ``station_ids`` that ``partner`` may see, in the order asked, each with
    its connectors' ids: what tariffs-get-by-station-ids answers. The platform holds no tariffs
    (OIOI CPOs send none, no OCPI tariffs are received yet), so a station's `is_free_charge` is
    all it knows of prices. Two queries.
    """
    found = (
        Station.objects.visible_to(partner)
        .filter(pk__in=station_ids)
        .only("id", "is_free_charge")
        .prefetch_related(
            Prefetch(
                "connectors", queryset=Connector.objects.only("id", "station_id").order_by("id")
            )
        )
        .in_bulk()
    )
    return [found[pk] for pk in dict.fromkeys(station_ids) if pk in found]


def company_image_urls(*, company_id):
    """(the company, the URLs of its images in order); CompanyNotFound if there is none.
    Two queries."""
    company = Company.objects.filter(pk=company_id).only("id", "name").first()
    if company is None:
        raise CompanyNotFound()
    urls = list(CompanyImage.objects.filter(company=company).values_list("url", flat=True))
    return company, urls


def vehicle_list():
    """The vehicle catalogue, by brand and model: one query."""
    return list(Vehicle.objects.all())


def station_list_for_partner(partner, queryset=None):
    """
    The stations the portal shows ``partner``, never deleted ones: a CPO its own (hidden ones
    too: still its own), an EMP, OEM or fleet the stations its customers can use, i.e. what the
    OIOI read calls show it (``StationQuerySet.visible_to``: not hidden, private only to its
    owner). A partner with both kinds of roles sees both.
    """
    queryset = Station.objects.all() if queryset is None else queryset
    shown = Q(pk__in=[])
    if partner.is_cpo:
        shown |= Q(owner=partner)
    if partner.is_emp or partner.is_oem or partner.is_fleet:
        shown |= Q(is_hidden=False) & (Q(is_private=False) | Q(owner=partner))
    return queryset.filter(shown, is_deleted=False)


def station_companies(stations):
    """The companies ``stations`` refer to (operator, owner, service providers), by id."""
    companies = {}
    for station in stations:
        for company in (
            station.operator_company,
            station.owner_company,
            *station.service_providers.all(),
        ):
            if company is not None:
                companies[company.pk] = company
    return [companies[pk] for pk in sorted(companies)]


# connector-post-status is the call CPOs send most: its two reads are plain SQL (see
# oioi_portal.sql). The connectors of an EVSE id on an owner's stations that are not deleted:
_EVSE_CONNECTORS = (
    f"FROM {sql.table(Connector)} c INNER JOIN {sql.table(Station)} s "  # noqa: S608
    f"ON {sql.column(Station, 'id', 's')} = {sql.column(Connector, 'station', 'c')} "
    f"WHERE {sql.column(Connector, 'evse_id_normalized', 'c')} = %s "
    f"AND {sql.column(Station, 'owner', 's')} = %s "
    f"AND {sql.column(Station, 'is_deleted', 's')} = %s"
)
_EVSE_STATUSES = f"SELECT {sql.column(Connector, 'status', 'c')} {_EVSE_CONNECTORS}"
_EVSE_TO_CHANGE = (
    f"SELECT {sql.column(Connector, 'id', 'c')}, {sql.column(Connector, 'station', 'c')}, "
    f"{sql.column(Connector, 'status', 'c')} {_EVSE_CONNECTORS} "
    f"AND {sql.column(Connector, 'status', 'c')} <> %s"
)


def connector_list_evse_statuses(*, owner_id, evse_id_normalized):
    """The statuses of the connectors with ``evse_id_normalized`` on the owner's stations."""
    with connection.cursor() as cursor:
        cursor.execute(_EVSE_STATUSES, [evse_id_normalized, owner_id, False])
        return [status for (status,) in cursor.fetchall()]


def connector_list_evse_to_change(*, owner_id, evse_id_normalized, status):
    """
    (id, station id, status) of those connectors whose status is not ``status``, locked (and
    their stations) until the transaction ends where the database can lock rows.
    """
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(_EVSE_TO_CHANGE + lock, [evse_id_normalized, owner_id, False, status])
        return cursor.fetchall()
