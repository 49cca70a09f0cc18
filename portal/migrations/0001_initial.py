"""
The models that were ``oioi_portal``'s until the restructure, taken over with their tables
(``db_table``) and rows: on a database that has them, nothing is created.
"""

import django.utils.timezone
import functools

from django.db import migrations, models

from core.contenttypes import content_types_hand_over


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('oioi_portal', '0006_partner_protected'),
    ]

    operations = [
        # The tables stay as they are: only Django's picture of which app owns what moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SignInThrottle',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('username', models.CharField(max_length=150)),
                        ('address', models.CharField(blank=True, max_length=45)),
                        ('failures', models.PositiveIntegerField(default=0)),
                        ('window_started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('locked_until', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'oioi_portal_signinthrottle',
                        'constraints': [models.UniqueConstraint(fields=('username', 'address'), name='sign_in_throttle_key')],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            functools.partial(content_types_hand_over, old="oioi_portal", new="portal", models=['signinthrottle']),
            functools.partial(content_types_hand_over, old="portal", new="oioi_portal", models=['signinthrottle']),
        ),
    ]
