# Indexes the big tables kept for nothing (issue 15, measured at 10 M dispatches):
# - each foreign key's single-column index where an index of the model's Meta leads
#   with the same column (it serves every lookup and every foreign-key check the
#   single one served);
# - PostgreSQL's varchar_pattern_ops copies of the public id's and the certificate
#   number's unique indexes (Django adds one for LIKE 'prefix%'; nothing filters
#   those by prefix, and the admin's icontains search cannot use it).
# 12 indexes, 3.5 GB at 10 M dispatches, each a random leaf page per INSERT.

import django.db.models.deletion
from django.db import migrations, models

# (table, column, opclass) of each index that goes, named as Django's schema editor
# names it: a foreign key's own index, or (with an opclass) its "_like" pattern copy.
DROPPED = [
    ("coverage_assignment", "contractor_id", ""),
    ("coverage_assignment", "job_id", ""),
    ("coverage_assignment", "platform_id", ""),
    ("coverage_assignment", "policy_id", ""),
    ("coverage_certificate", "platform_id", ""),
    ("coverage_certificate", "policy_id", ""),
    ("coverage_ledgerentry", "assignment_id", ""),
    ("coverage_ledgerentry", "contractor_id", ""),
    ("coverage_ledgerentry", "entity_id", ""),
    ("coverage_ledgerentry", "platform_id", ""),
    ("coverage_assignment", "public_id", "varchar_pattern_ops"),
    ("coverage_certificate", "number", "varchar_pattern_ops"),
]


def _named(schema_editor):
    for table, column, opclass in DROPPED:
        suffix = "_like" if opclass else ""
        yield (
            schema_editor._create_index_name(table, [column], suffix),
            table,
            column,
            opclass,
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_ in _named(schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column, opclass in _named(schema_editor):
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" {opclass})'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0017_one_dispatch_per_window_once_resolved"),
        ("policies", "0007_audit_hash_chain"),
        ("portal", "0005_merge_wave3"),
    ]

    operations = [
        # The state everywhere; the database only on PostgreSQL: SQLite (make run)
        # would rebuild each table for AlterField, and the assignments' rebuilt table
        # would carry the state's exclusion constraint, which SQLite cannot create.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="contractor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="coverage.contractor",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="job",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="coverage.workjob",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="platform",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="portal.platform",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="policy",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="policies.policy",
                    ),
                ),
                migrations.AlterField(
                    model_name="certificate",
                    name="platform",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="certificates",
                        to="portal.platform",
                    ),
                ),
                migrations.AlterField(
                    model_name="certificate",
                    name="policy",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="certificates",
                        to="policies.policy",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="assignment",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="coverage.assignment",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="contractor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="coverage.contractor",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="entity",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="coverage.entity",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="platform",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="portal.platform",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_indexes, restore_indexes, elidable=False),
            ],
        ),
    ]
