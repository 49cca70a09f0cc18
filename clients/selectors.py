"""Reads on charging keys and whitelists, shared by the OIOI calls, the REST API and the admin."""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from clients.models import (
    Authorization,
    ChargingKey,
    OnlineProvider,
    VerificationResult,
    WhitelistEntry,
)
from partners.models import Partner


@dataclass(frozen=True)
class Verification:
    """What verifying a UID decides, and the key it found (if any) for the log."""

    result: VerificationResult
    evco_id: str | None = None
    charging_key_id: int | None = None
    # The UID's provider: its key's contract's, else the one partner whitelisting it (None for
    # the platform's keys and for a UID on several whitelists). It alone may be asked online.
    provider_id: int | None = None
    # That provider's active whitelist holds the UID: its standing permission, which answers
    # for it when it cannot be asked.
    whitelisted: bool = False
    # That provider is active and authorizes online.
    provider_online: bool = False


def active_whitelist_entries():
    """The entries that authorize: active, on an active identifier of an active partner."""
    return WhitelistEntry.objects.filter(
        is_active=True,
        whitelist__partner_identifier__is_active=True,
        whitelist__partner_identifier__partner__is_active=True,
    )


def whitelisting_partner_ids(uid, *, since=None):
    """
    The active partners with ``uid`` on an active whitelist (one indexed lookup); with
    ``since``, only where the UID has been on the list since that moment (without a break).
    """
    entries = active_whitelist_entries().filter(uid=uid)
    if since is not None:
        entries = entries.filter(added_at__lte=since)
    return set(entries.values_list("whitelist__partner_identifier__partner_id", flat=True))


def charging_key_verify(uid):
    """
    Verify a normalized ``uid`` (what rfid-verify answers) in at most two indexed queries.

    A UID we hold as a charging key is answered by its contract's provider's rules alone, so
    that nobody else can make a charge billed to that provider
    (docs/decisions/authorization-and-billing.md). The key answers its own refusals: blocked,
    inactive (unknown), customer without a valid payment method. The platform's own
    contracts, and those of providers that push no whitelists (an OEM may not send rfid-post),
    are then accepted. An EMP's contract is accepted only while that EMP whitelists the UID,
    else unknown, whatever another partner's whitelist says. A UID we hold no key for is
    accepted with no EVCO id (we do not know the EMP's contract) while any whitelist holds
    it; the rest are unknown.
    """
    # Only the columns the answer needs: this is the call a driver waits on at the charger,
    # and building four whole model instances costs more than the indexed lookup itself.
    key = (
        ChargingKey.objects.filter(uid=uid)
        .values(
            "id",
            "state",
            "customer__has_valid_payment_method",
            "contract__evco_id",
            "contract__provider_id",
            "contract__provider__is_emp",
            "contract__provider__is_active",
            "contract__provider__online_authorization",
        )
        .first()
    )
    if key is None:
        # {partner id: whether it authorizes online}, of the active partners whitelisting it.
        holders = dict(
            active_whitelist_entries()
            .filter(uid=uid)
            .values_list(
                "whitelist__partner_identifier__partner_id",
                "whitelist__partner_identifier__partner__online_authorization",
            )
        )
        if len(holders) == 1:
            ((provider_id, online),) = holders.items()
            return Verification(
                VerificationResult.ACCEPTED,
                provider_id=provider_id,
                whitelisted=True,
                provider_online=online,
            )
        if holders:
            return Verification(VerificationResult.ACCEPTED)
        return Verification(VerificationResult.UNKNOWN)
    key_id = key["id"]
    provider_id = key["contract__provider_id"]
    if key["state"] == ChargingKey.State.BLOCKED:
        return Verification(VerificationResult.BLOCKED, charging_key_id=key_id)
    if key["state"] == ChargingKey.State.INACTIVE:
        return Verification(VerificationResult.UNKNOWN, charging_key_id=key_id)
    if not key["customer__has_valid_payment_method"]:
        return Verification(VerificationResult.NO_PAYMENT_METHOD, charging_key_id=key_id)
    accepted = Verification(
        VerificationResult.ACCEPTED,
        key["contract__evco_id"],
        key_id,
        provider_id,
        provider_online=bool(
            key["contract__provider__is_active"] and key["contract__provider__online_authorization"]
        ),
    )
    if not key["contract__provider__is_emp"]:
        return accepted
    # An EMP answers for its contracts through its own whitelist, and nobody else's.
    if provider_id in whitelisting_partner_ids(uid):
        return replace(accepted, whitelisted=True)
    return Verification(VerificationResult.UNKNOWN, charging_key_id=key_id)


def online_provider_get(verification):
    """
    The provider to ask about a verified UID (docs/oioi.md, "rfid-verify forwarded"): the
    UID's provider when the local answer is an acceptance and it authorizes online; None
    when the local answer is final. A query only when there is one to ask.
    """
    if verification.result != VerificationResult.ACCEPTED or not verification.provider_online:
        return None
    return Partner.objects.filter(pk=verification.provider_id).first()


def charging_keys_of_other_providers(partner, uid_set):
    """The UIDs of ``uid_set`` (a subquery) that are charging keys not provided by ``partner``."""
    return set(
        ChargingKey.objects.filter(uid__in=uid_set)
        .exclude(contract__provider=partner)
        .values_list("uid", flat=True)
    )


def offline_whitelist_uids():
    """
    Every UID that verification would accept, sorted: what offline CPOs receive. The active
    keys with a payment method of the platform's and OEMs' contracts, those of EMPs' contracts
    that their own EMP whitelists, and the whitelisted UIDs that are nobody's key (a whitelist
    entry for another provider's key authorizes nothing, so it is left out).
    """
    entries = active_whitelist_entries()
    chargeable = ChargingKey.objects.filter(
        state=ChargingKey.State.ACTIVE, customer__has_valid_payment_method=True
    )
    own = chargeable.exclude(contract__provider__is_emp=True)
    emps = chargeable.filter(
        Exists(
            entries.filter(
                uid=OuterRef("uid"),
                whitelist__partner_identifier__partner=OuterRef("contract__provider"),
            )
        ),
        contract__provider__is_emp=True,
    )
    keyless = entries.exclude(uid__in=ChargingKey.objects.values("uid"))
    return sorted(
        set(own.values_list("uid", flat=True))
        | set(emps.values_list("uid", flat=True))
        | set(keyless.values_list("uid", flat=True))
    )


# How far back a provider's endpoint health counts its forwarded verifications.
ONLINE_HEALTH_WINDOW = timedelta(hours=24)


def online_provider_list_with_health(now=None):
    """
    The providers that authorize online, each with its endpoint's health: its last forwarded
    verification (``last_forwarded_at``, ``last_answer``, ``last_failed``) and, over
    ONLINE_HEALTH_WINDOW, how many were forwarded (``recent_count``) and got no usable answer
    (``recent_failed``). One query for the whole list.
    """
    since = (now or timezone.now()) - ONLINE_HEALTH_WINDOW
    last = Authorization.objects.filter(provider=OuterRef("pk")).order_by("-created_at", "-id")
    recent = Q(forwarded_authorizations__created_at__gte=since)
    return OnlineProvider.objects.filter(online_authorization=True).annotate(
        last_forwarded_at=Subquery(last.values("created_at")[:1]),
        last_answer=Subquery(last.values("provider_answer")[:1]),
        last_failed=Subquery(last.values("provider_failed")[:1]),
        recent_count=Count("forwarded_authorizations", filter=recent),
        recent_failed=Count(
            "forwarded_authorizations",
            filter=recent & Q(forwarded_authorizations__provider_failed=True),
        ),
    )


def online_provider_list_failing():
    """Online providers whose last forwarded verification got no usable answer."""
    return online_provider_list_with_health().filter(last_failed=True)


def provider_approving_evco_id(cpo_id, evco_id_normalized, *, before=None):
    """
    The id of the provider that last accepted, answering ``cpo_id``'s rfid-verify online, the
    contract ``evco_id_normalized`` (its own, when we hold none of that id), at or before
    ``before``; None if none did. One indexed query.
    """
    approvals = Authorization.objects.filter(
        partner_id=cpo_id,
        evco_id_normalized=evco_id_normalized,
        provider__isnull=False,
        provider_failed=False,
        result_code=VerificationResult.ACCEPTED,
    )
    if before is not None:
        approvals = approvals.filter(created_at__lte=before)
    return approvals.order_by("-created_at").values_list("provider_id", flat=True).first()
