"""The portal's CDR report (filters, totals, chart, streamed export) and CDR detail pages."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from cdrs import reports
from cdrs.models import CDR
from cdrs.selectors import cdr_list_for_partner, cdr_totals
from oioi_portal.portal.charts import energy_sessions_chart
from oioi_portal.portal.views import Column, PartnerPortalMixin, PortalListView
from stations.models import Station

PERIODS = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("last_30_days", _("Last 30 days")),
    ("dates", _("From – to (below)")),
]
DEFAULT_PERIOD = "this_month"


class PortalCDRFilterSet(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(
        label=_("Period"), choices=PERIODS, empty_label=None, method="filter_period"
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        method="filter_period",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To (inclusive)"),
        method="filter_period",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    station = django_filters.ModelChoiceFilter(
        label=_("Station"), queryset=Station.objects.none(), empty_label=_("All stations")
    )
    evse_id = django_filters.CharFilter(label=_("EVSE id"), method="filter_evse")
    customer = django_filters.CharFilter(label=_("EVCO id / UID"), method="filter_customer")
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=CDR.State.choices, empty_label=_("Any")
    )
    currency = django_filters.CharFilter(
        label=_("Currency"), field_name="cost_currency", lookup_expr="iexact"
    )

    class Meta:
        model = CDR
        fields = []

    def __init__(self, data=None, *args, partner, **kwargs):
        if data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = DEFAULT_PERIOD
        super().__init__(data, *args, **kwargs)
        # Only the partner's own stations are offered: another's names are not for it to see.
        self.filters["station"].queryset = Station.objects.filter(
            Q(owner=partner) | Exists(CDR.objects.filter(station=OuterRef("pk"), recipient=partner))
        ).order_by("name")

    def filter_period(self, queryset, name, value):
        # Applied once, in filter_queryset(), from the three period fields together.
        return queryset

    def filter_evse(self, queryset, name, value):
        return queryset.filter(evse_id_normalized=value.upper().replace("*", "").strip())

    def filter_customer(self, queryset, name, value):
        normalized = "".join(ch for ch in value.upper() if ch.isalnum())
        return queryset.filter(user_identifier_normalized=normalized)

    def period_days(self):
        """The first and last day of the chosen period."""
        cleaned = getattr(self.form, "cleaned_data", {})
        choice = cleaned.get("period") or DEFAULT_PERIOD
        if choice == "dates":
            today = timezone.localdate()
            last = cleaned.get("date_to") or today
            first = cleaned.get("date_from") or reports.month_start(last)
            return min(first, last), max(first, last)
        start, end = reports.period_bounds(choice)
        return start, end - timedelta(days=1)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        first, last = self.period_days()
        return queryset.filter(
            session_start__gte=reports.local_midnight(first),
            session_start__lt=reports.local_midnight(last + timedelta(days=1)),
        )


class CDRScopeMixin:
    model = CDR

    def partner_scope(self, queryset, partner):
        return cdr_list_for_partner(partner, queryset)


class CDRListView(CDRScopeMixin, PortalListView):
    template_name = "portal/cdr_list.html"
    context_object_name = "cdrs"
    filterset_class = PortalCDRFilterSet
    columns = (
        Column("start", _("Start"), ("session_start",)),
        Column("station", _("Station"), ("station__name",)),
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
        return super().get_queryset().select_related("station")

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        # The totals have counted the filtered rows already: no second COUNT over them.
        paginator.count = self.totals.count
        return paginator

    def get_context_data(self, **kwargs):
        queryset = self.filterset.qs
        self.totals = cdr_totals(queryset)
        first, last = self.filterset.period_days()
        context = super().get_context_data(
            totals=self.totals,
            average_duration=reports.cdr_average_duration(queryset),
            chart=energy_sessions_chart(reports.cdr_series(queryset, first, last)),
            period_first=first,
            period_last=last,
            **kwargs,
        )
        for cdr in context["cdrs"]:
            cdr.customer_shown = reports.customer_identifier_for(cdr, self.partner)
            cdr.duration = cdr.session_stop - cdr.session_start if cdr.session_stop else None
        return context

    def export_header(self):
        return [
            "session_id",
            "session_start",
            "session_stop",
            "charging_start",
            "charging_stop",
            "station",
            "evse_id",
            "identifier_type",
            "identifier",
            "energy_kwh",
            "cost",
            "currency",
            "state",
        ]

    def export_rows(self, queryset):
        for cdr in queryset.iterator(chunk_size=2000):
            yield [
                cdr.session_id,
                iso(cdr.session_start),
                iso(cdr.session_stop),
                iso(cdr.charging_start),
                iso(cdr.charging_stop),
                cdr.station.name if cdr.station else "",
                cdr.evse_id,
                cdr.user_identifier_type,
                reports.customer_identifier_for(cdr, self.partner),
                cdr.energy_kwh if cdr.energy_kwh is not None else "",
                cdr.cost_amount if cdr.cost_amount is not None else "",
                cdr.cost_currency,
                cdr.state,
            ]


def iso(moment):
    return moment.isoformat() if moment else ""


class CDRDetailView(CDRScopeMixin, PartnerPortalMixin, DetailView):
    template_name = "portal/cdr_detail.html"
    context_object_name = "cdr"

    def get_queryset(self):
        return super().get_queryset().select_related("station", "connector", "cpo", "recipient")

    def get_context_data(self, **kwargs):
        cdr = self.object
        return super().get_context_data(
            customer_shown=reports.customer_identifier_for(cdr, self.partner),
            revisions=cdr.revisions.order_by("number"),
            deliveries=reports.cdr_deliveries(cdr),
            **kwargs,
        )
