"""Admin forms for partners, their operator ids and their API keys."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime, AdminURLFieldWidget
from django.core.exceptions import ValidationError

from core import identifiers
from partners.models import ApiKey, OperatorId, Partner, PartnerIdentifier, validate_networks

ENDPOINT_KEY_NEEDS_URL = "An endpoint key goes with an endpoint URL."
OPERATOR_ID_NEEDS_CPO = "Only a CPO or fleet partner registers operator ids."
ENDPOINT_KEY_HELP = "The key the partner gave us for calling its endpoint."


class PartnerAdminForm(forms.ModelForm):
    """
    The partner's endpoint key is write-only: the stored key is never sent to the browser,
    and submitting the field empty keeps it.
    """

    # A scheme-less URL typed by staff means HTTPS (Django 6's default too).
    endpoint_url = Partner._meta.get_field("endpoint_url").formfield(
        assume_scheme="https", widget=AdminURLFieldWidget
    )
    endpoint_key = forms.CharField(
        label="OIOI endpoint key",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=f"{ENDPOINT_KEY_HELP} Leave empty to keep the current key.",
    )
    clear_endpoint_key = forms.BooleanField(label="Remove the stored endpoint key", required=False)

    class Meta:
        model = Partner
        fields = [
            "name",
            "slug",
            "is_active",
            "is_cpo",
            "is_emp",
            "is_oem",
            "is_fleet",
            "contact_name",
            "contact_email",
            "contact_phone",
            "endpoint_url",
            "endpoint_key",
            "offline_authorization",
            "online_authorization",
            "rate_limit_per_minute",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ModelForm puts the stored value into ``initial``; blank it so it reaches no page and
        # an empty submission does not count as a change.
        self.initial["endpoint_key"] = ""
        if self.instance.pk is None:
            self.fields["endpoint_key"].help_text = ENDPOINT_KEY_HELP

    def clean_endpoint_key(self):
        return self.cleaned_data["endpoint_key"] or self.instance.endpoint_key

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_endpoint_key"):
            if self.data.get(self.add_prefix("endpoint_key")):
                self.add_error(
                    "clear_endpoint_key", "Either enter a new endpoint key or remove it, not both."
                )
            cleaned["endpoint_key"] = ""
        if (
            "endpoint_url" in cleaned
            and cleaned.get("endpoint_key")
            and not cleaned["endpoint_url"]
        ):
            self.add_error("endpoint_url", ENDPOINT_KEY_NEEDS_URL)
        return cleaned


class OperatorIdForm(forms.ModelForm):
    """Validates and de-duplicates on the normalized id, which is what the database keeps unique."""

    class Meta:
        model = OperatorId
        fields = ["value", "name"]

    def clean_value(self):
        value = self.cleaned_data["value"]
        normalized = identifiers.normalize_operator_id(value)
        taken = OperatorId.objects.filter(normalized=normalized).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(f"Operator id {value} is already registered.", code="unique")
        return identifiers.display_operator_id(value)

    def _post_clean(self):
        # OperatorId.clean() normalizes the value again, and would add a second, misleading
        # error ("must be a non-empty string") to a value this form already refused.
        if self.has_error("value"):
            return
        super()._post_clean()


class OperatorIdFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("value") and not self._should_delete_form(form)
        ]
        seen = set()
        for form in kept:
            normalized = identifiers.normalize_operator_id(form.cleaned_data["value"])
            if normalized in seen:
                form.add_error("value", "This operator id is listed twice.")
            seen.add(normalized)
        # ``self.instance`` carries the partner form's submitted roles.
        if kept and not (self.instance.is_cpo or self.instance.is_fleet):
            raise ValidationError(OPERATOR_ID_NEEDS_CPO)


def _partner_identifier_label(identifier):
    if identifier.description:
        return f"{identifier.value} ({identifier.description})"
    return identifier.value


class PartnerIdentifierChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _partner_identifier_label(obj)


class ApiKeyChangeForm(forms.ModelForm):
    partner_identifiers = PartnerIdentifierChoiceField(
        queryset=PartnerIdentifier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ApiKey._meta.get_field("partner_identifiers").help_text,
    )

    class Meta:
        model = ApiKey
        fields = ["label", "expires_at", "partner_identifiers", "allowed_networks"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "partner_identifiers" in self.fields:
            # A key acts only for its own partner's identifiers.
            self.fields["partner_identifiers"].queryset = PartnerIdentifier.objects.filter(
                partner_id=self.instance.partner_id
            )


class ApiKeyIssueForm(forms.Form):
    """The fields of ``services.api_key_issue``; the partner's identifiers follow its partner."""

    partner = forms.ModelChoiceField(queryset=Partner.objects.all())
    label = forms.CharField(
        max_length=200, required=False, help_text="What the key is for, e.g. “production”."
    )
    expires_at = forms.SplitDateTimeField(
        label="Expires",
        required=False,
        widget=AdminSplitDateTime,
        help_text=ApiKey._meta.get_field("expires_at").help_text,
    )
    partner_identifiers = PartnerIdentifierChoiceField(
        queryset=PartnerIdentifier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allowed_networks = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_networks],
        help_text=ApiKey._meta.get_field("allowed_networks").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.selected_partner = self._selected_partner()
        field = self.fields["partner_identifiers"]
        if self.selected_partner is None:
            field.help_text = (
                "Choose the partner first (or start from its page); the key acts for all of its "
                "partner's identifiers until some are selected on the key's page."
            )
        else:
            field.queryset = self.selected_partner.identifiers.all()
            field.help_text = ApiKey._meta.get_field("partner_identifiers").help_text

    def _selected_partner(self):
        if self.is_bound:
            raw = self.data.get(self.add_prefix("partner"))
        else:
            raw = self.initial.get("partner")
        if isinstance(raw, Partner):
            return raw
        try:
            return self.fields["partner"].to_python(raw)
        except ValidationError:
            return None
