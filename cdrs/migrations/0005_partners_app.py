"""Partners moved to the ``partners`` app; the foreign keys point at the same tables."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cdrs', '0004_cdr_billed_identifiers'),
        ('partners', '0001_initial'),
    ]

    operations = [
        # The tables stay as they are: only Django's picture of which app owns what moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='cdr',
                    name='cpo',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='posted_cdrs', to='partners.partner', verbose_name='CPO'),
                ),
                migrations.AlterField(
                    model_name='cdr',
                    name='partner_identifier',
                    field=models.ForeignKey(help_text='The partner identifier of the last accepted post.', on_delete=django.db.models.deletion.PROTECT, related_name='cdrs', to='partners.partneridentifier'),
                ),
                migrations.AlterField(
                    model_name='cdr',
                    name='recipient',
                    field=models.ForeignKey(blank=True, help_text='The EMP, OEM or fleet partner this CDR is forwarded to once final.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='received_cdrs', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='cdrdailytotal',
                    name='cpo',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner'),
                ),
                migrations.AlterField(
                    model_name='cdrdailytotal',
                    name='recipient',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner'),
                ),
            ],
        ),
    ]
