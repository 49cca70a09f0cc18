"""
Writes of the partner portal: portal users (created by staff or the operator command, invited
and deactivated by a partner admin) and sign-in throttling.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from oioi_portal.models import PartnerMembership, SignInThrottle


@transaction.atomic
def portal_user_create(
    partner, username, *, email="", password=None, is_partner_admin=False, invited_by=None
):
    """
    Create a portal user of ``partner``. Without ``password`` the user gets a random one nobody
    knows: it signs in after setting its own through the e-mailed link (or "forgot password",
    which Django sends only to users with a usable password, hence not an unusable one).
    """
    User = get_user_model()
    username = username.strip()
    user = User(username=username, email=email.strip())
    user.full_clean(exclude=["password"])
    if password is not None:
        password_validation.validate_password(password, user)
    user.set_password(password if password is not None else secrets.token_urlsafe(32))
    user.save()
    PartnerMembership.objects.create(
        user=user, partner=partner, is_partner_admin=is_partner_admin, invited_by=invited_by
    )
    return user


def portal_user_invite(partner, *, username, email, is_partner_admin, invited_by, base_url):
    """
    Create a portal user of ``partner`` and e-mail it a link to set its password. ``base_url``
    is the portal's address as the inviting user reached it, e.g. ``https://portal.example/``.
    """
    if not email.strip():
        raise ValidationError({"email": _("An invitation needs an e-mail address.")})
    user = portal_user_create(
        partner,
        username,
        email=email,
        is_partner_admin=is_partner_admin,
        invited_by=invited_by,
    )
    link = base_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "partner": partner, "invited_by": invited_by, "link": link}
    # In the inviting user's language: the invited colleague most likely shares it.
    send_mail(
        _("Your %(partner)s account on the OIOI partner portal") % {"partner": partner.name},
        render_to_string("portal/email/invitation.txt", context),
        None,
        [user.email],
    )
    return user


def portal_user_set_active(membership, *, active):
    """Deactivate (or reactivate) a portal user: a deactivated user cannot sign in."""
    user = membership.user
    user.is_active = active
    user.save(update_fields=["is_active"])


# --- sign-in throttling --------------------------------------------------------------------------


def _throttle_key(username, address):
    return {"username": username.strip().lower()[:150], "address": address or ""}


def sign_in_locked_until(username, address, now=None):
    """When the lock on ``username`` from ``address`` ends, or None when it may try."""
    now = now or timezone.now()
    return (
        SignInThrottle.objects.filter(**_throttle_key(username, address), locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )


@transaction.atomic
def sign_in_failed(username, address, now=None):
    """Count a failed sign-in; lock the pair once it has failed too often within the window."""
    now = now or timezone.now()
    throttle, _created = SignInThrottle.objects.select_for_update().get_or_create(
        **_throttle_key(username, address), defaults={"window_started_at": now}
    )
    window = timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    if throttle.window_started_at + window <= now:
        # The earlier failures are too old to count: start a new window.
        throttle.failures = 0
        throttle.window_started_at = now
        throttle.locked_until = None
    # The row is locked (select_for_update), so concurrent failures each count.
    throttle.failures += 1
    if throttle.failures >= settings.SIGN_IN_MAX_FAILURES:
        throttle.locked_until = now + timedelta(seconds=settings.SIGN_IN_LOCK_SECONDS)
        throttle.failures = 0
        throttle.window_started_at = now
    throttle.save()
    return throttle.locked_until


def sign_in_succeeded(username, address):
    SignInThrottle.objects.filter(**_throttle_key(username, address)).delete()
