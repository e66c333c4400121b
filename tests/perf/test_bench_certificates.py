"""How long one certificate takes to render (run with `make bench`)."""

from __future__ import annotations

import statistics
import time

import pytest

from coverage.certificates.document import render_certificate_pdf
from tests.coverage.certificate_samples import sample_document

pytestmark = pytest.mark.perf

RENDERS = 20


def test_bench_render_certificate_pdf() -> None:
    document = sample_document()
    render_certificate_pdf(document)  # first call pays for imports and font tables
    timings = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        render_certificate_pdf(document)
        timings.append(time.perf_counter() - started)
    median_ms = statistics.median(timings) * 1000
    print(
        f"\ncertificate PDF render over {RENDERS} runs: median {median_ms:.1f} ms, "
        f"min {min(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms"
    )
    # A background task renders one certificate per line of a dispatch; even a slow
    # worker should stay far below this.
    assert median_ms < 1000
