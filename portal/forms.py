from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.requests import client_address
from portal import services


class ThrottledAuthenticationForm(AuthenticationForm):
    """
    Django's sign-in form, refusing a username from an address that failed too often lately.
    The lock is checked before the password, so a locked pair learns nothing about it.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed sign-ins. Try again after %(until)s."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else ""
        locked_until = services.sign_in_locked_until(username, address)
        if locked_until is not None:
            raise self.locked_error(locked_until)
        try:
            cleaned = super().clean()
        except ValidationError:
            locked_until = services.sign_in_failed(username, address)
            if locked_until is not None:
                raise self.locked_error(locked_until) from None
            raise
        services.sign_in_succeeded(username, address)
        return cleaned

    def locked_error(self, until):
        when = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
        return ValidationError(self.error_messages["locked"], code="locked", params={"until": when})


class InviteForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    is_partner_admin = forms.BooleanField(
        label=_("Partner admin"),
        required=False,
        help_text=_("May invite and deactivate your organisation's users."),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."))
        return username


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in, throttled as the portal's is (a failed staff check counts too)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked": ThrottledAuthenticationForm.error_messages["locked"],
        "portal_user": _(
            "This account signs in to the partner portal, not to the staff back-office: "
            "sign in at %(url)s."
        ),
    }

    def confirm_login_allowed(self, user):
        # A partner's person who found the staff login is told where their pages are.
        if not user.is_staff and hasattr(user, "partner_membership"):
            raise ValidationError(
                self.error_messages["portal_user"],
                code="portal_user",
                params={"url": settings.LOGIN_URL},
            )
        super().confirm_login_allowed(user)
