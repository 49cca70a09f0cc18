"""Company images and the vehicle catalogue, curated by staff through the real admin."""

from django.urls import reverse

from partners import groups
from stations.models import Company, Vehicle
from tests.helpers import staff_user

COMPANY_ADD = reverse("admin:stations_company_add")
VEHICLES_URL = reverse("admin:stations_vehicle_changelist")
VEHICLE_ADD = reverse("admin:stations_vehicle_add")


def company_form(*urls):
    form = {
        "name": "ACME Inc.",
        "type": "hotel",
        "images-TOTAL_FORMS": str(len(urls)),
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    for n, url in enumerate(urls):
        form |= {f"images-{n}-url": url, f"images-{n}-position": str(n)}
    return form


def test_staff_add_company_images_inline(client, db):
    client.force_login(staff_user("manager", groups.PARTNER_MANAGEMENT))
    urls = ["https://img.example/acme/logo.png", "https://img.example/acme/site.jpg"]

    response = client.post(COMPANY_ADD, company_form(*urls))

    assert response.status_code == 302, response.context and response.context["errors"]
    company = Company.objects.get(name="ACME Inc.")
    assert [image.url for image in company.images.all()] == urls
    page = client.get(reverse("admin:stations_company_change", args=[company.pk]))
    assert urls[0] in page.content.decode()


def test_an_image_url_that_is_not_absolute_https_is_refused(superuser_client):
    response = superuser_client.post(COMPANY_ADD, company_form("http://img.example/logo.png"))

    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not Company.objects.exists()


def vehicle_form(**fields):
    return {
        "brand": "BMW",
        "model": "i3",
        "max_speed": "50",
        "connector_types": ["Type2", "Combo"],
        **fields,
    }


def test_staff_curate_the_vehicle_catalogue(client, db):
    client.force_login(staff_user("manager", groups.PARTNER_MANAGEMENT))

    assert client.post(VEHICLE_ADD, vehicle_form()).status_code == 302

    vehicle = Vehicle.objects.get()
    assert (vehicle.brand, vehicle.max_speed, vehicle.connector_types) == (
        "BMW",
        50,
        ["Type2", "Combo"],
    )
    listing = client.get(VEHICLES_URL).content.decode()
    assert "Type2, Combo" in listing
    # A second BMW i3, an unknown plug, a negative speed: each refused.
    for fields in ({}, {"model": "i4", "connector_types": ["Plug"]}, {"max_speed": "-1"}):
        response = client.post(VEHICLE_ADD, vehicle_form(**fields))
        assert response.status_code == 200, fields
    assert Vehicle.objects.count() == 1
    delete = reverse("admin:stations_vehicle_delete", args=[vehicle.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Vehicle.objects.exists()


def test_support_staff_only_read_the_catalogue(client, db):
    Vehicle.objects.create(brand="BMW", model="i3", max_speed=50, connector_types=["Type2"])
    client.force_login(staff_user("support", groups.SUPPORT))

    assert client.get(VEHICLES_URL).status_code == 200
    assert client.get(VEHICLE_ADD).status_code == 403
    assert client.post(VEHICLE_ADD, vehicle_form(model="i4")).status_code == 403
