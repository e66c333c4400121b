"""Wire conventions of the contractor API: Unix-second timestamps, delete responses.

Services serialise with these too, so nothing here imports the API routers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from django.utils import timezone
from typing_extensions import TypedDict


@overload
def unix(moment: datetime) -> int: ...
@overload
def unix(moment: None) -> None: ...
@overload
def unix(moment: datetime | None) -> int | None: ...
def unix(moment: datetime | None) -> int | None:
    """Every date on this API is an integer count of Unix seconds."""
    return None if moment is None else int(moment.timestamp())


def from_unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), tz=UTC)


class DeletedJSON(TypedDict):
    id: str
    object: str
    deleted: bool
    deleted_at: int


def deleted(
    public_id: str, object_name: str, at: datetime | None = None
) -> dict[str, Any]:
    """The body every DELETE answers with."""
    return {
        "id": public_id,
        "object": object_name,
        "deleted": True,
        "deleted_at": unix(at or timezone.now()),
    }
