"""
Writes on stations: what CPOs push (station-post, connector-post-status) and staff curation.
Refusals raise the domain errors of ``stations.errors`` / ``core.errors``; the caller's
transaction rolls them back.
"""

from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from core import identifiers
from core.errors import InvalidValue, NotAllowed
from partners.models import OperatorId
from stations.errors import EvseIdCoordinatesConflict, EvseNotFound
from stations.models import (
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    FEATURE_FIELDS,
    Company,
    Connector,
    ConnectorStatusChange,
    Station,
)
from stations.selectors import connector_list_evse_statuses, connector_list_evse_to_change

# The station-post fields a station row stores as they come (Python names of the payload).
STATIC_FIELDS = ("name", "description", "latitude", "longitude")
STATIC_FIELDS += ADDRESS_FIELDS + CONTACT_FIELDS + FEATURE_FIELDS
# Coordinates closer than this are the same place (a centimetre); farther is a conflict.
SAME_PLACE_DEGREES = 1e-7


def operator_company_get_or_create(operator):
    """The company operating ``operator``'s stations, created from the operator id if missing."""
    company, _ = Company.objects.get_or_create(
        operator=operator,
        defaults={
            "name": operator.name or f"{operator.partner.name} ({operator.value})",
            "type": Company.Type.CPO,
            "partner": operator.partner,
        },
    )
    return company


def _connector_key(connector):
    return connector["evse_id_normalized"], connector["type"]


def _check_connector_duplicates(connectors):
    seen = set()
    for index, connector in enumerate(connectors):
        key = _connector_key(connector)
        if key in seen:
            raise InvalidValue(
                "this EVSE id already names a connector of this type in the station.",
                field=f"station.connectors[{index}].id",
            )
        seen.add(key)


def _check_evse_ids_free(station_id, static, connectors):
    """
    An EVSE id never belongs to two stations: a conflict when the other is elsewhere, else an
    invalid value (the CPO reused the id for a station at the same place).
    """
    taken = (
        Connector.objects.filter(
            evse_id_normalized__in={c["evse_id_normalized"] for c in connectors}
        )
        .exclude(station_id=station_id)
        .values("evse_id_normalized", "station__latitude", "station__longitude")
        .order_by("id")
        .first()
    )
    if taken is None:
        return
    index, posted = next(
        (index, c)
        for index, c in enumerate(connectors)
        if c["evse_id_normalized"] == taken["evse_id_normalized"]
    )
    message = f"EVSE id {posted['evse_id']} belongs to another station"
    elsewhere = (
        abs(taken["station__latitude"] - static["latitude"]) > SAME_PLACE_DEGREES
        or abs(taken["station__longitude"] - static["longitude"]) > SAME_PLACE_DEGREES
    )
    if elsewhere:
        raise EvseIdCoordinatesConflict(f"{message} at other coordinates.")
    raise InvalidValue(f"{message}.", field=f"station.connectors[{index}].id")


def _serialize_posts_of(external_id):
    """
    Posts of one station id run one after the other (a CPO retrying at once), so none sees
    half of another's work: a station not there yet whose EVSE ids already are. SQLite's
    write transactions are serialized anyway; PostgreSQL takes a lock for the transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [external_id])


def station_upsert(*, partner, partner_identifier, station, now=None):
    """
    Create or update the station of ``partner`` from a validated station-post ``station``.
    Run it inside a transaction: a refusal raises after nothing or part was written.
    """
    now = now or timezone.now()
    connectors = [
        {**c, "evse_id_normalized": identifiers.normalize_evse_id(c["evse_id"])}
        for c in station["connectors"]
    ]
    _serialize_posts_of(station["external_id"])
    existing = (
        Station.objects.select_for_update().filter(external_id=station["external_id"]).first()
    )
    if existing is not None and existing.owner_id != partner.pk:
        raise NotAllowed("This station id belongs to another partner.")
    operator = OperatorId.objects.filter(
        partner=partner, normalized=identifiers.normalize_operator_id(station["cpo_id"])
    ).first()
    if operator is None:
        raise InvalidValue(
            f"operator id {station['cpo_id']} is not registered for this partner.",
            field="station.cpo-id",
        )
    _check_connector_duplicates(connectors)
    stored = list(existing.connectors.all()) if existing else []
    if existing is not None and Counter(map(_connector_key, connectors)) != Counter(
        (c.evse_id_normalized, c.type) for c in stored
    ):
        raise InvalidValue(
            "the connectors of an existing station cannot change.", field="station.connectors"
        )
    static = {name: station[name] for name in STATIC_FIELDS}
    _check_evse_ids_free(existing.pk if existing else None, static, connectors)
    static["operator_id"] = operator.pk
    static["operator_company_id"] = operator_company_get_or_create(operator).pk
    if existing is None:
        return _station_create(partner, partner_identifier, station, static, connectors, now)
    _station_update(existing, static, stored, connectors, now)
    if partner_identifier is not None and existing.partner_identifier_id != partner_identifier.pk:
        # Who the station was last posted for; not station data, so no static change.
        existing.partner_identifier = partner_identifier
        existing.save(update_fields=["partner_identifier"])
    return existing


def _station_create(partner, partner_identifier, station, static, connectors, now):
    created = Station.objects.create(
        external_id=station["external_id"],
        owner=partner,
        partner_identifier=partner_identifier,
        last_static_change=now,
        **static,
    )
    Connector.objects.bulk_create(
        Connector(
            station=created,
            evse_id=c["evse_id"],
            evse_id_normalized=c["evse_id_normalized"],
            type=c["type"],
            speed=c["speed"],
        )
        for c in connectors
    )
    return created


def _station_update(existing, static, stored, connectors, now):
    """Write what changed; any change of the static data bumps last_static_change."""
    changed = [name for name, value in static.items() if getattr(existing, name) != value]
    by_key = {(c.evse_id_normalized, c.type): c for c in stored}
    changed_connectors = []
    for posted in connectors:
        connector = by_key[_connector_key(posted)]
        if (connector.evse_id, connector.speed) != (posted["evse_id"], posted["speed"]):
            connector.evse_id, connector.speed = posted["evse_id"], posted["speed"]
            changed_connectors.append(connector)
    if changed_connectors:
        Connector.objects.bulk_update(changed_connectors, ["evse_id", "speed"])
    if not changed and not changed_connectors:
        return
    for name in changed:
        setattr(existing, name, static[name])
    existing.last_static_change = now
    existing.save(update_fields=[*changed, "last_static_change"])


def connector_status_post(*, partner, evse_id, status, request_id="", now=None):
    """
    Set the status of every connector with ``evse_id`` on ``partner``'s stations; EvseNotFound
    when it has none. A status the connectors already have writes nothing: CPOs repeat
    statuses often.
    """
    normalized = identifiers.normalize_evse_id(evse_id)
    current = connector_list_evse_statuses(owner_id=partner.pk, evse_id_normalized=normalized)
    if not current:
        raise EvseNotFound(f"EVSE {evse_id} not found.")
    if all(value == status for value in current):
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        # Read again under the lock: another request may have changed them meanwhile.
        changing = connector_list_evse_to_change(
            owner_id=partner.pk, evse_id_normalized=normalized, status=status
        )
        ConnectorStatusChange.objects.bulk_create(
            ConnectorStatusChange(
                connector_id=pk,
                status=status,
                previous_status=previous,
                changed_at=now,
                source=ConnectorStatusChange.Source.CONNECTOR_POST_STATUS,
                request_id=request_id,
            )
            for pk, _, previous in changing
        )
        Connector.objects.filter(pk__in=[pk for pk, _, _ in changing]).update(
            status=status, status_changed_at=now
        )
        Station.objects.filter(pk__in={station_id for _, station_id, _ in changing}).update(
            last_dynamic_change=now
        )
    return len(changing)


def _station_visibility_set(station, hidden, user, now):
    if station.is_hidden == hidden:
        return False
    station.is_hidden = hidden
    station.hidden_at = now if hidden else None
    station.hidden_by = user if hidden else None
    station.save(update_fields=["is_hidden", "hidden_at", "hidden_by"])
    return True


def station_hide(station, *, user, now=None):
    """
    Curation: hide ``station`` from every read call, keeping the CPO's data and its posts
    working. Returns False if it was hidden already.
    """
    return _station_visibility_set(station, True, user, now or timezone.now())


def station_unhide(station, *, user):
    """Show a hidden station in the read calls again. Returns False if it was not hidden."""
    return _station_visibility_set(station, False, user, None)
