"""Partners moved to the ``partners`` app; the foreign keys point at the same tables."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0004_offline_whitelist_push'),
        ('partners', '0001_initial'),
    ]

    operations = [
        # The tables stay as they are: only Django's picture of which app owns what moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='authorization',
                    name='partner',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='authorizations', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='contract',
                    name='provider',
                    field=models.ForeignKey(blank=True, help_text="The EMP or OEM partner whose customer this is; empty for the platform's own.", limit_choices_to=models.Q(('is_emp', True), ('is_oem', True), _connector='OR'), null=True, on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='fleet',
                    field=models.ForeignKey(blank=True, help_text="The fleet partner that receives this customer's CDRs; empty for none.", limit_choices_to={'is_fleet': True}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='fleet_customers', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='offlinewhitelistpush',
                    name='partner',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='offline_whitelist_push', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='whitelist',
                    name='partner_identifier',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='whitelist', to='partners.partneridentifier'),
                ),
            ],
        ),
    ]
