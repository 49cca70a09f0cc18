"""Copy the reservations active now onto their connectors' new reservation state."""

from django.db import migrations
from django.utils import timezone


def fill(apps, schema_editor):
    Reservation = apps.get_model("sessions_app", "Reservation")
    Connector = apps.get_model("stations", "Connector")
    active = Reservation.objects.filter(state="active", end_at__gt=timezone.now())
    # The one ending last holds the connector, as the station reads showed it until now.
    for reservation in active.order_by("connector_id", "end_at"):
        Connector.objects.filter(pk=reservation.connector_id).update(
            reserved_until=reservation.end_at, reserved_by_id=reservation.requested_by_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0002_partners_app"),
        ("stations", "0005_connector_reservation"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
