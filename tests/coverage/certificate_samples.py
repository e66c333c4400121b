"""A realistic GL + WC certificate to render in tests and benchmarks, and a text reader."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from pypdf import PdfReader

from coverage.certificates.document import (
    GENERAL_LIABILITY,
    GL_DETAILS,
    INSURERS,
    PRODUCER,
    SAMPLE_WC_INSURER,
    WORKERS_COMP,
    CertificateDocument,
    CoverageRow,
    Party,
    dispatch_description,
    gl_limits,
    wc_details,
    wc_limits,
)

NUMBER = "CRT-2026-7KQ2M9XA"
VERIFICATION_URL = f"https://portal.dispatchcoverage.example/certificates/{NUMBER}/"
WINDOW = (
    datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
    datetime(2026, 11, 22, 17, 0, tzinfo=UTC),
)
INSURED = Party("José Muñoz", ("41 Ferry Street, Apt 3", "Newark, NJ 07105"))
HOLDER = Party(
    "Harbor Point Property Management LLC",
    ("200 Harbor Boulevard", "Weehawken, NJ 07086"),
)

GL_ROW = CoverageRow(
    line=GENERAL_LIABILITY,
    insurer_letter="A",
    policy_number="GL-2026-000481",
    effective=date(2026, 3, 1),
    expires=date(2027, 3, 1),
    additional_insured=True,
    subrogation_waived=True,
    limits=gl_limits(),
    details=GL_DETAILS,
)
WC_ROW = CoverageRow(
    line=WORKERS_COMP,
    insurer_letter="B",
    policy_number="WC-2026-000482",
    effective=date(2026, 4, 15),
    expires=date(2027, 4, 15),
    additional_insured=False,
    subrogation_waived=True,
    limits=wc_limits(),
    details=wc_details(state="NJ", class_code="9410"),
)


def sample_document(**overrides: Any) -> CertificateDocument:
    document = CertificateDocument(
        number=NUMBER,
        issued_on=date(2026, 11, 21),
        verification_url=VERIFICATION_URL,
        producer=PRODUCER,
        insured=INSURED,
        insurers=INSURERS,
        rows=(GL_ROW, WC_ROW),
        description_of_operations=dispatch_description(
            work_job="HVAC repair, rooftop unit 2 (jb_4fK29xQm)",
            site_address="200 Harbor Boulevard, Weehawken, NJ 07086",
            window=WINDOW,
        ),
        holder=HOLDER,
        additional_insured_window=WINDOW,
    )
    return replace(document, **overrides)


def wc_only_document(**overrides: Any) -> CertificateDocument:
    return sample_document(
        insurers=(SAMPLE_WC_INSURER,),
        rows=(replace(WC_ROW, subrogation_waived=False),),
        additional_insured_window=None,
        **overrides,
    )


def page_text(pdf: bytes) -> str:
    """The first page's text with all runs of whitespace as single spaces, so that
    assertions do not depend on where a line wrapped."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(reader.pages[0].extract_text().split())
