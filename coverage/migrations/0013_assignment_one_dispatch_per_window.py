# One live dispatch of a contractor on a job per window (issue 14, item 6). The
# exclusion constraint needs btree_gist for the integer equalities; both are
# PostgreSQL's alone, so SQLite (make run) migrates past them and relies on the
# service's check. A database upgraded with duplicate live dispatches skips the
# constraint here (with a warning); 0017 adds it once
# `manage.py resolve_duplicate_dispatches` has cancelled them.

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import django.db.models.functions.comparison
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

import coverage.models.dispatch
from coverage.migration_operations import AddWindowConstraintUnlessDuplicates


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0012_assignment_work_end"),
    ]

    operations = [
        BtreeGistExtension(),
        AddWindowConstraintUnlessDuplicates(
            model_name="assignment",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                condition=models.Q(
                    ("cancelled_at__isnull", True), ("deleted_at__isnull", True)
                ),
                expressions=[
                    ("contractor", "="),
                    ("job", "="),
                    (
                        coverage.models.dispatch.TsTzRange(
                            "effective_at",
                            django.db.models.functions.comparison.Coalesce(
                                "work_end_at", "end_at"
                            ),
                            django.contrib.postgres.fields.ranges.RangeBoundary(),
                        ),
                        "&&",
                    ),
                ],
                name="coverage_assignment_one_per_window",
            ),
        ),
    ]
