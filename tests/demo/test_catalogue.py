"""seed_demo's company images and vehicle catalogue, read back through the OIOI endpoint."""

import io

from django.core.management import call_command

from partners import services
from partners.models import Partner
from stations.models import Company, CompanyImage, Vehicle
from tests.helpers import oioi_post


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_demo_adds_images_and_vehicles_once(db, client, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    output = seed_demo()

    assert "demo company images (company-get-images)" in output
    assert "vehicles to the catalogue (vehicle-get-all)" in output
    hotel = Company.objects.get(name="Hotel Adlon Demo")
    assert hotel.images.count() == 2
    assert CompanyImage.objects.values("company").distinct().count() == 5
    counts = (CompanyImage.objects.count(), Vehicle.objects.count())
    assert counts[1] >= 5

    second = seed_demo()

    assert "company images" not in second and "vehicles" not in second
    assert (CompanyImage.objects.count(), Vehicle.objects.count()) == counts

    key = services.api_key_issue(Partner.objects.get(name="Demo EMP")).plaintext
    images = oioi_post(client, key, "company-get-images", {"company-id": hotel.pk}).json()
    assert images["company"] == "Hotel Adlon Demo"
    assert all(url.startswith("https://") for url in images["urls"]) and len(images["urls"]) == 2
    vehicles = oioi_post(client, key, "vehicle-get-all", {}).json()["vehicle-get-all"]["vehicles"]
    assert len(vehicles) == counts[1]
