"""
The CDR report's daily totals (CDRDailyTotal): session-post keeps them equal to what the CDRs
give, whatever the posts do to a CDR, and the report read from them equals the report read
from the CDRs; the operators' command checks and rebuilds them.
"""

import random
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from cdrs import reports
from cdrs.models import CDR, CDRDailyTotal
from cdrs.selectors import cdr_daily_totals_drift
from cdrs.services import cdr_daily_totals_rebuild
from tests.cdrs.helpers import START, cdr_payload, iso
from tests.factories import ConnectorFactory, PartnerFactory, build_cdrs, make_key

UIDS = ["04A1B2C3", "0A0B0C0D", "DEADBEEF"]


def random_post(rng, caller):
    """A session-post of one of a few sessions, with any of the data a CDR's day total uses."""
    start = START + timedelta(days=rng.randrange(3), hours=rng.choice([0, 15, 23]))
    stop = start + timedelta(minutes=rng.choice([20, 61, 90]))
    payload = cdr_payload(
        caller,
        f"S-{rng.randrange(12)}",
        user={"identifier-type": "rfid", "identifier": rng.choice(UIDS)},
        **{"session-interval": {"start": iso(start)}, "charging-interval": {"start": iso(start)}},
    )
    if rng.random() < 0.15:
        payload["session-interval"]["stop"] = payload["charging-interval"]["stop"] = iso(stop)
    if rng.random() < 0.3:
        payload.pop("calculated-cost")
    else:
        payload["calculated-cost"] = {
            "amount": f"{rng.randrange(1, 2000) / 100:.2f}",
            "currency": rng.choice(["EUR", "CHF"]),
        }
    if rng.random() < 0.2:
        payload.pop("energy-consumed")
    else:
        payload["energy-consumed"] = rng.randrange(1, 100_000) / 1000
    return payload


def test_posts_keep_the_daily_totals_equal_to_the_cdrs(client, cpo):
    """
    Posts open and final, moved to other days, with and without cost or energy, refused ones,
    and a customer becoming known midway (the CDR then moves to the provider as recipient).
    """
    rng = random.Random(7)  # noqa: S311 (a repeatable test sequence)
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    make_key(uid=UIDS[0], provider=PartnerFactory(name="EMP A", is_cpo=False, is_emp=True))
    accepted = refused = 0
    for n in range(80):
        if n == 40:
            make_key(uid=UIDS[1], evco_id="DE*8PS*654321*0", provider=PartnerFactory(is_emp=True))
        response = cpo.post(client, "session-post", random_post(rng, cpo))
        if response.json()["result"]["code"] == 0:
            accepted += 1
        else:
            assert "is final" in response.json()["result"]["message"]
            refused += 1
        assert cdr_daily_totals_drift() == [], f"after post {n}"
    assert accepted > 40 and refused > 5
    assert CDR.objects.filter(state=CDR.State.FINAL).exists()
    assert CDR.objects.filter(recipient__isnull=False).exists()
    assert CDRDailyTotal.objects.filter(sessions__lt=0).count() == 0


def test_the_first_post_of_a_day_makes_its_row_and_the_next_add_to_it(client, cpo):
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    for n in range(3):
        cpo.post(client, "session-post", cdr_payload(cpo, f"S-{n}"))
    (total,) = CDRDailyTotal.objects.all()
    assert (total.day, total.state, total.cost_currency) == (START.date(), "final", "EUR")
    assert (total.sessions, total.costed, total.stopped) == (3, 3, 3)
    assert str(total.energy_kwh.normalize()) == "37.0368"
    assert str(total.cost_amount.normalize()) == "22.2"
    assert total.duration == timedelta(hours=3)


def later(cdrs, by):
    return cdrs.update(session_start=F("session_start") + by, session_stop=F("session_stop") + by)


def make_report_data(cpo, emp):
    """Final and open CDRs of ``cpo`` over two months, some forwarded to ``emp``, mixed money."""
    build_cdrs(cpo, 30, prefix="A")
    build_cdrs(cpo, 20, prefix="B", recipient=emp.partner)
    build_cdrs(cpo, 5, prefix="C", recipient=emp.partner)
    CDR.objects.filter(session_id__startswith="B-").update(cost_currency="CHF")
    CDR.objects.filter(session_id__startswith="C-").update(
        cost_amount=None, cost_currency="", energy_kwh=None
    )
    CDR.objects.filter(session_id__in=["A-3", "B-4"]).update(
        state=CDR.State.OPEN, session_stop=None
    )
    later(CDR.objects.filter(session_id__startswith="A-1"), timedelta(days=40))
    cdr_daily_totals_rebuild()


@pytest.mark.parametrize("viewer", ["cpo", "emp"])
@pytest.mark.parametrize(
    "filters", [{}, {"state": "final"}, {"state": "open"}, {"cost_currency__iexact": "chf"}]
)
@pytest.mark.parametrize("days", [10, 90])
def test_the_report_from_daily_totals_is_the_report_from_the_cdrs(cpo, emp, viewer, filters, days):
    make_report_data(cpo, emp)
    partner = {"cpo": cpo, "emp": emp}[viewer].partner
    first = START.date() - timedelta(days=2)
    last = first + timedelta(days=days)
    cdrs = CDR.objects.for_partner(partner).filter(
        session_start__date__range=(first, last), **filters
    )
    totals = CDRDailyTotal.objects.for_partner(partner).filter(day__range=(first, last), **filters)

    from_cdrs = reports.cdr_report(cdrs, first, last)
    from_totals = reports.cdr_report(cdrs.none(), first, last, daily_totals=totals)

    assert from_totals == from_cdrs
    assert from_cdrs.totals.count == cdrs.count()
    # Every case has CDRs to sum, but the recipient's open ones: it sees none.
    assert cdrs.exists() != (viewer == "emp" and filters == {"state": "open"})


def test_a_recipient_sees_no_totals_of_open_cdrs(cpo, emp):
    make_report_data(cpo, emp)
    totals = CDRDailyTotal.objects.for_partner(emp.partner)
    assert not totals.filter(state=CDR.State.OPEN).exists()
    assert not CDRDailyTotal.objects.for_partner(PartnerFactory(is_emp=True)).exists()


def test_command_checks_and_rebuilds(cpo, capsys):
    build_cdrs(cpo, 4)
    call_command("cdr_daily_totals", "check")
    assert "agree" in capsys.readouterr().out

    # A repair in SQL, around session-post: the check names the day, the rebuild mends it.
    later(CDR.objects.filter(session_id="B-0"), timedelta(days=1))
    with pytest.raises(CommandError, match="2 daily total"):
        call_command("cdr_daily_totals", "check")
    assert f"{START.date() + timedelta(days=1)}, final, EUR" in capsys.readouterr().err

    call_command("cdr_daily_totals", "rebuild")
    assert cdr_daily_totals_drift() == []
    assert sorted(CDRDailyTotal.objects.values_list("day", "sessions")) == [
        (START.date(), 3),
        (START.date() + timedelta(days=1), 1),
    ]


def test_days_are_cut_at_midnight_in_the_time_zone(client, cpo):
    ConnectorFactory(station__owner=cpo.partner, evse_id="DE*8PS*E1001")
    late = START.replace(hour=23, minute=30)
    payload = cdr_payload(cpo, **{"session-interval": {"start": iso(late)}})
    payload["session-interval"]["stop"] = iso(late + timedelta(hours=1))
    cpo.post(client, "session-post", payload)
    # The session started before midnight: its day is the start's, not the stop's.
    assert list(CDRDailyTotal.objects.values_list("day", flat=True)) == [date(2026, 3, 2)]
