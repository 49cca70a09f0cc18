"""
Writes on app users (docs/oioi.md, "OEM app users"): registration, sign-in and its tokens,
passwords, details and the user's charging keys. The OIOI calls and the admin call these.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from app_users import errors, selectors
from app_users.models import AppUser, AppUserToken
from clients import evco
from clients.models import ChargingKey, Contract, Customer
from clients.selectors import active_whitelist_entries
from clients.services import charging_key_change_state
from core import identifiers
from core.errors import InvalidValue

# Failed sign-ins that lock a user, and for how long the count runs.
MAX_FAILED_LOGINS = 10
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
# A password reset link lasts this long, and only until the password changes.
RESET_LINK_MAX_AGE = timedelta(hours=24)
RESET_SALT = "app_users.password_reset"
# Why a key the app blocked is blocked: only such a key may the app unblock.
APP_BLOCK_REASON = "Blocked by its user in the app."
APP_UNBLOCK_REASON = "Unblocked by its user in the app."
# How stale a token's "last used" may get before a call writes it again.
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)


def _validated_password(password, user, field):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidValue(" ".join(exc.messages), field=field) from None


# --- Tokens -------------------------------------------------------------------------------------


def app_user_token_issue(user):
    """A new token for ``user`` through its OEM: returned once, kept as its SHA-256."""
    token = secrets.token_hex(16)
    AppUserToken.objects.create(
        user=user,
        oem_id=user.oem_id,
        token_hash=selectors.token_digest(token),
        last_used_at=timezone.now(),
    )
    return token


def app_user_token_touch(token):
    """Record that ``token`` (a row) was used now, at most once per resolution interval."""
    now = timezone.now()
    if now - token.last_used_at >= TOKEN_LAST_USED_RESOLUTION:
        AppUserToken.objects.filter(pk=token.pk).update(last_used_at=now)


def app_user_token_revoke(token):
    AppUserToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def app_user_tokens_revoke(user):
    """Kill every token of ``user``: its password changed, or staff blocked it."""
    AppUserToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- Registration and sign-in -------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    token: str
    evco_id: str


@transaction.atomic
def app_user_register(oem, *, username, email, password, language="", receive_newsletters=False):
    """
    Register an app user of ``oem``: a customer of ours (it counts as paying: the OEM bills
    it), its app contract under a new EVCO id provided by ``oem``, and a first token.
    UserTaken when the username or the e-mail names a user of ``oem`` already.
    """
    taken = AppUser.objects.filter(Q(username__iexact=username) | Q(email__iexact=email), oem=oem)
    if taken.exists():
        raise errors.UserTaken()
    user = AppUser(oem=oem, username=username, email=email, language=language or "")
    _validated_password(password, user, "password")
    user.password = make_password(password)
    user.receive_newsletters = bool(receive_newsletters)
    try:
        # A savepoint: a concurrent registration of the same name fails this alone.
        with transaction.atomic():
            user.customer = Customer.objects.create(name=username, email=email)
            user.contract = Contract.objects.create(
                customer=user.customer, evco_id=evco.evco_id_issue(), provider=oem
            )
            user.save()
    except IntegrityError:
        raise errors.UserTaken() from None
    return SignIn(app_user_token_issue(user), user.contract.evco_id)


def _login_locked(user, now):
    return (
        user.failed_logins >= MAX_FAILED_LOGINS
        and user.failed_logins_since is not None
        and now - user.failed_logins_since < FAILED_LOGIN_WINDOW
    )


def _login_failed(user, now):
    """Count a failed sign-in in its own transaction: the refusal that follows keeps it."""
    with transaction.atomic():
        window_open = (
            user.failed_logins_since is not None
            and now - user.failed_logins_since < FAILED_LOGIN_WINDOW
        )
        if window_open:
            AppUser.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        else:
            AppUser.objects.filter(pk=user.pk).update(failed_logins=1, failed_logins_since=now)


def _authenticate(oem, login, password):
    """The user of ``oem`` named ``login`` whose password is ``password``; failures counted."""
    user = selectors.app_user_get_by_login(oem, login)
    if user is None:
        raise errors.UserNotFound()
    now = timezone.now()
    if user.is_blocked:
        raise errors.AuthenticationFailed("This user is blocked.")
    if _login_locked(user, now):
        raise errors.AuthenticationFailed(
            "Too many failed sign-ins: try again in a quarter of an hour."
        )
    if not check_password(password, user.password):
        _login_failed(user, now)
        raise errors.InvalidCredentials()
    return user


# Not atomic as a whole: a failed attempt must be counted although the call is refused.
def app_user_verify(oem, *, login, password, is_token, language=""):
    """
    Sign a user of ``oem`` in: with its password, a new token; with a live token of its
    (``is_token``), that same token.
    """
    if is_token:
        user = selectors.app_user_get_by_login(oem, login)
        if user is None:
            raise errors.UserNotFound()
        found = selectors.app_user_token_find(oem, password)
        if found is None:
            raise errors.TokenInvalid()
        if found.user_id != user.pk or user.is_blocked:
            raise errors.AuthenticationFailed()
        app_user_token_touch(found)
        token = password
    else:
        user = _authenticate(oem, login, password)
        with transaction.atomic():
            token = app_user_token_issue(user)
            AppUser.objects.filter(pk=user.pk).update(failed_logins=0, failed_logins_since=None)
    if language and language != user.language:
        AppUser.objects.filter(pk=user.pk).update(language=language)
    return SignIn(token, user.contract.evco_id)


def app_user_change_password(oem, *, login, current_password, new_password):
    """Change a user's password, knowing the current one; every token of the user dies."""
    try:
        user = _authenticate(oem, login, current_password)
    except errors.InvalidCredentials:
        raise errors.AuthenticationFailed("The current password is wrong.") from None
    app_user_set_password(user, new_password, field="new-password")


@transaction.atomic
def app_user_set_password(user, password, *, field="password"):
    """Set ``user``'s password (validated); its tokens and reset links die."""
    _validated_password(password, user, field)
    user.password = make_password(password)
    user.failed_logins, user.failed_logins_since = 0, None
    user.save(update_fields=["password", "failed_logins", "failed_logins_since"])
    app_user_tokens_revoke(user)


# --- Password reset -----------------------------------------------------------------------------


def _reset_fingerprint(user):
    # Part of the password hash: the link dies once the password changes, so it works once.
    return user.password[-12:]


def app_user_reset_token(user):
    return signing.dumps({"user": user.pk, "p": _reset_fingerprint(user)}, salt=RESET_SALT)


def app_user_get_for_reset(token):
    """The user a reset link names while it is valid (24 h, unused), else None."""
    try:
        data = signing.loads(token, salt=RESET_SALT, max_age=RESET_LINK_MAX_AGE.total_seconds())
    except signing.BadSignature:
        return None
    user = AppUser.objects.filter(pk=data.get("user")).first()
    if user is None or user.is_blocked or _reset_fingerprint(user) != data.get("p"):
        return None
    return user


def app_user_reset_request(oem, login):
    """E-mail the user of ``oem`` named ``login`` a link to set a new password."""
    user = selectors.app_user_get_by_login(oem, login)
    if user is None:
        raise errors.UserNotFound()
    if user.is_blocked:
        raise errors.AuthenticationFailed("This user is blocked.")
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "app_user_set_password", kwargs={"token": app_user_reset_token(user)}
    )
    context = {"user": user, "oem": oem, "link": link, "hours": 24}
    send_mail(
        f"Set a new password for {oem.name}",
        render_to_string("app_users/email/reset.txt", context),
        None,
        [user.email],
    )


# --- Details ------------------------------------------------------------------------------------


def app_user_details_update(user, changes):
    """Replace the members present in ``changes`` (None clears one); the rest stay."""
    details = dict(user.details)
    for name, value in changes.items():
        if value is None:
            details.pop(name, None)
        else:
            details[name] = value
    language = details.pop("locale", None) if "locale" in changes else user.language
    user.details = details
    user.language = language or ""
    user.save(update_fields=["details", "language"])


# --- Staff --------------------------------------------------------------------------------------


@transaction.atomic
def app_user_block(user, *, blocked=True):
    """Block (or unblock) ``user``: a blocked user is refused everything and its tokens die."""
    user.is_blocked = blocked
    user.blocked_at = timezone.now() if blocked else None
    user.save(update_fields=["is_blocked", "blocked_at"])
    if blocked:
        app_user_tokens_revoke(user)


# --- Charging keys ------------------------------------------------------------------------------


@transaction.atomic
def app_user_rfid_add(user, uid):
    """
    Add the UID as a charging key of ``user`` under a further contract of its own, with a new
    EVCO id. ChargingKeyTaken when the UID is anyone's key or on a whitelist.
    """
    if (
        ChargingKey.objects.filter(uid=uid).exists()
        or active_whitelist_entries().filter(uid=uid).exists()
    ):
        raise errors.ChargingKeyTaken("That RFID is already in use.")
    contract = Contract.objects.create(
        customer_id=user.customer_id, evco_id=evco.evco_id_issue(), provider_id=user.oem_id
    )
    try:
        with transaction.atomic():
            return ChargingKey.objects.create(uid=uid, contract=contract)
    except IntegrityError:
        raise errors.ChargingKeyTaken("That RFID is already in use.") from None


def app_user_rfid_block(user, uid, *, blocked):
    """Block or unblock one of the user's keys; a key blocked by staff stays blocked."""
    key = ChargingKey.objects.filter(uid=uid, customer_id=user.customer_id).first()
    if key is None:
        raise errors.ChargingKeyNotFound()
    if blocked and key.state != ChargingKey.State.BLOCKED:
        charging_key_change_state(key, ChargingKey.State.BLOCKED, reason=APP_BLOCK_REASON)
    elif not blocked and key.state == ChargingKey.State.BLOCKED:
        if key.state_reason != APP_BLOCK_REASON:
            raise errors.ChargingKeyLocked()
        charging_key_change_state(key, ChargingKey.State.ACTIVE, reason=APP_UNBLOCK_REASON)
    return key


def app_user_contract_activate(user, evco_id, *, active):
    """
    Activate or deactivate the keys of one of the user's contracts (inactive keys verify 191).
    ChargingKeyTaken when the EVCO id is not the user's; ChargingKeyLocked when a key of it is
    blocked (it stays so).
    """
    try:
        normalized = identifiers.normalize_evco_id(evco_id)
    except ValidationError:
        raise errors.ChargingKeyTaken("That EVCO id is not one of the user's.") from None
    contract = Contract.objects.filter(
        evco_id_normalized=normalized, customer_id=user.customer_id
    ).first()
    if contract is None:
        raise errors.ChargingKeyTaken("That EVCO id is not one of the user's.")
    keys = list(contract.charging_keys.all())
    if any(key.state == ChargingKey.State.BLOCKED for key in keys):
        raise errors.ChargingKeyLocked()
    target, source = (
        (ChargingKey.State.ACTIVE, ChargingKey.State.INACTIVE)
        if active
        else (ChargingKey.State.INACTIVE, ChargingKey.State.ACTIVE)
    )
    reason = "Activated by its user in the app." if active else "Deactivated by its user."
    for key in keys:
        if key.state == source:
            charging_key_change_state(key, target, reason=reason)
