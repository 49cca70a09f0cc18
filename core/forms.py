from django import forms
from django.utils.translation import gettext_lazy as _

from core import labels as portal_labels


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
