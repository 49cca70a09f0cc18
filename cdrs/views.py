"""The portal's CDR report (filters, totals, chart, streamed export) and CDR detail pages."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from cdrs import exports, reports
from cdrs.filtersets import CDRFilterSet
from cdrs.models import CDR, CDRDailyTotal
from cdrs.selectors import cdr_customer_shown
from core import exports as portal_exports
from core.charts import energy_sessions_chart
from core.filtersets import DateFilter
from core.forms import PortalFilterSetMixin
from core.streaming import stream_rows
from partners.views import Column, PartnerPortalMixin, PortalListView
from stations.models import Station

PERIODS = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("last_30_days", _("Last 30 days")),
    ("dates", _("From – to (below)")),
]
DEFAULT_PERIOD = "this_month"
# The filters that CDRDailyTotal's columns answer; any other set sends the report to the CDRs.
DAILY_TOTAL_FILTERS = {"period", "date_from", "date_to", "state", "currency"}
# Null while the session runs.
SESSION_DURATION = ExpressionWrapper(
    F("session_stop") - F("session_start"), output_field=DurationField()
)


class PortalCDRFilterSet(PortalFilterSetMixin, CDRFilterSet):
    """
    The CDR lists' FilterSet with the portal's period (quick choices or dates, instead of the
    API's RFC 3339 bounds) and the partner's stations to choose from.
    """

    period = django_filters.ChoiceFilter(
        label=_("Period"), choices=PERIODS, empty_label=None, method="filter_period"
    )
    date_from = DateFilter(
        label=_("From"), method="filter_period", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = DateFilter(
        label=_("To (inclusive)"),
        method="filter_period",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    station = django_filters.ModelChoiceFilter(
        label=_("Station"), queryset=Station.objects.none(), empty_label=_("All stations")
    )
    to_look_at = django_filters.BooleanFilter(
        label=_("Only CDRs to look at"),
        method="filter_to_look_at",
        widget=forms.CheckboxInput,
    )

    # The period replaces the API's RFC 3339 bounds.
    left_out = ("since", "until", "updated_since", "session_id")
    labels = {
        "evse_id": _("EVSE id"),
        "evco_id": _("EVCO id"),
        "uid": _("UID"),
        "state": _("State"),
        "currency": _("Currency"),
    }
    choice_labels = {"state": "cdr_state"}

    def __init__(self, data=None, *args, partner, **kwargs):
        if data is not None:
            data = data.copy()
            # Typed dates win over a quick choice left as it was: the report, its heading and
            # both exports (whose links carry the same parameters) then follow the dates shown.
            if data.get("date_from") or data.get("date_to"):
                data["period"] = "dates"
            elif not data.get("period"):
                data["period"] = DEFAULT_PERIOD
        super().__init__(data, *args, **kwargs)
        self.partner = partner
        # Only stations the partner runs or its customers charged at: no other names.
        self.filters["station"].queryset = Station.objects.filter(
            Q(owner=partner) | Exists(CDR.objects.filter(station=OuterRef("pk"), recipient=partner))
        ).order_by("name")

    def filter_to_look_at(self, queryset, name, value):
        return reports.cdrs_to_look_at(self.partner, queryset) if value else queryset

    def filter_period(self, queryset, name, value):
        # Applied once, in filter_queryset(), from the three period fields together.
        return queryset

    def period_days(self):
        """The first and last day of the chosen period."""
        cleaned = getattr(self.form, "cleaned_data", {})
        choice = cleaned.get("period") or DEFAULT_PERIOD
        if choice == "dates":
            last = cleaned.get("date_to") or timezone.localdate()
            first = cleaned.get("date_from") or reports.month_start(last)
            return min(first, last), max(first, last)
        start, end = reports.period_bounds(choice)
        return start, end - timedelta(days=1)

    def daily_totals(self, partner):
        """
        ``partner``'s daily totals that answer this filter's report, or None when a filter is
        set that only the CDRs themselves can answer (a station, an EVSE, a customer).
        """
        if not self.is_valid():
            return None
        cleaned = self.form.cleaned_data
        if any(value for name, value in cleaned.items() if name not in DAILY_TOTAL_FILTERS):
            return None
        first, last = self.period_days()
        totals = CDRDailyTotal.objects.for_partner(partner).filter(day__range=(first, last))
        if cleaned.get("state"):
            totals = totals.filter(state=cleaned["state"])
        if cleaned.get("currency"):
            totals = totals.filter(cost_currency__iexact=cleaned["currency"])
        return totals

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        first, last = self.period_days()
        return queryset.filter(
            session_start__gte=reports.local_midnight(first),
            session_start__lt=reports.local_midnight(last + timedelta(days=1)),
        )


def _portal_columns():
    """
    cdrs.exports' columns as the portal exports them: the station by the CPO's id (as the
    stations export names it) and its name as billed, and the session's duration in seconds
    after its stop.
    """
    paths = {"station_id": "station__external_id"}
    added_after = {
        "station_id": exports.Column("station_name", "station_name"),
        "session_stop": exports.Column("duration_seconds", "duration"),
    }
    columns = []
    for column in exports.COLUMNS:
        columns.append(exports.Column(column.header, paths.get(column.header, column.path)))
        if column.header in added_after:
            columns.append(added_after[column.header])
    return tuple(columns)


PORTAL_COLUMNS = _portal_columns()
TIME_COLUMNS = (
    "session_start",
    "session_stop",
    "charging_start",
    "charging_stop",
    "created_at",
    "updated_at",
)


class CDRScopeMixin:
    model = CDR

    def partner_scope(self, queryset, partner):
        return cdr_customer_shown(queryset.for_partner(partner), partner)


class CDRListView(CDRScopeMixin, PortalListView):
    template_name = "portal/cdr_list.html"
    context_object_name = "cdrs"
    filterset_class = PortalCDRFilterSet
    columns = (
        Column("start", _("Start"), ("session_start",)),
        Column("station", _("Station"), ("station_name",)),
        Column("evse", _("EVSE id"), ("evse_id_normalized",)),
        Column("customer", _("Customer")),
        Column("duration", _("Duration")),
        Column("energy", _("Energy (kWh)"), ("energy_kwh",)),
        Column("cost", _("Cost"), ("cost_amount",)),
        Column("state", _("State"), ("state",)),
    )
    default_sort = "-start"
    export_name = "cdrs"

    def get_filterset(self, queryset):
        return self.filterset_class(
            self.request.GET.copy(), queryset=queryset, partner=self.partner
        )

    def get_queryset(self):
        return super().get_queryset().annotate(duration=SESSION_DURATION)

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        # The totals have counted the filtered rows already: no second COUNT over them.
        paginator.count = self.totals.count
        return paginator

    def get_context_data(self, **kwargs):
        # What the filters select, without the page's ordering and annotations: for aggregates.
        queryset = self.filtered
        first, last = self.filterset.period_days()
        report = reports.cdr_report(
            queryset, first, last, daily_totals=self.filterset.daily_totals(self.partner)
        )
        self.totals = report.totals
        context = super().get_context_data(
            totals=report.totals,
            average_duration=report.average_duration,
            chart=energy_sessions_chart(report.series),
            period_first=first,
            period_last=last,
            **kwargs,
        )
        return context

    def export(self, queryset, export_format):
        # In arrival order, as the REST API's CSV: the first rows leave at once, where the page's
        # order would first sort every filtered row (seconds over a million).
        queryset = queryset.select_related(None).order_by("pk")
        if export_format == portal_exports.CSV:
            return exports.csv_response(queryset, "cdrs.csv", PORTAL_COLUMNS)
        rows = queryset.values_list(*(column.path for column in PORTAL_COLUMNS))
        return portal_exports.xlsx_response(
            "cdrs",
            [column.header for column in PORTAL_COLUMNS],
            stream_rows(rows, chunk_size=exports.READ_CHUNK_ROWS),
            time_columns=TIME_COLUMNS,
        )


class CDRDetailView(CDRScopeMixin, PartnerPortalMixin, DetailView):
    template_name = "portal/cdr_detail.html"
    context_object_name = "cdr"

    def get_queryset(self):
        return super().get_queryset().select_related("cpo")

    def get_context_data(self, **kwargs):
        cdr = self.object
        return super().get_context_data(
            revisions=cdr.revisions.order_by("number"),
            deliveries=reports.cdr_deliveries(cdr),
            **kwargs,
        )
