# The audit history hash-chained per record (issue 14: data at rest;
# portal.hash_chains, policies.audit_chain).

from django.conf import settings
from django.db import migrations, models

import policies.audit_chain
import portal.hash_chains


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0006_audit_everywhere'),
        ('portal', '0005_merge_wave3'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='chain_seq',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='entry_hash',
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.BinaryField(null=True),
        ),
        # PostgreSQL: the rows present are chained (id order per chain), then the
        # trigger chains every new one; the unique index comes after the back-fill.
        portal.hash_chains.chain_existing_and_install(policies.audit_chain.AUDIT_CHAIN),
        migrations.AddConstraint(
            model_name='auditentry',
            constraint=models.UniqueConstraint(fields=('object_type', 'object_id', 'chain_seq'), name='policies_audit_chain_uniq'),
        ),
    ]
