"""Partners moved to the ``partners`` app; the foreign keys point at the same tables."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0001_initial'),
        ('sessions_app', '0001_initial'),
    ]

    operations = [
        # The tables stay as they are: only Django's picture of which app owns what moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='chargingsession',
                    name='cpo',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='run_sessions', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='chargingsession',
                    name='requested_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requested_sessions', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='reservation',
                    name='cpo',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='run_reservations', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='reservation',
                    name='requested_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requested_reservations', to='partners.partner'),
                ),
            ],
        ),
    ]
