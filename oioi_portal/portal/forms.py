from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from oioi_portal.portal import labels as portal_labels
from oioi_portal.portal import services
from oioi_portal.requests import client_address


class PortalFilterSetMixin:
    """
    Fits an app's FilterSet (shared with the REST API) to a form: leaves out the filters in
    ``left_out``, labels the others (``labels``: django-filter's own are the API's lookups)
    and gives those in ``date_inputs`` the browser's date picker.
    """

    left_out = ()
    labels = {}
    date_inputs = ()
    # Choice filters whose codes get words: filter name -> kind of oioi_portal.portal.labels;
    # their empty choice reads "Any".
    choice_labels = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.left_out:
            self.filters.pop(name)
        for name, label in self.labels.items():
            # On the field too: the REST API's schema may have built (and cached) it already.
            self.filters[name].label = self.filters[name].field.label = label
        for name, kind in self.choice_labels.items():
            field = self.filters[name].field
            # django-filter's choice fields add their empty choice themselves.
            field.empty_label = _("Any")
            field.choices = [
                (value, portal_labels.label(kind, value))
                for value, _text in field.choices
                if value != ""
            ]
        for name in self.date_inputs:
            self.filters[name].field.widget = forms.DateInput(attrs={"type": "date"})


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
