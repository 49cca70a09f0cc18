"""Partners moved to the ``partners`` app; the foreign keys point at the same tables."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0001_initial'),
        ('stations', '0002_partner_deletion'),
    ]

    operations = [
        # The tables stay as they are: only Django's picture of which app owns what moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='company',
                    name='operator',
                    field=models.OneToOneField(blank=True, help_text='The operator id whose stations this company operates.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='company', to='partners.operatorid'),
                ),
                migrations.AlterField(
                    model_name='company',
                    name='partner',
                    field=models.ForeignKey(blank=True, help_text='The partner this company is, if it is one.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='companies', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='station',
                    name='operator',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.RESTRICT, related_name='stations', to='partners.operatorid'),
                ),
                migrations.AlterField(
                    model_name='station',
                    name='owner',
                    field=models.ForeignKey(help_text='The partner that pushed the station.', on_delete=django.db.models.deletion.CASCADE, related_name='stations', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='station',
                    name='partner_identifier',
                    field=models.ForeignKey(blank=True, help_text='The partner identifier of the last post.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='stations', to='partners.partneridentifier'),
                ),
            ],
        ),
    ]
