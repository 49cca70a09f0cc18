"""
Reads on CDRs, shared by session-post, the REST API, the admin and the partner portal:
matching a post to our data, a partner's CDRs, and totals over any list of CDRs.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    F,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Length, Repeat, Right, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from cdrs.models import (
    CDR,
    COST_DIGITS,
    COST_PLACES,
    ENERGY_DIGITS,
    ENERGY_PLACES,
    CDRDailyTotal,
    IdentifierType,
)
from clients.models import ChargingKey, Contract
from clients.selectors import provider_approving_evco_id, whitelisting_partner_ids
from partners.models import Partner, PartnerIdentifier
from sessions_app.models import ChargingSession
from stations.models import Connector
from stations.selectors import station_get_visible

# --- Matching a post ------------------------------------------------------------------------


def cdr_get_locked(partner, session_id):
    """``partner``'s CDR of ``session_id``, locked until the transaction ends (None if none)."""
    return CDR.objects.select_for_update().filter(cpo=partner, session_id=session_id).first()


def connector_match(partner, evse_id_normalized):
    """
    The connector of ``partner``'s stations with this EVSE id, deleted stations included (their
    EVSE ids stay theirs). Plugs sharing an EVSE id are one charge point to a CDR: the first.
    """
    return (
        Connector.objects.select_related("station")
        .filter(evse_id_normalized=evse_id_normalized, station__owner=partner)
        .order_by("id")
        .first()
    )


def charging_session_match(partner, session_id):
    """The remote start ``partner`` answered with this session id, if the CDR reports on one."""
    return (
        ChargingSession.objects.select_related("contract")
        .filter(cpo=partner, cpo_session_id=session_id)
        .first()
    )


@dataclass(frozen=True)
class UserMatch:
    charging_key: ChargingKey | None = None
    contract: Contract | None = None
    # The one partner whose whitelist authorized a UID we hold no key for, or the provider
    # that authorized online the EVCO id (its own) that the CDR names.
    whitelisted_by: Partner | None = None

    @property
    def recipient(self):
        """
        Who receives the CDR: the EMP or OEM providing the contract, else the fleet of the
        customer; nobody for the platform's own customers. The provider bills the driver, so it
        comes first when a partner's customer also drives for a fleet. Without a contract, the
        one partner whose whitelist or online answer authorized the user.
        """
        if self.contract is None:
            return self.whitelisted_by
        return self.contract.provider or self.contract.customer.fleet

    @property
    def unmatched(self):
        """Nobody answers for the user: no contract, and no single whitelist."""
        return self.contract is None and self.whitelisted_by is None


def user_match(identifier_type, normalized, charging_session=None, session_start=None, cpo=None):
    """
    The charging key and contract a CDR's user names: a UID our key has, an EVCO id our
    contract has; otherwise the contract of the remote start the CDR reports on. A UID we hold
    no key for is the customer of the partner whose whitelist held it from before
    ``session_start`` (now, without one) on; of several such partners, none: who authorized
    is who is billed, so an ambiguous UID is left for staff. An EVCO id we hold no contract of
    is the customer of the provider that last accepted it answering ``cpo``'s rfid-verify
    online, before the session's start (with CLOCK_SKEW)
    (docs/decisions/authorization-and-billing.md).
    """
    if identifier_type == IdentifierType.RFID:
        key = (
            ChargingKey.objects.select_related("contract__provider", "contract__customer__fleet")
            .filter(uid=normalized)
            .first()
        )
        if key is not None:
            return UserMatch(charging_key=key, contract=key.contract)
    elif identifier_type == IdentifierType.EVCO_ID:
        contract = (
            Contract.objects.select_related("provider", "customer__fleet")
            .filter(evco_id_normalized=normalized)
            .first()
        )
        if contract is not None:
            return UserMatch(contract=contract)
    if charging_session is not None and charging_session.contract_id is not None:
        return UserMatch(contract=charging_session.contract)
    if identifier_type == IdentifierType.RFID:
        partner_ids = whitelisting_partner_ids(normalized, since=session_start)
        if len(partner_ids) == 1:
            return UserMatch(whitelisted_by=Partner.objects.get(pk=partner_ids.pop()))
    elif identifier_type == IdentifierType.EVCO_ID and cpo is not None:
        before = session_start + CLOCK_SKEW if session_start else None
        provider_id = provider_approving_evco_id(cpo.pk, normalized, before=before)
        if provider_id is not None:
            return UserMatch(whitelisted_by=Partner.objects.get(pk=provider_id))
    return UserMatch()


# A CPO's clock may run behind ours: a verification logged up to this long after the start the
# CPO reports still came before the charge.
CLOCK_SKEW = timedelta(minutes=5)


def billed_identifiers(contract, connector):
    """
    The CDR's copy of what it says of its customer and station (CDR.evco_id, station_name,
    station_city): copied, not referred to, so that it stays as billed once the CDR is final.
    """
    station = connector.station if connector else None
    return {
        "evco_id": contract.evco_id if contract else "",
        "station_name": station.name if station else "",
        "station_city": station.city if station else "",
    }


def partner_identifier_for_recipient(partner):
    """The identifier we name a recipient by in what we send it: its first active one."""
    return PartnerIdentifier.objects.filter(partner=partner, is_active=True).order_by("pk").first()


def cdr_forward_dedupe_key(cdr):
    """
    The dedupe key of the delivery forwarding ``cdr`` to its recipient, whichever protocol
    queues it: one delivery per CDR, which the CDR's page finds (``reports.cdr_deliveries``).
    """
    return f"cdr:{cdr.pk}"


# --- Lists and totals -----------------------------------------------------------------------


# What a partner sees of a customer's identifiers on CDRs it may see but whose customer is not
# its own: the last characters, enough to tell cards apart, not to use or link them.
CUSTOMER_MASK_KEEP = 4
CUSTOMER_MASK = "•"


def cdr_customer_shown(queryset, viewer):
    """
    The one rule for what ``viewer`` (a partner) sees of each CDR's customer, for every
    interface that shows CDRs to partners (REST and its CSV, portal pages and exports, the
    session-post we forward): annotates ``customer_shown`` (the user identifier as the CPO sent
    it) and ``evco_id_shown`` (the EVCO id it was billed with). The partner whose customer it is
    (the recipient) sees them in full; any other, the CPO that only ran the charge, sees all
    but the last four characters masked. In SQL, so lists, exports and pages share it.
    """
    return queryset.annotate(
        customer_shown=_shown_to(viewer, "user_identifier"),
        evco_id_shown=_shown_to(viewer, "evco_id"),
    )


def _shown_to(viewer, field):
    length = Length(field)
    return Case(
        When(recipient=viewer, then=F(field)),
        When(
            GreaterThan(length, CUSTOMER_MASK_KEEP),
            then=Concat(
                Repeat(Value(CUSTOMER_MASK), length - CUSTOMER_MASK_KEEP),
                Right(field, CUSTOMER_MASK_KEEP),
            ),
        ),
        default=Repeat(Value(CUSTOMER_MASK), length),
        output_field=CharField(),
    )


# What a daily total is kept per, as CDRDailyTotal's columns.
DAILY_TOTAL_KEY = ("cpo_id", "recipient_id", "day", "state", "cost_currency")


def cdr_daily_totals_computed(cdr_model=CDR):
    """
    The daily totals as the CDRs give them now, as CDRDailyTotal's columns: what
    ``cdrs.services.cdr_daily_totals_rebuild`` stores and ``cdr_daily_totals_drift`` compares.
    """
    rows = (
        cdr_model.objects.order_by()
        .annotate(day=TruncDate("session_start"))
        .values(*DAILY_TOTAL_KEY)
        .annotate(
            # Named unlike the CDR's fields, which an annotation may not shadow.
            n_sessions=Count("id"),
            energy=Sum("energy_kwh"),
            cost=Sum("cost_amount"),
            n_costed=Count("cost_amount"),
            n_stopped=Count("session_stop"),
            total_duration=Sum(
                F("session_stop") - F("session_start"), output_field=DurationField()
            ),
        )
    )
    for row in rows.iterator(chunk_size=2000):
        yield {
            **{name: row[name] for name in DAILY_TOTAL_KEY},
            "sessions": row["n_sessions"],
            "energy_kwh": row["energy"] or 0,
            "cost_amount": row["cost"] or 0,
            "costed": row["n_costed"],
            "stopped": row["n_stopped"],
            "duration": row["total_duration"] or timedelta(0),
        }


def cdr_daily_totals_drift():
    """
    The keys of the daily totals that differ from what the CDRs give now: none, unless CDRs
    were written around ``cdr_post`` (a bulk load or a repair in SQL) and not rebuilt since.
    """
    figures = [f.attname for f in CDRDailyTotal._meta.concrete_fields if not f.primary_key]

    def as_rows(rows):
        # Rows whose CDRs all moved to other days sum to nothing, as if they were not there.
        return {
            tuple(row[name] for name in DAILY_TOTAL_KEY): tuple(row[name] for name in figures)
            for row in rows
            if row["sessions"]
        }

    stored = as_rows(CDRDailyTotal.objects.values(*figures).iterator(chunk_size=2000))
    computed = as_rows(cdr_daily_totals_computed())
    return sorted(
        (key for key in stored.keys() | computed.keys() if stored.get(key) != computed.get(key)),
        key=daily_total_order,
    )


def daily_total_order(key):
    """A sort key for daily totals' keys, whose recipient may be None."""
    cpo_id, recipient_id, *rest = key
    return (cpo_id, recipient_id or 0, *rest)


def cdr_export_parts(partner, queryset=None):
    """
    The CDRs ``partner`` may see as ``CDRQuerySet.for_partner_parts``'s two lists, each read in
    the order of its (partner, updated_at, id) index, so an export streams from the first row
    with no sort.
    """
    queryset = CDR.objects.all() if queryset is None else queryset
    return tuple(part.order_by("updated_at", "id") for part in queryset.for_partner_parts(partner))


@dataclass(frozen=True)
class Totals:
    count: int
    energy_kwh: object  # Decimal
    # {currency: Decimal amount}; CDRs without a cost are left out.
    cost_by_currency: dict


def cdr_totals(queryset):
    """
    Number of CDRs, energy and cost per currency of ``queryset`` (any filtered list), summed in
    the database as decimals: two aggregate queries whatever the number of rows.
    """
    energy_field = DecimalField(max_digits=ENERGY_DIGITS + 6, decimal_places=ENERGY_PLACES)
    cost_field = DecimalField(max_digits=COST_DIGITS + 6, decimal_places=COST_PLACES)
    queryset = queryset.order_by()
    overall = queryset.aggregate(
        count=Count("id"), energy=Coalesce(Sum("energy_kwh"), 0, output_field=energy_field)
    )
    costs = (
        queryset.exclude(cost_amount__isnull=True)
        .values("cost_currency")
        .annotate(amount=Sum("cost_amount", output_field=cost_field))
        .order_by("cost_currency")
    )
    return Totals(
        count=overall["count"],
        energy_kwh=overall["energy"],
        cost_by_currency={row["cost_currency"]: row["amount"] for row in costs},
    )


def cdr_count_needing_review():
    """Flagged CDRs no one has reviewed yet (the review queue's partial index counts them)."""
    return CDR.objects.needing_review().count()


# --- Usage of a station -----------------------------------------------------------------------


@dataclass(frozen=True)
class StationUsage:
    last_7_days: int
    last_30_days: int
    last_used_at: datetime | None


def station_usage_get(*, partner, station_id, now=None):
    """
    How often the station ``station_id`` was used, as its CPO's CDRs tell (open and final,
    matched to a customer or not): the sessions started in the last 7 and 30 days up to ``now``
    and the start of the latest. A remote start without a CDR does not count. StationNotFound when
    ``partner`` may not see the station. Two queries.
    """
    now = now or timezone.now()
    station = station_get_visible(partner=partner, station_id=station_id)
    usage = CDR.objects.filter(station=station, session_start__lte=now).aggregate(
        last_7_days=Count("id", filter=Q(session_start__gt=now - timedelta(days=7))),
        last_30_days=Count("id", filter=Q(session_start__gt=now - timedelta(days=30))),
        last_used_at=Max("session_start"),
    )
    return StationUsage(**usage)
