"""Template filters of the partner portal."""

from django import template

from core import labels

register = template.Library()


@register.filter
def duration_hm(value):
    """A timedelta as hours and minutes, ``2:05 h``: read the same in English and German."""
    if value is None:
        return ""
    minutes = round(value.total_seconds() / 60)
    return f"{minutes // 60}:{minutes % 60:02d} h"


@register.filter
def label(value, kind):
    """The word for a code the portal shows (``core.labels``)."""
    return labels.label(kind, value)
