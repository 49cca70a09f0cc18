"""Reads on app users: who a call names, its keys, its recent sessions and stations."""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.utils import timezone

from app_users import errors
from app_users.models import AppUser, AppUserToken
from cdrs.models import CDR
from clients.models import ChargingKey
from core import identifiers
from sessions_app.models import ChargingSession
from stations.models import Connector, Station
from stations.selectors import status_summary

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
RECENT_SESSIONS = 20


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def app_user_get_by_login(oem, login):
    """The user of ``oem`` whose username or e-mail is ``login`` (any case), or None."""
    login = (login or "").strip()
    if not login:
        return None
    return (
        AppUser.objects.select_related("contract")
        .filter(Q(username__iexact=login) | Q(email__iexact=login), oem=oem)
        .first()
    )


def app_user_token_find(oem, token):
    """The live token row of ``oem`` for ``token``, with its user, or None."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    idle = timezone.now() - timedelta(days=settings.OIOI_USER_TOKEN_IDLE_DAYS)
    return (
        AppUserToken.objects.select_related("user__contract")
        .filter(
            token_hash=token_digest(token),
            oem=oem,
            revoked_at__isnull=True,
            last_used_at__gte=idle,
        )
        .first()
    )


def _owns(user, identifier_type, identifier):
    """Whether the EVCO id or UID ``identifier`` is one of ``user``'s."""
    try:
        if identifier_type == "evco-id":
            normalized = identifiers.normalize_evco_id(identifier)
            return user.customer.contracts.filter(evco_id_normalized=normalized).exists()
        uid = identifiers.normalize_uid(identifier)
    except ValidationError:
        return False
    return ChargingKey.objects.filter(uid=uid, customer_id=user.customer_id).exists()


@dataclass(frozen=True)
class Identified:
    user: AppUser
    token: AppUserToken | None


def app_user_identify(oem, identifier_type, identifier, token):
    """
    The user of ``oem`` an app names (OIOI's ``user`` object), authenticated by its token:
    ``token`` (identifier = the token), ``username`` (username or e-mail, with ``token``), or
    an ``evco-id``/``rfid`` of the token's user. Raises UserNotFound for a username naming no
    user of ``oem``, TokenInvalid for a missing, wrong or dead token (or another OEM's), and
    AuthenticationFailed when the identifier is not the token's user's or the user is blocked.
    """
    if identifier_type == "token":
        token = identifier
    elif identifier_type == "username":
        named = app_user_get_by_login(oem, identifier)
        if named is None:
            raise errors.UserNotFound()
    found = app_user_token_find(oem, token)
    if found is None:
        raise errors.TokenInvalid()
    user = found.user
    if identifier_type == "username" and named.pk != user.pk:
        raise errors.AuthenticationFailed("The identifier and the token name different users.")
    if identifier_type in ("evco-id", "rfid") and not _owns(user, identifier_type, identifier):
        raise errors.AuthenticationFailed(f"That {identifier_type} is not the token's user's.")
    if user.is_blocked:
        raise errors.AuthenticationFailed("This user is blocked.")
    return Identified(user, found)


def app_user_charging_keys(user):
    """The user's charging keys with their contracts, by UID."""
    return list(
        ChargingKey.objects.filter(customer_id=user.customer_id)
        .select_related("contract")
        .order_by("uid")
    )


def app_user_recent_sessions(user, limit=RECENT_SESSIONS):
    """The ``limit`` newest CDRs of all the user's contracts, newest first, with their station
    and remote start: two queries."""
    return list(
        CDR.objects.filter(customer_id=user.customer_id)
        .select_related("station", "charging_session")
        .order_by("-session_start", "-id")[:limit]
    )


def app_user_recent_stations(user, limit):
    """
    The stations the user charged at (a CDR) or started remotely at, newest use first, at most
    ``limit``; stations its OEM can no longer see (deleted, hidden) left out. Each with the
    status summary of its connectors. Four queries.
    """
    used = {}
    for station_id, last in (
        CDR.objects.filter(customer_id=user.customer_id, station__isnull=False)
        .values("station_id")
        .annotate(last=Max("session_start"))
        .values_list("station_id", "last")
    ):
        used[station_id] = last
    for station_id, last in (
        ChargingSession.objects.filter(contract__customer_id=user.customer_id)
        .values("connector__station_id")
        .annotate(last=Max("requested_at"))
        .values_list("connector__station_id", "last")
    ):
        used[station_id] = max(last, used.get(station_id, last))
    stations = (
        Station.objects.for_partner(user.oem, pushed=False)
        .filter(pk__in=used)
        .select_related("owner_company", "operator_company")
        .in_bulk()
    )
    newest = sorted(stations, key=lambda pk: (used[pk], pk), reverse=True)[:limit]
    statuses = {pk: [] for pk in newest}
    for station_id, status in Connector.objects.filter(station_id__in=newest).values_list(
        "station_id", "status"
    ):
        statuses[station_id].append(status)
    return [(stations[pk], status_summary(statuses[pk])) for pk in newest]
