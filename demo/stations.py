"""
Demo stations for ``seed_demo``: a few German cities, several operators (the demo CPO's and
three more demo CPO partners'), every connector status, and one station each deleted, private
and hidden by staff. Idempotent.
"""

from itertools import cycle

from core.identifiers import normalize_operator_id
from demo.partners import DEMO_CPO, DEMO_EMP
from oioi.serializers.stations import StationPostStationSerializer
from partners import services as partner_services
from partners.models import OperatorId, Partner, Role
from stations import services
from stations.models import Company, ConnectorStatus, Station

PREFIX = "demo-"

# Operator id → (its CPO partner, its trading name); DE*8PS comes with the demo CPO itself.
OPERATORS = {
    "DE*8PS": (DEMO_CPO, "PlugSurfing Demo Charging"),
    "DE*BEW": ("Demo CPO Berlin", "Berliner Ladewerk (demo)"),
    "DE*HHL": ("Demo CPO Hamburg", "Hanse Ladenetz (demo)"),
    "DE*SDS": ("Demo CPO Süd", "Süddeutsche Strom (demo)"),
}

# City → (zip, centre latitude, centre longitude, operator id, sites).
CITIES = {
    "Berlin": (
        "10117",
        52.5200,
        13.4050,
        "DE*BEW",
        ["Alexanderplatz", "Potsdamer Platz", "Hauptbahnhof", "Tempelhofer Feld", "Kurfürstendamm"],
    ),
    "Hamburg": (
        "20095",
        53.5511,
        9.9937,
        "DE*HHL",
        ["Jungfernstieg", "HafenCity", "Altona Bahnhof", "Stadtpark"],
    ),
    "München": (
        "80331",
        48.1351,
        11.5820,
        "DE*SDS",
        ["Marienplatz", "Olympiapark", "Hauptbahnhof Süd", "Schwabing"],
    ),
    "Köln": ("50667", 50.9375, 6.9603, "DE*8PS", ["Dom Parkhaus", "Rheinauhafen", "Deutz"]),
    "Frankfurt am Main": (
        "60311",
        50.1109,
        8.6821,
        "DE*8PS",
        ["Römerberg", "Messe", "Flughafen P4", "Sachsenhausen"],
    ),
}
HOTEL = "Hotel Adlon Demo"
PLUGS = (("Type2", 22), ("Combo", 150), ("Type2", 11), ("Chademo", 50))


def _station_payload(number, city, zip_code, latitude, longitude, operator_id, site):
    """The station as its CPO would post it, in station-post's wire format."""
    plugs = PLUGS[: 2 + number % 3]
    return {
        "id": f"{PREFIX}{number:03d}",
        "name": site,
        "description": f"Demo charging site {site}, {city}.",
        "latitude": round(latitude + 0.004 * (number % 5 - 2), 6),
        "longitude": round(longitude + 0.006 * (number % 3 - 1), 6),
        "address": {
            "street": site,
            "street-number": str(1 + number * 7 % 90),
            "city": city,
            "zip": zip_code,
            "country": "DE",
        },
        "contact": {"phone": "+49 30 000000", "website": "https://charging.example"},
        "cpo-id": operator_id,
        "is-open-24": number % 4 != 0,
        "open-hour-notes": []
        if number % 4
        else [
            {"times": ["07:00", "22:00"], "days": ["Mo", "Sa"]},
            {"times": ["09:00", "18:00"], "days": ["Su", "Su"]},
        ],
        "connectors": [
            {"id": f"{operator_id}*E{number:03d}{index}", "name": kind, "speed": speed}
            for index, (kind, speed) in enumerate(plugs, start=1)
        ],
        "is-green-power-available": number % 2 == 0,
        "is-roofed": "Parkhaus" in site or "P4" in site,
        "total-parking": len(plugs),
        "is-private": number == 7,
        "deleted": number == 11,
    }


def _operators():
    """The operator ids by value, each registered to its demo CPO (created if missing)."""
    operators = {}
    for value, (partner_name, trading_name) in OPERATORS.items():
        partner = Partner.objects.filter(name=partner_name).first()
        if partner is None:
            partner = partner_services.partner_create(name=partner_name, roles=[Role.CPO])
        operator = OperatorId.objects.filter(normalized=normalize_operator_id(value)).first()
        if operator is None:
            operator = partner_services.operator_id_add(partner, value, name=trading_name)
        elif not operator.name:
            # Named before its first station: the operator's company takes this name.
            operator.name = trading_name
            operator.save(update_fields=["name"])
        operators[value] = operator
    return operators


def seed(site):
    if Station.objects.filter(external_id__startswith=PREFIX).exists():
        return ["Demo stations already present; nothing created."]
    operators = _operators()
    number = 0
    stations = []
    for city, (zip_code, latitude, longitude, operator_id, sites) in CITIES.items():
        operator = operators[operator_id]
        for site in sites:
            serializer = StationPostStationSerializer(
                data=_station_payload(
                    number, city, zip_code, latitude, longitude, operator_id, site
                )
            )
            serializer.is_valid(raise_exception=True)
            stations.append(
                services.station_upsert(
                    partner=operator.partner,
                    partner_identifier=operator.partner.identifiers.first(),
                    station=serializer.validated_data,
                )
            )
            number += 1
    statuses = cycle(ConnectorStatus.values)
    for station in stations:
        if station.is_deleted:
            continue
        for evse_id in dict.fromkeys(station.connectors.values_list("evse_id", flat=True)):
            services.connector_status_post(
                partner=station.owner, evse_id=evse_id, status=next(statuses)
            )
    _curate(stations)
    return [
        f"Created {len(stations)} demo stations in {', '.join(CITIES)} "
        f"(operators {', '.join(OPERATORS)}; one deleted, one private, one hidden by staff)."
    ]


def _curate(stations):
    """What staff would add: an owner, a service provider, a validation, a hidden station."""
    hotel = Company.objects.create(name=HOTEL, type=Company.Type.HOTEL, city="Berlin", country="DE")
    emp = Partner.objects.filter(name=DEMO_EMP).first()
    provider = Company.objects.create(
        name=emp.name if emp else DEMO_EMP, type=Company.Type.EMP, partner=emp
    )
    first, second, *rest = stations
    first.owner_company = hotel
    first.is_validated = True
    first.save(update_fields=["owner_company", "is_validated"])
    for station in (first, second):
        station.service_providers.add(provider)
    services.station_hide(rest[-1], user=None)
