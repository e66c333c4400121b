"""The audit hook for portal's own records: platforms, API keys and users.

Portal imports neither app (the architecture rule), yet its records' changes belong
in the product's one audit history, which lives with policy administration
(``policies.services.audit``). So portal writes through this hook and policies
plugs its recorder in when it loads (``PoliciesConfig.ready``), as coverage follows
policies through ``policies.signals``. The recorder writes in the caller's
transaction: the entry commits or rolls back with the change.

``by``: the portal user or API key that made the change, None for the system (a
command); ``via``: the face when a user came through the admin.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models

# The face a change came through, when a user made it in support's admin.
ADMIN = "admin"

CREATED = "created"
CHANGED = "changed"
DELETED = "deleted"


class Recorder(Protocol):
    def snapshot(self, row: models.Model) -> Any: ...

    def record(
        self,
        *,
        by: Any,
        row: models.Model,
        action: str,
        before: Any,
        via: str | None,
    ) -> None: ...


_recorder: Recorder | None = None


def set_recorder(recorder: Recorder) -> None:
    global _recorder
    _recorder = recorder


def before(row: models.Model) -> Any:
    """The row's audited fields before a change (pass it to ``record``)."""
    return _recorder.snapshot(row) if _recorder is not None else None


def record(
    *,
    by: Any,
    row: models.Model,
    action: str = CHANGED,
    before: Any = None,
    via: str | None = None,
) -> None:
    """Record a write to ``row``: created (no ``before``), changed, deleted."""
    if _recorder is not None:
        _recorder.record(by=by, row=row, action=action, before=before, via=via)
