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
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from cdrs.models import COST_DIGITS, COST_PLACES, ENERGY_DIGITS, ENERGY_PLACES
from cdrs.selectors import (
    Totals,
    cdr_daily_totals_for_partner,
    cdr_list_for_partner,
)
from oioi_portal.models import Delivery
from oioi_portal.portal.charts import Bucket

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
        label = day.isoformat() if daily else day.strftime("%Y-%m")
        series.append(Bucket(label=label, energy_kwh=energy, sessions=sessions))
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


@dataclass(frozen=True)
class MonthFigures:
    start: object
    totals: object


def cdr_dashboard(partner, today=None):
    """This month against last month, the top stations and the flagged CDRs of ``partner``."""
    today = today or timezone.localdate()
    visible = cdr_list_for_partner(partner)
    months = []
    for start, end in (
        period_bounds("this_month", today),
        period_bounds("last_month", today),
    ):
        last = end - timedelta(days=1)
        in_month = cdr_daily_totals_for_partner(partner).filter(day__range=(start, last))
        report = cdr_report(visible.none(), start, last, daily_totals=in_month)
        months.append(MonthFigures(start=start, totals=report.totals))
    this_start, _ = period_bounds("this_month", today)
    last_start, _ = period_bounds("last_month", today)
    top_stations = (
        visible.filter(station__isnull=False, session_start__gte=local_midnight(last_start))
        .order_by()
        .values("station_id", "station__name", "station__city")
        .annotate(
            sessions=Count("id"), energy=Coalesce(Sum("energy_kwh"), 0, output_field=ENERGY_SUM)
        )
        .order_by("-energy", "station_id")[:5]
    )
    flagged = (
        visible.filter(Q(unmatched_user=True) | Q(unmatched_connector=True))
        .select_related("station")
        .order_by("-session_start", "-id")[:10]
    )
    return {
        "this_month": months[0],
        "last_month": months[1],
        "top_stations": list(top_stations),
        "flagged_cdrs": list(flagged),
        "this_month_start": this_start,
    }


def cdr_deliveries(cdr):
    """How the CDR was forwarded to its recipient (``cdrs.services.cdr_forward``'s deliveries)."""
    return Delivery.objects.filter(dedupe_key=f"cdr:{cdr.pk}").select_related("partner")
