"""
The partner portal's reads on CDRs: the report's per-day or per-month series and average
duration and the dashboard's month comparison.
Totals and the partner scope are ``cdrs.selectors``'; this module adds what only the portal needs.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    DurationField,
    F,
    Min,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cdrs.models import CDR, COST_DIGITS, COST_PLACES, ENERGY_DIGITS, ENERGY_PLACES
from cdrs.selectors import (
    Totals,
    cdr_daily_totals_for_partner,
    cdr_forward_dedupe_key,
    cdr_list_for_partner,
)
from core.charts import Bucket, energy_sessions_chart
from partners.models import Delivery

# Periods up to this many days are charted per day, longer ones per month.
DAILY_CHART_MAX_DAYS = 62

ENERGY_SUM = DecimalField(max_digits=ENERGY_DIGITS + 6, decimal_places=ENERGY_PLACES)
COST_SUM = DecimalField(max_digits=COST_DIGITS + 6, decimal_places=COST_PLACES)


def month_start(day):
    return day.replace(day=1)


def previous_month_start(day):
    return month_start(month_start(day) - timedelta(days=1))


def local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def period_bounds(choice, today=None):
    """The quick choices of the report's period, as [start, end) dates."""
    today = today or timezone.localdate()
    if choice == "this_month":
        return month_start(today), today + timedelta(days=1)
    if choice == "last_month":
        return previous_month_start(today), month_start(today)
    if choice == "last_30_days":
        return today - timedelta(days=29), today + timedelta(days=1)
    raise ValueError(choice)


@dataclass(frozen=True)
class Report:
    totals: Totals
    average_duration: timedelta | None
    series: list


def cdr_report(queryset, first_day, last_day, daily_totals=None):
    """
    The report's figures for ``queryset`` between two dates (inclusive): totals as
    ``cdr_totals`` gives them, the average duration of the finished sessions, and energy and
    sessions per day (per month for long periods), every day or month present even when empty.

    One grouped query, by day or month and currency, from which everything is summed up: over a
    million rows every further scan costs a quarter of a second on PostgreSQL. ``daily_totals``,
    when given, are the same CDRs' ``CDRDailyTotal`` rows, which answer it from a few rows a day.
    """
    daily = (last_day - first_day).days < DAILY_CHART_MAX_DAYS
    if daily_totals is None:
        rows = _report_rows(queryset, daily)
    else:
        rows = _report_rows_of_daily_totals(daily_totals, daily)
    per_bucket = defaultdict(lambda: [0, Decimal(0)])
    cost_by_currency = defaultdict(Decimal)
    stopped, duration = 0, timedelta(0)
    # Named unlike either model's fields, which an annotation may not shadow.
    for row in rows:
        per_bucket[row["bucket"]][0] += row["n_sessions"]
        per_bucket[row["bucket"]][1] += row["energy"]
        if row["cost"] is not None:
            cost_by_currency[row["cost_currency"]] += row["cost"]
        if row["n_stopped"]:
            stopped += row["n_stopped"]
            duration += row["total_duration"]
    series = []
    day = first_day if daily else month_start(first_day)
    while day <= last_day:
        sessions, energy = per_bucket.get(day, (0, Decimal(0)))
        series.append(Bucket(start=day, energy_kwh=energy, sessions=sessions, monthly=not daily))
        day = day + timedelta(days=1) if daily else (day + timedelta(days=32)).replace(day=1)
    totals = Totals(
        count=sum(b.sessions for b in series),
        energy_kwh=sum((b.energy_kwh for b in series), Decimal(0)),
        cost_by_currency=dict(sorted(cost_by_currency.items())),
    )
    return Report(totals, duration / stopped if stopped else None, series)


def _report_rows(queryset, daily):
    """The CDRs of ``queryset`` summed per day or month and currency."""
    bucket = (
        TruncDate("session_start")
        if daily
        else TruncMonth("session_start", output_field=DateField())
    )
    return (
        queryset.order_by()
        .annotate(bucket=bucket)
        .values("bucket", "cost_currency")
        .annotate(
            n_sessions=Count("id"),
            energy=Coalesce(Sum("energy_kwh"), 0, output_field=ENERGY_SUM),
            cost=Sum("cost_amount", output_field=COST_SUM),
            n_stopped=Count("session_stop"),
            total_duration=Sum(
                F("session_stop") - F("session_start"), output_field=DurationField()
            ),
        )
    )


def _report_rows_of_daily_totals(daily_totals, daily):
    """``_report_rows`` from daily totals: their figures summed per day or month and currency."""
    return (
        daily_totals.order_by()
        .annotate(bucket=F("day") if daily else TruncMonth("day"))
        .values("bucket", "cost_currency")
        .annotate(
            n_sessions=Sum("sessions"),
            energy=Coalesce(Sum("energy_kwh"), 0, output_field=ENERGY_SUM),
            cost=Sum("cost_amount", filter=Q(costed__gt=0)),
            n_stopped=Sum("stopped"),
            total_duration=Sum("duration"),
        )
    )


# The overview's trend: this many months, the current one included.
TREND_MONTHS = 12


@dataclass(frozen=True)
class Comparison:
    """One figure of the overview: this period's, the one compared with, and the change in %."""

    label: str
    current: Decimal
    previous: Decimal
    unit: str = ""

    @property
    def change_percent(self):
        """The change in percent, None when there is nothing to compare with."""
        if not self.previous:
            return None
        return (Decimal(self.current) - Decimal(self.previous)) * 100 / Decimal(self.previous)


def cdrs_to_look_at(partner, queryset=None):
    """
    The CDRs ``partner`` can act on: those it posted whose customer or EVSE we could not match
    (only the CPO can correct the identifiers it sends; a recipient's CDRs always matched one of
    its customers, and the EVSE is the CPO's to fix).
    """
    queryset = CDR.objects.all() if queryset is None else queryset
    return queryset.filter(Q(unmatched_user=True) | Q(unmatched_connector=True), cpo=partner)


def cdr_dashboard(partner, today=None):
    """
    The overview of ``partner``: the month so far against the same days of last month, a
    trend of the last ``TREND_MONTHS`` months, the top stations and the CDRs to look at.
    """
    today = today or timezone.localdate()
    this_start = month_start(today)
    last_start = previous_month_start(today)
    # The same days of last month, cut at its end (the 31st compares with the 30th of April).
    last_end = min(last_start + (today - this_start), this_start - timedelta(days=1))

    def report(first, last):
        in_period = cdr_daily_totals_for_partner(partner).filter(day__range=(first, last))
        return cdr_report(CDR.objects.none(), first, last, daily_totals=in_period)

    current, previous = report(this_start, today).totals, report(last_start, last_end).totals
    comparisons = [
        Comparison(_("Sessions"), current.count, previous.count),
        Comparison(_("Energy (kWh)"), current.energy_kwh, previous.energy_kwh),
    ] + [
        Comparison(
            _("Cost (%(currency)s)") % {"currency": currency},
            current.cost_by_currency.get(currency, Decimal(0)),
            previous.cost_by_currency.get(currency, Decimal(0)),
        )
        for currency in sorted(current.cost_by_currency.keys() | previous.cost_by_currency.keys())
    ]
    trend_start = this_start
    for _month in range(TREND_MONTHS - 1):
        trend_start = previous_month_start(trend_start)
    trend = report(trend_start, today)
    visible = cdr_list_for_partner(partner)
    top_stations = (
        visible.filter(station__isnull=False, session_start__gte=local_midnight(last_start))
        .order_by()
        .values("station_id", "station__name", "station__city")
        .annotate(
            sessions=Count("id"), energy=Coalesce(Sum("energy_kwh"), 0, output_field=ENERGY_SUM)
        )
        .order_by("-energy", "station_id")[:5]
    )
    to_look_at = cdrs_to_look_at(partner)
    to_look_at_all = to_look_at.order_by().aggregate(count=Count("id"), first=Min("session_start"))
    return {
        "period": {"first": this_start, "last": today},
        "compared_period": {"first": last_start, "last": last_end},
        "comparisons": comparisons,
        "trend_chart": energy_sessions_chart(trend.series),
        "trend_first": trend_start,
        "top_stations": list(top_stations),
        "flagged_cdrs": list(
            to_look_at.select_related("station").order_by("-session_start", "-id")[:10]
        ),
        "flagged_count": to_look_at_all["count"],
        "flagged_since": (
            timezone.localdate(to_look_at_all["first"]) if to_look_at_all["first"] else None
        ),
        "this_month_start": this_start,
    }


def cdr_deliveries(cdr):
    """How the CDR was forwarded to its recipient once final (``cdrs.signals.cdr_final``)."""
    return Delivery.objects.filter(dedupe_key=cdr_forward_dedupe_key(cdr)).select_related("partner")
