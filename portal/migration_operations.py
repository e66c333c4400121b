"""Migration operations that only some databases run.

PostgreSQL enforces rules SQLite has no syntax for (exclusion constraints over ranges);
``make run`` uses SQLite, so those operations change the migration state everywhere but
touch the schema only on PostgreSQL. The services keep their own check for the rest.
"""

from __future__ import annotations

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations import AddConstraint
from django.db.migrations.state import ProjectState


class AddConstraintOnPostgres(AddConstraint):
    """``AddConstraint`` whose DDL runs on PostgreSQL alone; the model state is the same."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"{super().describe()} (PostgreSQL only)"
