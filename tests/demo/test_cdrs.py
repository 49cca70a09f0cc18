"""seed_demo's CDRs: a few thousand over the last months, of every kind of customer, once."""

from cdrs.models import CDR, CDRRevision
from partners.models import Delivery, Partner
from tests.demo.test_stations import seed_demo


def test_seed_demo_creates_cdrs_once(db, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    output = seed_demo()

    assert "Created 3000 demo CDRs" in output
    cdrs = CDR.objects.all()
    assert cdrs.count() == CDRRevision.objects.count() == 3000
    assert cdrs.values("cpo").distinct().count() == 4
    recipients = set(cdrs.exclude(recipient=None).values_list("recipient__name", flat=True))
    assert recipients == {"Demo EMP", "Demo OEM", "Demo Fleet"}
    assert cdrs.filter(recipient=None, unmatched_user=False).exists()  # platform customers
    assert cdrs.filter(state=CDR.State.OPEN, session_stop=None).count() == 10
    assert cdrs.filter(unmatched_user=True, needs_review=True).exists()
    assert cdrs.filter(unmatched_connector=True, needs_review=True).exists()
    assert cdrs.filter(connector__isnull=False).count() > 2500
    assert set(cdrs.values_list("cost_currency", flat=True)) == {"EUR", "CHF"}
    assert not Delivery.objects.filter(call="session-post").exists()
    assert Partner.objects.get(name="Demo CPO").posted_cdrs.exists()

    second = seed_demo()

    assert "Demo CDRs already present; nothing created." in second
    assert CDR.objects.count() == 3000
