"""The one-dispatch-per-window constraint on databases that hold duplicates from before it.

Migration 0013 adds the exclusion constraint; a database upgraded with duplicate live
dispatches (booked before the rule) could not take it. 0013 therefore skips the
constraint there, with a warning, and 0017 — after every other migration this code
needs — adds it, or refuses with the list of duplicates until
``manage.py resolve_duplicate_dispatches`` has cancelled them through the service. The
migration state is 0013's in every case: 0017 touches the database only.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from coverage.duplicate_dispatches import (
    CONSTRAINT,
    constraint_exists,
    find_duplicates,
    refusal,
)
from portal.migration_operations import AddConstraintOnPostgres


class AddWindowConstraintUnlessDuplicates(AddConstraintOnPostgres):
    """0013's constraint, left to 0017 on a database that holds duplicates."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        connection = schema_editor.connection
        if connection.vendor == "postgresql" and (found := find_duplicates(connection)):
            sys.stderr.write(
                f"\n  coverage.0013: {len(found)} duplicate live dispatch(es); the rule "
                f"{CONSTRAINT} is added by coverage.0017 once they are resolved.\n"
            )
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if constraint_exists(schema_editor.connection):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddWindowConstraintIfMissing(Operation):
    """Add 0013's constraint where 0013 could not; refuse while duplicates stand."""

    reversible = True
    reduces_to_sql = False

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql" or constraint_exists(connection):
            return
        if duplicates := find_duplicates(connection):
            raise CommandError(refusal(duplicates))
        model = to_state.apps.get_model(app_label, "assignment")
        [constraint] = [c for c in model._meta.constraints if c.name == CONSTRAINT]
        schema_editor.add_constraint(model, constraint)

    def database_backwards(self, *args: Any, **kwargs: Any) -> None:
        pass  # the constraint is 0013's: unapplying 0013 removes it

    def describe(self) -> str:
        return f"Add {CONSTRAINT} where 0013 left it to duplicates (PostgreSQL only)"
