"""
Demo data of the reads for apps, for ``seed_demo``: images of the demo companies
(company-get-images) and a vehicle catalogue (vehicle-get-all), as staff would add them in the
admin. Runs after ``demo.stations``, whose companies it illustrates. Idempotent.
"""

from django.utils.text import slugify

from demo.stations import HOTEL, OPERATORS
from stations.models import Company, CompanyImage, Vehicle

# Reserved for examples (RFC 2606): an app shows these as broken images, never someone's.
IMAGE_HOST = "https://images.demo.example"

# (brand, model, maximum charging speed in kW, connector types)
VEHICLES = (
    ("BMW", "i3", 50, ["Type2", "Combo"]),
    ("Hyundai", "Kona Electric", 77, ["Type2", "Combo"]),
    ("Nissan", "Leaf", 50, ["Type2", "Chademo"]),
    ("Renault", "Twizy", 3.7, ["Schuko"]),
    ("Renault", "Zoe", 22, ["Type2"]),
    ("Tesla", "Model 3", 250, ["Type2", "Combo"]),
    ("Volkswagen", "ID.3", 120, ["Type2", "Combo"]),
)


def seed(site):
    return [*_seed_images(), *_seed_vehicles()]


def _seed_images():
    if CompanyImage.objects.exists():
        return []
    names = [name for _, name in OPERATORS.values()] + [HOTEL]
    images = []
    for company in Company.objects.filter(name__in=names):
        slug = slugify(company.name)
        for position, view in enumerate(("logo.png", "site.jpg"), start=1):
            image = CompanyImage(
                company=company, url=f"{IMAGE_HOST}/{slug}/{view}", position=position
            )
            image.full_clean()
            images.append(image)
    CompanyImage.objects.bulk_create(images)
    return [f"Added {len(images)} demo company images (company-get-images)."]


def _seed_vehicles():
    if Vehicle.objects.exists():
        return []
    vehicles = []
    for brand, model, max_speed, connector_types in VEHICLES:
        vehicle = Vehicle(
            brand=brand, model=model, max_speed=max_speed, connector_types=connector_types
        )
        vehicle.full_clean()
        vehicles.append(vehicle)
    Vehicle.objects.bulk_create(vehicles)
    return [f"Added {len(vehicles)} vehicles to the catalogue (vehicle-get-all)."]
