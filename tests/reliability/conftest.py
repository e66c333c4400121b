"""The reliability suite's shared fixtures (tests/reliability/parties.py)."""

from tests.reliability.parties import category, contractor  # noqa: F401
