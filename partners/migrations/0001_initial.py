"""
The models that were ``oioi_portal``'s until the restructure, taken over with their tables
(``db_table``) and rows: on a database that has them, nothing is created.
"""

import core.identifiers
import django.db.models.deletion
import django.utils.timezone
import partners.models
from django.conf import settings
import functools

from django.db import migrations, models

from core.contenttypes import content_types_hand_over


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('oioi_portal', '0006_partner_protected'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay as they are: only Django's picture of which app owns what moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('call', models.CharField(max_length=100)),
                        ('payload', models.JSONField()),
                        ('subject', models.CharField(blank=True, help_text="What is delivered, e.g. 'CDR 123'.", max_length=200)),
                        ('dedupe_key', models.CharField(blank=True, max_length=200, null=True, unique=True)),
                        ('state', models.CharField(choices=[('pending', 'pending'), ('sending', 'sending'), ('delivered', 'delivered'), ('dead', 'dead letter')], default='pending', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('max_attempts', models.PositiveSmallIntegerField()),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('lease_expires_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=500)),
                        ('last_http_status', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('last_result_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'verbose_name_plural': 'deliveries',
                        'db_table': 'oioi_portal_delivery',
                        'ordering': ['-created_at', '-id'],
                        'permissions': [('retry_delivery', 'Can send a dead delivery again')],
                    },
                ),
                migrations.CreateModel(
                    name='DeliveryAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField()),
                        ('started_at', models.DateTimeField()),
                        ('duration_ms', models.PositiveIntegerField(verbose_name='duration (ms)')),
                        ('request_id', models.CharField(max_length=64)),
                        ('http_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='HTTP status')),
                        ('result_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('error', models.CharField(blank=True, max_length=500)),
                        ('outcome', models.CharField(choices=[('delivered', 'delivered'), ('retry', 'will retry'), ('dead', 'gave up')], max_length=10)),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='partners.delivery')),
                    ],
                    options={
                        'db_table': 'oioi_portal_deliveryattempt',
                        'ordering': ['delivery', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='Partner',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, unique=True)),
                        ('slug', models.SlugField(max_length=100, unique=True)),
                        ('is_cpo', models.BooleanField(default=False, verbose_name='CPO')),
                        ('is_emp', models.BooleanField(default=False, verbose_name='EMP')),
                        ('is_oem', models.BooleanField(default=False, verbose_name='OEM')),
                        ('is_fleet', models.BooleanField(default=False, verbose_name='fleet')),
                        ('is_active', models.BooleanField(default=True, help_text="Inactive partners' API keys are refused.", verbose_name='active')),
                        ('contact_name', models.CharField(blank=True, max_length=200)),
                        ('contact_email', models.EmailField(blank=True, max_length=254)),
                        ('contact_phone', models.CharField(blank=True, max_length=50)),
                        ('endpoint_url', models.URLField(blank=True, help_text="Where we send this partner's OIOI calls.", verbose_name='OIOI endpoint URL')),
                        ('endpoint_key', models.CharField(blank=True, max_length=500, verbose_name='OIOI endpoint key')),
                        ('offline_authorization', models.BooleanField(default=False, help_text='A CPO that authorizes offline: it receives the complete whitelist (rfid-post) after changes and daily.', verbose_name='offline authorization')),
                        ('rate_limit_per_minute', models.PositiveIntegerField(blank=True, help_text="Empty: the platform's default (API_RATE_LIMIT_PER_MINUTE); 0: no limit.", null=True, verbose_name='rate limit (requests per minute per key)')),
                        ('notes', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'oioi_portal_partner',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('is_cpo', True), ('is_emp', True), ('is_oem', True), ('is_fleet', True), _connector='OR'), name='partner_has_a_role', violation_error_message='A partner has at least one role.')],
                    },
                ),
                migrations.CreateModel(
                    name='OperatorId',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.CharField(help_text='As written by the operator, e.g. DE*8PS.', max_length=10, verbose_name='operator id')),
                        ('normalized', models.CharField(editable=False, max_length=5, unique=True)),
                        ('name', models.CharField(blank=True, help_text="The operator's trading name.", max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='operator_ids', to='partners.partner')),
                    ],
                    options={
                        'verbose_name': 'operator id',
                        'db_table': 'oioi_portal_operatorid',
                        'ordering': ['normalized'],
                    },
                ),
                migrations.AddField(
                    model_name='delivery',
                    name='partner',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='partners.partner'),
                ),
                migrations.CreateModel(
                    name='AuditLogEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='time')),
                        ('request_id', models.CharField(db_index=True, max_length=64)),
                        ('correlation_id', models.CharField(blank=True, db_index=True, max_length=128)),
                        ('direction', models.CharField(choices=[('in', 'inbound'), ('out', 'outbound')], default='in', max_length=3)),
                        ('interface', models.CharField(choices=[('oioi', 'OIOI'), ('rest', 'REST')], max_length=4)),
                        ('key_prefix', models.CharField(blank=True, max_length=12)),
                        ('call', models.CharField(blank=True, db_index=True, max_length=100)),
                        ('method', models.CharField(max_length=10)),
                        ('path', models.CharField(max_length=500)),
                        ('http_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='HTTP status')),
                        ('result_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('message', models.CharField(blank=True, max_length=500)),
                        ('duration_ms', models.PositiveIntegerField(default=0, verbose_name='duration (ms)')),
                        ('client_address', models.GenericIPAddressField(blank=True, null=True)),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_entries', to='partners.partner')),
                    ],
                    options={
                        'verbose_name': 'audit log entry',
                        'verbose_name_plural': 'audit log',
                        'db_table': 'oioi_portal_auditlogentry',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='PartnerIdentifier',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.CharField(max_length=128, unique=True, validators=[core.identifiers.normalize_partner_identifier])),
                        ('description', models.CharField(blank=True, max_length=200)),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='identifiers', to='partners.partner')),
                    ],
                    options={
                        'db_table': 'oioi_portal_partneridentifier',
                        'ordering': ['partner', 'value'],
                    },
                ),
                migrations.CreateModel(
                    name='ApiKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('prefix', models.CharField(editable=False, max_length=12, unique=True)),
                        ('secret_hash', models.CharField(editable=False, max_length=64)),
                        ('label', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('expires_at', models.DateTimeField(blank=True, help_text='Leave empty for a key that does not expire.', null=True, verbose_name='expires')),
                        ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='revoked')),
                        ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last used')),
                        ('allowed_networks', models.TextField(blank=True, help_text='Client networks (CIDR) the key may be used from, one per line or comma-separated; empty means any.', validators=[partners.models.validate_networks])),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('revoked_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='api_keys', to='partners.partner')),
                        ('partner_identifiers', models.ManyToManyField(blank=True, help_text="The partner identifiers this key may act for; none selected means all of its partner's.", related_name='api_keys', to='partners.partneridentifier')),
                    ],
                    options={
                        'verbose_name': 'API key',
                        'db_table': 'oioi_portal_apikey',
                        'ordering': ['partner', '-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PartnerMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('is_partner_admin', models.BooleanField(default=False, help_text='May invite and deactivate the portal users of its own partner.', verbose_name='partner admin')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('invited_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='partners.partner')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='partner_membership', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'portal user',
                        'db_table': 'oioi_portal_partnermembership',
                        'ordering': ['partner', 'user__username'],
                    },
                ),
                migrations.CreateModel(
                    name='RateLimitCounter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('minute', models.BigIntegerField(help_text='Minutes since the epoch.')),
                        ('hits', models.PositiveIntegerField(default=0)),
                        ('api_key', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.apikey')),
                    ],
                    options={
                        'db_table': 'oioi_portal_ratelimitcounter',
                    },
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['state', 'next_attempt_at'], name='oioi_portal_state_4655e3_idx'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['partner', '-created_at'], name='oioi_portal_partner_f7663a_idx'),
                ),
                migrations.AddIndex(
                    model_name='auditlogentry',
                    index=models.Index(fields=['partner', '-created_at'], name='oioi_portal_partner_733a3f_idx'),
                ),
                migrations.AddConstraint(
                    model_name='ratelimitcounter',
                    constraint=models.UniqueConstraint(fields=('api_key', 'minute'), name='ratelimit_key_minute'),
                ),
            ],
        ),
        migrations.RunPython(
            functools.partial(content_types_hand_over, old="oioi_portal", new="partners", models=['partner', 'partneridentifier', 'operatorid', 'apikey', 'partnermembership', 'ratelimitcounter', 'auditlogentry', 'delivery', 'deliveryattempt']),
            functools.partial(content_types_hand_over, old="partners", new="oioi_portal", models=['partner', 'partneridentifier', 'operatorid', 'apikey', 'partnermembership', 'ratelimitcounter', 'auditlogentry', 'delivery', 'deliveryattempt']),
        ),
    ]
