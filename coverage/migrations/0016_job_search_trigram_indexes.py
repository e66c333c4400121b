# The job picker searches a platform's jobs by every word typed, anywhere in the job's
# name, its site's city or its customer's name (WorkJobQuerySet.search, icontains:
# UPPER(col::text) LIKE UPPER('%word%')). With 20,000 jobs that scanned them all
# (~200 ms on the shared test machine); trigram GIN indexes on exactly those
# expressions answer it from the index (~1 ms). Measured for jobs only: a platform's
# techs and customers are hundreds, scanned in under a millisecond.
#
# PostgreSQL alone (pg_trgm, GIN); SQLite (make run) migrates past them. They are not
# in the models' Meta.indexes, which SQLite would have to build when it rebuilds a
# table, so Django's state does not know them: this migration is their only record.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "coverage_workjob_name_trgm": ("coverage_workjob", "name"),
    "coverage_workjob_city_trgm": ("coverage_workjob", "address_locality"),
    "coverage_entity_name_trgm": ("coverage_entity", "name"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0015_merge_wave3"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop, elidable=False),
    ]
