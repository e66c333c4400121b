"""Wire conventions of the contractor API; they live in ``coverage.wire`` so that
services can serialise without importing the API package."""

from __future__ import annotations

from coverage.wire import deleted, from_unix, unix

__all__ = ["deleted", "from_unix", "unix"]
