from datetime import UTC, date

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField, ModelChoiceField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS

# What a 64-bit integer column holds; a number outside it is refused before any query (a
# database would raise on it: SQLite overflows, PostgreSQL is out of range).
SQL_INTEGER_RANGE = (-(2**63), 2**63 - 1)
# The days a date filter takes: a century around the platform's data.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def _in_sql_range(value):
    text = str(value).strip()
    number = text[1:] if text[:1] in "+-" else text
    return not number.isdigit() or SQL_INTEGER_RANGE[0] <= int(text) <= SQL_INTEGER_RANGE[1]


class SqlIntegerField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", SQL_INTEGER_RANGE[0])
        kwargs.setdefault("max_value", SQL_INTEGER_RANGE[1])
        super().__init__(**kwargs)


class SqlModelChoiceField(ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _in_sql_range(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class UtcDateTimeField(IsoDateTimeField):
    """
    An RFC 3339 time, cleaned to UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601
    allows, and a time at the edge of the calendar may have no UTC equivalent.
    """

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("A time within the years 1 to 9999 in UTC.") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """The time filter of every FilterSet (`since`, `until`, `updated_since`, ...)."""

    field_class = UtcDateTimeField


class BoundedDateField(forms.DateField):
    """
    A day from EARLIEST_DATE to LATEST_DATE. The portal's report reads and draws every month of
    its period: one from year 1 to 9999 took minutes and a page of 30 MB (and a day at the
    calendar's edge has no UTC midnight to compare with).
    """

    def clean(self, value):
        value = super().clean(value)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                _("A date from %(earliest)s to %(latest)s."),
                code="out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )
        return value


class DateFilter(django_filters.DateFilter):
    """The date filter of every FilterSet (the portal's From and To)."""

    field_class = BoundedDateField


class IdentifierFormField(forms.CharField):
    """An identifier in any written form, cleaned to its normalized form."""

    def __init__(self, *, normalizer, **kwargs):
        self.normalizer = normalizer
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return self.normalizer(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages, code="invalid") from None


class IdentifierFilter(django_filters.CharFilter):
    """Matches a normalized column against a value written in any form (`04a1b2c3`, `DE-8PS-…`)."""

    field_class = IdentifierFormField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number a database column can hold; anything else is the client's 400."""

    field_class = SqlIntegerField


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SqlModelChoiceField


class FilterSet(django_filters.FilterSet):
    """
    Base of every FilterSet (REST and portal): filters generated for integer and relation
    fields refuse numbers out of the database's range with a 400 instead of failing in SQL.
    """

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        **{
            field: {"filter_class": IntegerFilter}
            for field in (
                models.AutoField,
                models.SmallIntegerField,
                models.IntegerField,
                models.PositiveIntegerField,
                models.PositiveSmallIntegerField,
            )
        },
        **{
            field: {**FILTER_FOR_DBFIELD_DEFAULTS[field], "filter_class": ModelChoiceFilter}
            for field in (models.ForeignKey, models.OneToOneField)
        },
    }
