"""The certificate of insurance as a document: what it says, and its one-page PDF.

The content follows the ACORD 25 certificate of liability insurance (domain research
§3.4): producer, insured, insurers with NAIC numbers, one coverage row per policy line,
description of operations, certificate holder, the post-2009 cancellation wording, and
our own additions: a certificate number and a QR code with the verification URL printed
beside it (DESIGN.md, "Certificates"). Nothing here knows an ORM model: whoever issues a
certificate builds a ``CertificateDocument`` from the assignment and its policies, and
``render_certificate_pdf`` turns it into bytes for Django's storage API.

- ``fields``: the dataclasses, product constants, default limits, fixed wording and
  formatting helpers;
- ``canvas``: fpdf2 drawing into fixed boxes;
- ``text``: what the PDF's core fonts can print (transliteration);
- ``pdf``: the layout.
"""

from coverage.certificates.document.fields import (
    ADDITIONAL_INSURED_NOTICE,
    CANCELLATION_WORDING,
    COVERAGES_NOTICE,
    GENERAL_LIABILITY,
    GL_DAMAGE_TO_RENTED_PREMISES_CENTS,
    GL_DETAILS,
    GL_EACH_OCCURRENCE_CENTS,
    GL_GENERAL_AGGREGATE_CENTS,
    GL_MEDICAL_EXPENSE_CENTS,
    GL_PERSONAL_ADV_INJURY_CENTS,
    GL_PRODUCTS_COMPLETED_OPS_AGGREGATE_CENTS,
    INFORMATION_ONLY_NOTICE,
    INSURER_FOR_LINE,
    INSURERS,
    LINE_TITLES,
    MAX_COVERAGE_ROWS,
    MAX_LIMITS_PER_ROW,
    NOT_APPLICABLE,
    PRODUCER,
    SAMPLE_GL_INSURER,
    SAMPLE_WC_INSURER,
    TITLE,
    WC_EL_DISEASE_EACH_EMPLOYEE_CENTS,
    WC_EL_DISEASE_POLICY_LIMIT_CENTS,
    WC_EL_EACH_ACCIDENT_CENTS,
    WC_PER_STATUTE,
    WORKERS_COMP,
    CertificateDocument,
    CoverageRow,
    Insurer,
    Limits,
    Line,
    Party,
    additional_insured_wording,
    dispatch_description,
    format_date,
    format_money,
    format_window,
    gl_limits,
    operations_remarks,
    party_list,
    primary_wording,
    subrogation_wording,
    wc_details,
    wc_limits,
)
from coverage.certificates.document.pdf import render_certificate_pdf
from coverage.certificates.document.text import pdf_text

__all__ = [
    "ADDITIONAL_INSURED_NOTICE",
    "CANCELLATION_WORDING",
    "COVERAGES_NOTICE",
    "GENERAL_LIABILITY",
    "GL_DAMAGE_TO_RENTED_PREMISES_CENTS",
    "GL_DETAILS",
    "GL_EACH_OCCURRENCE_CENTS",
    "GL_GENERAL_AGGREGATE_CENTS",
    "GL_MEDICAL_EXPENSE_CENTS",
    "GL_PERSONAL_ADV_INJURY_CENTS",
    "GL_PRODUCTS_COMPLETED_OPS_AGGREGATE_CENTS",
    "INFORMATION_ONLY_NOTICE",
    "INSURERS",
    "INSURER_FOR_LINE",
    "LINE_TITLES",
    "MAX_COVERAGE_ROWS",
    "MAX_LIMITS_PER_ROW",
    "NOT_APPLICABLE",
    "PRODUCER",
    "SAMPLE_GL_INSURER",
    "SAMPLE_WC_INSURER",
    "TITLE",
    "WC_EL_DISEASE_EACH_EMPLOYEE_CENTS",
    "WC_EL_DISEASE_POLICY_LIMIT_CENTS",
    "WC_EL_EACH_ACCIDENT_CENTS",
    "WC_PER_STATUTE",
    "WORKERS_COMP",
    "CertificateDocument",
    "CoverageRow",
    "Insurer",
    "Limits",
    "Line",
    "Party",
    "additional_insured_wording",
    "dispatch_description",
    "format_date",
    "format_money",
    "format_window",
    "gl_limits",
    "operations_remarks",
    "party_list",
    "pdf_text",
    "primary_wording",
    "render_certificate_pdf",
    "subrogation_wording",
    "wc_details",
    "wc_limits",
]
