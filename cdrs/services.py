"""
Writes on CDRs: what CPOs post (session-post), the announcement that a CDR became final (which
the protocols forward to the partner whose customer charged, ``signals.cdr_final``), and staff
review. Refusals raise a domain error (``core.errors``) inside the caller's transaction, so a
refused post changes nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cdrs import selectors, signals
from cdrs.models import CDR, CDRDailyTotal, CDRRevision
from core import identifiers
from core.errors import InvalidValue

# The columns a post sets, compared to tell an identical final re-post from a different one.
POSTED_FIELDS = (
    "evse_id_normalized",
    "user_identifier_type",
    "user_identifier_normalized",
    "session_start",
    "session_stop",
    "charging_start",
    "charging_stop",
    "energy_kwh",
    "cost_amount",
    "cost_currency",
)


@dataclass(frozen=True)
class PostResult:
    cdr: CDR
    # False for an identical re-post of a final CDR, which changes nothing.
    changed: bool = True


def _posted_columns(partner_identifier, data):
    """The CDR's columns from a validated session-post."""
    session = data["session_interval"]
    charging = data.get("charging_interval") or {}
    cost = data.get("calculated_cost") or {}
    return {
        "partner_identifier": partner_identifier,
        "evse_id": data["connector_id"],
        "evse_id_normalized": identifiers.normalize_evse_id(data["connector_id"]),
        "user_identifier_type": data["user"]["identifier_type"],
        "user_identifier": data["user"]["identifier"],
        "user_identifier_normalized": data["user"]["normalized"],
        "session_start": session["start"],
        "session_stop": session.get("stop"),
        "charging_start": charging.get("start"),
        "charging_stop": charging.get("stop"),
        "energy_kwh": data.get("energy_consumed"),
        "cost_amount": cost.get("amount"),
        "cost_currency": cost.get("currency", ""),
    }


def _matched_columns(partner, session_id, columns):
    """What the post refers to among our data; what is not found is flagged, never refused."""
    connector = selectors.connector_match(partner, columns["evse_id_normalized"])
    charging_session = selectors.charging_session_match(partner, session_id)
    user = selectors.user_match(
        columns["user_identifier_type"],
        columns["user_identifier_normalized"],
        charging_session,
        columns["session_start"],
        cpo=partner,
    )
    return {
        "connector": connector,
        "station_id": connector.station_id if connector else None,
        "charging_session": charging_session,
        "charging_key": user.charging_key,
        "contract": user.contract,
        "customer_id": user.contract.customer_id if user.contract else None,
        "recipient": user.recipient,
        **selectors.billed_identifiers(user.contract, connector),
        "unmatched_connector": connector is None,
        "unmatched_user": user.unmatched,
    }


def cdr_post(*, partner, partner_identifier, data, key_prefix, request_id, now=None):
    """
    Upsert the CDR of ``partner``'s session ``data["session_id"]`` from a validated session-post
    (``data["raw"]`` is the payload as received). Run it inside a transaction.

    A final CDR takes no other data: the same data again is a no-op, other data is refused
    (InvalidValue). A post that makes the CDR final sends ``signals.cdr_final`` in the same
    transaction, so what its receivers queue commits with the CDR.
    """
    now = now or timezone.now()
    session_id = data["session_id"]
    columns = _posted_columns(partner_identifier, data)
    cdr = selectors.cdr_get_locked(partner, session_id)
    if cdr is None:
        cdr = _cdr_create(partner, session_id, columns, now)
        created = cdr is not None
        # A concurrent post of the same session committed first: it is this CDR's first post.
        cdr = cdr or selectors.cdr_get_locked(partner, session_id)
    else:
        created = False
    if created:
        _daily_totals_add([_daily_total_change_of(cdr, 1)])
    else:
        if cdr.state == CDR.State.FINAL:
            if all(getattr(cdr, name) == columns[name] for name in POSTED_FIELDS):
                return PostResult(cdr, changed=False)
            raise InvalidValue(
                "this session's CDR is final and differs from this one; it stays as stored.",
                field="session-post.session-id",
            )
        removed = _daily_total_change_of(cdr, -1)
        _cdr_update(cdr, partner, session_id, columns, now)
        _daily_totals_add([removed, _daily_total_change_of(cdr, 1)])
    CDRRevision.objects.create(
        cdr=cdr,
        number=1 if created else cdr.revisions.count() + 1,
        received_at=now,
        payload=data["raw"],
        key_prefix=key_prefix,
        request_id=request_id,
    )
    if cdr.state == CDR.State.FINAL:
        signals.cdr_final.send(sender=CDR, cdr=cdr)
    return PostResult(cdr)


def _state_columns(columns, now):
    final = columns["session_stop"] is not None
    return {
        "state": CDR.State.FINAL if final else CDR.State.OPEN,
        "final_at": now if final else None,
    }


def _cdr_create(partner, session_id, columns, now):
    """The new CDR, or None when a concurrent post of the same session created it first."""
    matched = _matched_columns(partner, session_id, columns)
    cdr = CDR(
        cpo=partner,
        session_id=session_id,
        **columns,
        **matched,
        **_state_columns(columns, now),
        needs_review=matched["unmatched_user"] or matched["unmatched_connector"],
    )
    try:
        # A savepoint: the unique (cpo, session_id) refusing the insert leaves the caller's
        # transaction usable, and the winner's row is then read under lock.
        with transaction.atomic():
            cdr.save(force_insert=True)
    except IntegrityError:
        return None
    return cdr


def _cdr_update(cdr, partner, session_id, columns, now):
    """An open CDR takes the post's data; matching runs again (stations may have come since)."""
    matched = _matched_columns(partner, session_id, columns)
    for name, value in {**columns, **matched, **_state_columns(columns, now)}.items():
        setattr(cdr, name, value)
    flagged = cdr.unmatched_user or cdr.unmatched_connector
    cdr.needs_review = flagged and cdr.reviewed_at is None
    cdr.save()


# --- Daily totals ---------------------------------------------------------------------------


def _daily_total_change_of(cdr, sign):
    """The key of ``cdr``'s daily total and what it adds to it (``sign`` 1) or takes away (-1)."""
    key = (
        cdr.cpo_id,
        cdr.recipient_id,
        timezone.localdate(cdr.session_start),
        cdr.state,
        cdr.cost_currency,
    )
    stopped = cdr.session_stop is not None
    return key, {
        "sessions": sign,
        "energy_kwh": sign * (cdr.energy_kwh or 0),
        "cost_amount": sign * (cdr.cost_amount or 0),
        "costed": sign * (cdr.cost_amount is not None),
        "stopped": sign * stopped,
        "duration": sign * (cdr.session_stop - cdr.session_start) if stopped else timedelta(0),
    }


def _daily_totals_add(keyed_changes):
    """
    Add each (key, figures) to its daily total, in the caller's transaction. Rows are updated
    in key order, so that two posts moving CDRs between the same days cannot deadlock.
    """
    changes = {}
    for key, figures in keyed_changes:
        if key in changes:
            figures = {name: changes[key][name] + value for name, value in figures.items()}
        changes[key] = figures
    for key in sorted(changes, key=selectors.daily_total_order):
        if any(changes[key].values()):
            key_columns = dict(zip(selectors.DAILY_TOTAL_KEY, key, strict=True))
            _daily_total_change(key_columns, changes[key])


def _daily_total_change(key, figures):
    increments = {name: F(name) + value for name, value in figures.items()}
    if CDRDailyTotal.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            CDRDailyTotal.objects.create(**key, **figures)
        return
    except IntegrityError:
        # A concurrent post made the day's row first; it is there to update now. If it is not,
        # the insert failed for another reason, which must not pass as a lost contribution.
        if not CDRDailyTotal.objects.filter(**key).update(**increments):
            raise


def cdr_daily_totals_rebuild(cdr_model=CDR, total_model=CDRDailyTotal):
    """
    Compute every daily total anew from the CDRs: after a bulk load, or a repair in SQL that
    went around ``cdr_post``. (The models are parameters for the migration that adds them.)
    """
    with transaction.atomic():
        total_model.objects.all().delete()
        total_model.objects.bulk_create(
            (total_model(**row) for row in selectors.cdr_daily_totals_computed(cdr_model)),
            batch_size=1000,
        )


def cdr_review(cdr, *, user, note, now=None):
    """Staff mark a flagged CDR reviewed, with a note; the flags stay as facts about the data."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what was checked or decided."})
    if not cdr.needs_review:
        raise ValidationError(f"{cdr} needs no review.")
    cdr.needs_review = False
    cdr.reviewed_by = user
    cdr.reviewed_at = now or timezone.now()
    cdr.review_note = note
    cdr.save(
        update_fields=["needs_review", "reviewed_by", "reviewed_at", "review_note", "updated_at"]
    )
    return cdr
