"""How long one certificate takes to render (run with `make bench`).

Every render is a new certificate (its own number, verification address, insured and
holder), as a worker meets them: nothing about its names was measured before. Beside
it, in the same run and interleaved, fpdf2 writing a one-line page in a core font:
the least a PDF costs with this library, so the ratio says what a certificate costs on
whatever machine runs it.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable

import pytest
from fpdf import FPDF

from coverage.certificates.document import CertificateDocument, Party
from coverage.certificates.document import render_certificate_pdf as render
from tests.coverage.certificate_samples import sample_document

pytestmark = pytest.mark.perf

RENDERS = 60
NAMES = ("José Muñoz", "Łukasz Wróbel", "Ирина Петрова", "Mary-Kate O'Neill", "Ngô An")


def fresh_documents() -> Callable[[], CertificateDocument]:
    counter = itertools.count()

    def document() -> CertificateDocument:
        n = next(counter)
        number = f"CRT-2026-{n:08X}"
        return sample_document(
            number=number,
            verification_url=f"https://portal.dispatchcoverage.example/certificates/{number}/",
            insured=Party(
                f"{NAMES[n % len(NAMES)]} {n}",
                (f"{n} Ferry Street, Apt {n % 9}", "Newark, NJ 07105"),
            ),
            holder=Party(
                f"Harbor Point {n} Property Management LLC",
                (f"{200 + n} Harbor Boulevard", "Weehawken, NJ 07086"),
            ),
        )

    return document


def one_line_page() -> bytes:
    pdf = FPDF(unit="pt")
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.cell(100, 10, "Certificate")
    return bytes(pdf.output())


def test_bench_render_certificate_pdf() -> None:
    document = fresh_documents()
    render(document())  # the first call pays for imports and reading the fonts
    one_line_page()
    certificate, baseline, repeated = [], [], []
    sample = sample_document()
    for _ in range(RENDERS):
        doc = document()
        started = time.perf_counter()
        render(doc)
        certificate.append(time.perf_counter() - started)
        started = time.perf_counter()
        one_line_page()
        baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        render(sample)
        repeated.append(time.perf_counter() - started)
    median_ms = statistics.median(certificate) * 1000
    baseline_ms = statistics.median(baseline) * 1000
    print(
        f"\ncertificate PDF render, a new certificate each time, median of {RENDERS}: "
        f"{median_ms:.1f} ms (min {min(certificate) * 1000:.1f}, "
        f"max {max(certificate) * 1000:.1f}); fpdf2 one-line page {baseline_ms:.2f} ms "
        f"({median_ms / baseline_ms:.0f}x); the same certificate again "
        f"{statistics.median(repeated) * 1000:.1f} ms"
    )
    # A background task renders one certificate per line of a dispatch; even a slow
    # worker should stay far below this.
    assert median_ms < 1000
