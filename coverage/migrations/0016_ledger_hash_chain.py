# Hash chains over the premium ledger, and their checkpoints (issue 14: data at rest;
# portal.hash_chains, coverage.ledger_chain).

import django.db.models.deletion
from django.db import migrations, models

import coverage.ledger_chain
import portal.hash_chains


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0015_merge_wave3'),
        ('portal', '0005_merge_wave3'),
    ]

    operations = [
        migrations.CreateModel(
            name='ChainCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('ledger_entries', models.BigIntegerField()),
                ('ledger_chains', models.BigIntegerField()),
                ('audit_entries', models.BigIntegerField()),
                ('audit_chains', models.BigIntegerField()),
                ('heads_recorded', models.BigIntegerField()),
                ('digest', models.CharField(max_length=64)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('family', models.CharField(max_length=10)),
                ('chain', models.CharField(max_length=120)),
                ('entry_id', models.BigIntegerField()),
                ('seq', models.BigIntegerField()),
                ('entry_hash', models.BinaryField()),
            ],
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='chain_seq',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='entry_hash',
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='prev_hash',
            field=models.BinaryField(null=True),
        ),
        # PostgreSQL: the rows present are chained (id order per chain), then the
        # trigger chains every new one; the unique index comes after the back-fill.
        portal.hash_chains.chain_existing_and_install(coverage.ledger_chain.LEDGER_CHAIN),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(fields=('assignment', 'chain_seq'), name='coverage_ledger_chain_uniq'),
        ),
        migrations.AddField(
            model_name='chainhead',
            name='checkpoint',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='heads', to='coverage.chaincheckpoint'),
        ),
        migrations.AddIndex(
            model_name='chainhead',
            index=models.Index(fields=['family', 'chain', '-checkpoint'], name='coverage_chainhead_latest_idx'),
        ),
    ]
