"""Benchmarks: run with `make bench`. They print figures; bounds are generous sanity checks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from tests.reliability.parties import category, contractor  # noqa: F401 (fixtures)


def measure(fn: Callable[[], object], *, runs: int) -> dict[str, float]:
    """Median and 95th percentile wall time of ``fn`` in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "runs": runs,
    }
