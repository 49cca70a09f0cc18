"""seed_demo's stations: realistic, every status, and created once."""

import io

from django.core.management import call_command

from partners.models import Partner
from stations.models import Company, Connector, ConnectorStatus, Station


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_demo_creates_stations_once(db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    output = seed_demo()

    assert "demo stations in Berlin, Hamburg, München, Köln, Frankfurt am Main" in output
    stations = Station.objects.all()
    assert stations.count() >= 15
    assert set(stations.values_list("city", flat=True)) == {
        "Berlin",
        "Hamburg",
        "München",
        "Köln",
        "Frankfurt am Main",
    }
    assert stations.values("operator").distinct().count() == 4
    assert stations.values("owner").distinct().count() == 4
    assert Partner.objects.get(name="Demo CPO").stations.exists()
    live = Connector.objects.filter(station__is_deleted=False)
    assert set(live.values_list("status", flat=True)) == set(ConnectorStatus.values)
    assert [
        stations.filter(**{flag: True}).count()
        for flag in ("is_deleted", "is_private", "is_hidden")
    ] == [1, 1, 1]
    assert Company.objects.filter(type="hotel", owned_stations__isnull=False).exists()
    counts = (Station.objects.count(), Connector.objects.count(), Company.objects.count())

    second = seed_demo()

    assert "Demo stations already present; nothing created." in second
    assert (Station.objects.count(), Connector.objects.count(), Company.objects.count()) == counts
