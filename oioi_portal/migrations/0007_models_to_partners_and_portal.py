"""The models move to ``partners`` and ``portal``, which keep their tables: nothing is dropped."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
        ('cdrs', '0005_partners_app'),
        ('clients', '0005_partners_app'),
        ('oioi_portal', '0006_partner_protected'),
        ('sessions_app', '0002_partners_app'),
        ('stations', '0003_partners_app'),
    ]

    operations = [
        # The tables stay as they are: only Django's picture of which app owns what moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='apikey',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='apikey',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='apikey',
                    name='partner_identifiers',
                ),
                migrations.RemoveField(
                    model_name='apikey',
                    name='revoked_by',
                ),
                migrations.RemoveField(
                    model_name='ratelimitcounter',
                    name='api_key',
                ),
                migrations.RemoveField(
                    model_name='auditlogentry',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='deliveryattempt',
                    name='delivery',
                ),
                migrations.RemoveField(
                    model_name='operatorid',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='partnermembership',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='partneridentifier',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='partnermembership',
                    name='invited_by',
                ),
                migrations.RemoveField(
                    model_name='partnermembership',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='SignInThrottle',
                ),
                migrations.DeleteModel(
                    name='ApiKey',
                ),
                migrations.DeleteModel(
                    name='RateLimitCounter',
                ),
                migrations.DeleteModel(
                    name='AuditLogEntry',
                ),
                migrations.DeleteModel(
                    name='Delivery',
                ),
                migrations.DeleteModel(
                    name='DeliveryAttempt',
                ),
                migrations.DeleteModel(
                    name='OperatorId',
                ),
                migrations.DeleteModel(
                    name='Partner',
                ),
                migrations.DeleteModel(
                    name='PartnerIdentifier',
                ),
                migrations.DeleteModel(
                    name='PartnerMembership',
                ),
            ],
        ),
    ]
