"""
Writes on customers, contracts, charging keys, whitelists and the authorization log. The OIOI
calls, the admin and the operator command all call these, so the rules live in one place; what
offline CPOs must receive is announced (``clients.signals``) for the protocols to send.
"""

import hashlib
import json
import time
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from clients import remote, selectors, signals
from clients.models import (
    Authorization,
    ChargingKey,
    Contract,
    Customer,
    OfflineWhitelistPush,
    VerificationResult,
    Whitelist,
    WhitelistEntry,
)
from core import identifiers
from partners.models import Partner, Role

# --- Charging keys ------------------------------------------------------------------------------


@transaction.atomic
def charging_key_create(
    *, uid, evco_id, provider=None, blocked=False, has_valid_payment_method=True
):
    """
    Create a charging key for the contract ``evco_id``, creating the contract and its customer
    when the EVCO id is new. ``provider`` is the EMP or OEM partner whose contract it is, None
    for the platform's own. An existing contract must have the same provider and payment state.
    """
    uid = identifiers.normalize_uid(uid)
    normalized_evco_id = identifiers.normalize_evco_id(evco_id)
    if provider is not None and not (provider.has_role(Role.EMP) or provider.has_role(Role.OEM)):
        raise ValidationError(
            f"Partner {provider} provides no contracts: it is neither an EMP nor an OEM."
        )
    if ChargingKey.objects.filter(uid=uid).exists():
        raise ValidationError(f"A charging key with UID {uid} already exists.")
    contract = (
        Contract.objects.select_related("customer", "provider")
        .filter(evco_id_normalized=normalized_evco_id)
        .first()
    )
    if contract is None:
        customer = Customer.objects.create(has_valid_payment_method=has_valid_payment_method)
        contract = Contract.objects.create(customer=customer, evco_id=evco_id, provider=provider)
    elif contract.provider_id != (provider.pk if provider else None):
        raise ValidationError(
            f"EVCO id {contract.evco_id} is a contract of {contract.provider or 'the platform'}."
        )
    elif contract.customer.has_valid_payment_method != has_valid_payment_method:
        raise ValidationError(
            f"EVCO id {contract.evco_id} exists and its customer "
            f"{'has' if contract.customer.has_valid_payment_method else 'has no'} valid payment "
            "method; change the customer in the admin."
        )
    state = ChargingKey.State.BLOCKED if blocked else ChargingKey.State.ACTIVE
    return ChargingKey.objects.create(
        uid=uid,
        contract=contract,
        state=state,
        state_reason="Created blocked." if blocked else "",
    )


def charging_key_change_state(key, state, *, reason, by=None):
    """Block, unblock (make active) or deactivate ``key``, recording who, when and why."""
    state = ChargingKey.State(state)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the key's state changes."})
    if key.state == state:
        raise ValidationError(f"Charging key {key} is already {state.label}.")
    key.state = state
    key.state_reason = reason
    key.state_changed_at = timezone.now()
    key.state_changed_by = by
    key.save(update_fields=["state", "state_reason", "state_changed_at", "state_changed_by"])
    return key


# --- Whitelists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhitelistPush:
    size: int
    added: int
    removed: int
    # Pushed UIDs left off the list: charging keys of another provider, sorted.
    ignored: tuple[str, ...] = ()


def _uid_set_sql(uids):
    """
    The UIDs as a subquery over one parameter: a statement costs the same for 10 or 100,000 UIDs,
    where `IN (%s, ...)` would hit SQLite's variable limit and Django's bulk batches. On
    PostgreSQL an array, whose length the planner knows (it guesses 100 rows for JSON).
    """
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::text[]) AS value", [list(uids)]
    return "SELECT value FROM json_each(%s)", [json.dumps(uids)]


def _insert_new_entries(whitelist, uids, now):
    """Insert the UIDs the whitelist has never held, in one statement; return how many."""
    entries = connection.ops.quote_name(WhitelistEntry._meta.db_table)
    uid_set, uid_params = _uid_set_sql(uids)
    with connection.cursor() as cursor:
        cursor.execute(
            # Only our own table name is formatted in; every value is a parameter.
            f"INSERT INTO {entries} (whitelist_id, uid, is_active, added_at, removed_at) "  # noqa: S608
            f"SELECT %s, pushed.value, %s, %s, NULL FROM ({uid_set}) AS pushed "
            f"WHERE NOT EXISTS (SELECT 1 FROM {entries} AS held "
            "WHERE held.whitelist_id = %s AND held.uid = pushed.value)",
            [whitelist.pk, True, now, *uid_params, whitelist.pk],
        )
        return cursor.rowcount


# No savepoint of its own inside the OIOI call's transaction: a failure rolls the call back.
@transaction.atomic(savepoint=False)
def whitelist_replace(partner_identifier, uids):
    """
    Make ``uids`` (normalized) the complete whitelist of ``partner_identifier``: UIDs not in it
    are deactivated, UIDs new to it or back on it are (re)activated. ``added`` counts both, as
    both were not on the list in force before. A UID that is a charging key of another
    provider (or the platform's) is ``ignored``: left off the list, as its provider's rules
    alone answer for it. A constant number of statements, whatever the size.
    """
    uids = list(dict.fromkeys(uids))
    now = timezone.now()
    # The row lock makes concurrent pushes for one identifier take turns.
    whitelist, _ = Whitelist.objects.select_for_update().get_or_create(
        partner_identifier=partner_identifier
    )
    pushed = RawSQL(*_uid_set_sql(uids))  # noqa: S611 (fixed SQL, the UIDs are a parameter)
    ignored = selectors.charging_keys_of_other_providers(partner_identifier.partner_id, pushed)
    if ignored:
        uids = [uid for uid in uids if uid not in ignored]
        pushed = RawSQL(*_uid_set_sql(uids))  # noqa: S611
    entries = WhitelistEntry.objects.filter(whitelist=whitelist)
    removed = (
        entries.filter(is_active=True)
        .exclude(uid__in=pushed)
        .update(is_active=False, removed_at=now)
    )
    reactivated = entries.filter(is_active=False, uid__in=pushed).update(
        is_active=True, added_at=now, removed_at=None
    )
    added = reactivated + _insert_new_entries(whitelist, uids, now)
    Whitelist.objects.filter(pk=whitelist.pk).update(
        pushed_at=now, last_push_size=len(uids), last_push_added=added, last_push_removed=removed
    )
    return WhitelistPush(
        size=len(uids), added=added, removed=removed, ignored=tuple(sorted(ignored))
    )


# --- Authorization log --------------------------------------------------------------------------


def authorization_record(*, partner, uid, verification, request_id="", **forwarded):
    """Log one rfid-verify (``forwarded``: the provider's columns when it was asked)."""
    return Authorization.objects.create(
        partner=partner,
        uid=uid,
        result_code=verification.result,
        evco_id=verification.evco_id or "",
        charging_key_id=verification.charging_key_id,
        request_id=request_id,
        **forwarded,
    )


def charging_key_authorize(*, partner, uid, request_id=""):
    """
    Answer ``partner``'s (a CPO's) verification of the normalized ``uid`` and log it: the
    Verification to answer (docs/oioi.md, rfid-verify and "rfid-verify forwarded").

    The local answer comes first; a refusal, or an acceptance whose provider does not
    authorize online, is final. Otherwise the provider decides: its acceptance (with its EVCO
    id when valid, else ours) or refusal is the answer. Without a usable answer, its whitelist
    holding the UID is its standing permission; anything else is PROVIDER_UNAVAILABLE. Only the
    provider is asked: a CDR of the charge goes to it (``cdrs.selectors.user_match`` finds the
    same provider). Not to be called inside a transaction: the ask waits for the provider.
    """
    verification = selectors.charging_key_verify(uid)
    provider = selectors.online_provider_get(verification)
    if provider is None:
        authorization_record(
            partner=partner, uid=uid, verification=verification, request_id=request_id
        )
        return verification
    started = time.monotonic()
    answer = remote.gateway().verify(provider, uid=uid, correlation_id=request_id)
    wait_ms = round((time.monotonic() - started) * 1000)
    usable = answer.outcome == remote.Outcome.ANSWERED and answer.result is not None
    if usable:
        decided = _provider_decision(verification, answer)
    elif verification.whitelisted:
        decided = verification
    else:
        decided = replace(
            verification, result=VerificationResult.PROVIDER_UNAVAILABLE, evco_id=None
        )
    said = str(answer.code) if answer.outcome == remote.Outcome.ANSWERED else answer.outcome.value
    authorization_record(
        partner=partner,
        uid=uid,
        verification=decided,
        request_id=request_id,
        provider=provider,
        evco_id_normalized=_evco_id_normalized(decided.evco_id),
        provider_answer=said[: Authorization._meta.get_field("provider_answer").max_length],
        provider_failed=not usable,
        provider_wait_ms=wait_ms,
    )
    return decided


def _evco_id_normalized(evco_id):
    try:
        return identifiers.normalize_evco_id(evco_id)
    except ValidationError:
        return ""  # none, or one of ours from before EVCO ids were checked: nothing to match


def _provider_decision(verification, answer):
    """The provider's usable answer: its refusal as it is, its acceptance with an EVCO id."""
    if answer.result != VerificationResult.ACCEPTED:
        return replace(verification, result=answer.result, evco_id=None)
    evco_id = answer.evco_id.strip() if isinstance(answer.evco_id, str) else ""
    try:
        identifiers.normalize_evco_id(evco_id)
    except ValidationError:
        return verification  # not an EVCO id: the one we hold, if any
    return replace(verification, evco_id=evco_id)


def offline_whitelists_push(now=None):
    """
    Announce the complete whitelist (``signals.offline_whitelist_due``) for each
    offline-authorizing CPO whose copy is out of date: once a change has settled for
    OFFLINE_WHITELIST_DEBOUNCE_SECONDS (a burst of changes makes one push), and at least every
    OFFLINE_WHITELIST_INTERVAL_SECONDS whatever happened. Returns how many were announced.
    """
    now = now or timezone.now()
    cpos = list(Partner.objects.active().with_role(Role.CPO).filter(offline_authorization=True))
    if not cpos:
        return 0
    uids = selectors.offline_whitelist_uids()
    fingerprint = hashlib.sha256("\n".join(uids).encode()).hexdigest()
    settle = timedelta(seconds=settings.OFFLINE_WHITELIST_DEBOUNCE_SECONDS)
    interval = timedelta(seconds=settings.OFFLINE_WHITELIST_INTERVAL_SECONDS)
    queued = 0
    for cpo in cpos:
        with transaction.atomic():
            state, _ = OfflineWhitelistPush.objects.select_for_update().get_or_create(partner=cpo)
            if fingerprint != state.seen_fingerprint:
                state.seen_fingerprint, state.seen_at = fingerprint, now
            changed = fingerprint != state.pushed_fingerprint and now - state.seen_at >= settle
            stale = state.pushed_at is None or now - state.pushed_at >= interval
            if changed or stale:
                signals.offline_whitelist_due.send(
                    sender=OfflineWhitelistPush,
                    partner=cpo,
                    uids=uids,
                    fingerprint=fingerprint,
                    now=now,
                )
                state.pushed_fingerprint, state.pushed_at, state.pushed_size = (
                    fingerprint,
                    now,
                    len(uids),
                )
                queued += 1
            state.save()
    return queued
