import json

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from core import labels


class ReadOnlyAdminMixin:
    """
    Records, not data to edit: staff may look; nobody, superusers included, may add, change or
    delete one here (retention is a management command: ``manage.py audit prune``).
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def shortened(text, length=8):
    """An id or message on one line, cut to ``length`` characters, whole on hover."""
    text = str(text or "")
    if not text:
        return "—"
    if len(text) <= length + 1:
        return format_html('<span class="nowrap">{}</span>', text)
    return format_html('<span class="nowrap shortened" title="{}">{}…</span>', text, text[:length])


# For the time columns of the long lists: "Nov. 30, 2026, 3:54 p.m." takes a third more width.
COMPACT_DATETIME = "Y-m-d H:i"


def local_time(value, format="DATETIME_FORMAT"):
    """A time in the site's time zone, or a dash (never 'None')."""
    if value is None:
        return "—"
    return date_format(localtime(value), format)


def json_display(value):
    """Stored JSON (a payload, opening hours) indented, as people read it."""
    if value in (None, "", [], {}):
        return "—"
    return format_html(
        '<pre class="json">{}</pre>', json.dumps(value, indent=2, ensure_ascii=False)
    )


class ResultCodeFilter(admin.SimpleListFilter):
    """The result codes' choices as their protocol registered them: no scan of the log."""

    title = "result code"
    parameter_name = "result_code"

    def lookups(self, request, model_admin):
        codes = labels.LABELS.get("result_code", {})
        return [(str(int(code)), f"{int(code)} {codes[code]}") for code in sorted(codes)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(result_code=int(self.value()))
        return queryset


class HttpStatusFilter(admin.SimpleListFilter):
    title = "HTTP status"
    parameter_name = "http_status"
    CLASSES = ("2xx", "4xx", "5xx")
    STATUSES = (200, 400, 401, 403, 404, 405, 413, 429, 500, 503)

    def lookups(self, request, model_admin):
        return [(c, c) for c in self.CLASSES] + [(str(s), str(s)) for s in self.STATUSES]

    def queryset(self, request, queryset):
        value = self.value()
        if value in self.CLASSES:
            low = int(value[0]) * 100
            return queryset.filter(http_status__gte=low, http_status__lt=low + 100)
        if value and value.isdigit():
            return queryset.filter(http_status=int(value))
        return queryset
