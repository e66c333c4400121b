# The one-dispatch-per-window rule on a database upgraded with duplicate live dispatches
# (coverage.migration_operations): added here where 0013 had to leave it, or refused
# with their list until `manage.py resolve_duplicate_dispatches` has cancelled them.
# Last of coverage's migrations, so that command runs on the schema its code expects.

from django.db import migrations

import coverage.migration_operations


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0016_ledger_hash_chain"),
        # Also after the job search's indexes and the premium days (branches of their
        # own from 0015): this stays last.
        ("coverage", "0016_job_search_trigram_indexes"),
        ("coverage", "0017_premium_months"),
    ]

    operations = [
        coverage.migration_operations.AddWindowConstraintIfMissing(),
    ]
