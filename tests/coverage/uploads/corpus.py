"""The review corpus, generated: certificates as techs hand them in, with what the review
must find in each.

- ours: a certificate this product issues (ACORD-25 layout, text layer);
- form: fillable ACORD 25 PDFs, values in the AcroForm fields ACORD names;
- flat: flattened certificates (text only, ACORD labels) from another producer;
- scan: an image with no text layer (must be flagged, never guessed);
- broken: not a PDF, truncated, password-protected, a zip bomb, a 16 MB file.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import replace
from datetime import date, timedelta

from fpdf import FPDF
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from coverage.certificates.document import Party, render_certificate_pdf
from tests.coverage.certificate_samples import GL_ROW, WC_ROW, sample_document

INSURED = "Terry Tech"
OWNER = "Harbor Property Group"


def mdy(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def term(
    today: date, *, started_days_ago: int = 100, length_days: int = 365
) -> tuple[date, date]:
    effective = today - timedelta(days=started_days_ago)
    return effective, effective + timedelta(days=length_days)


# ---------------------------------------------------------------------------
# ours


def ours(today: date, *, insured: str = INSURED, holder: str = OWNER) -> bytes:
    effective, expires = term(today)
    document = sample_document(
        insured=Party(insured, ("41 Ferry Street", "Newark, NJ 07105")),
        holder=Party(holder, ("200 Harbor Boulevard", "Weehawken, NJ 07086")),
        rows=(
            replace(GL_ROW, effective=effective, expires=expires),
            replace(WC_ROW, effective=effective, expires=expires),
        ),
    )
    return render_certificate_pdf(document)


# ---------------------------------------------------------------------------
# fillable ACORD 25 forms


def acord_values(
    today: date,
    *,
    insured: str = INSURED,
    aggregate: str = "$2,000,000",
    occurrence: str = "$1,000,000",
    additional_insured: str = "Y",
    waiver: str = "Y",
    with_wc: bool = True,
    expired: bool = False,
) -> dict[str, str]:
    effective, expires = term(today, started_days_ago=400 if expired else 100)
    values = {
        "NamedInsured_FullName_A": insured,
        "NamedInsured_MailingAddress_LineOne_A": "41 Ferry Street",
        "NamedInsured_MailingAddress_CityName_A": "Newark",
        "NamedInsured_MailingAddress_StateOrProvinceCode_A": "NJ",
        "NamedInsured_MailingAddress_PostalCode_A": "07105",
        "Insurer_FullName_A": "Keystone Mutual Casualty Company",
        "Insurer_NAICCode_A": "12345",
        "Insurer_FullName_B": "Garden State Workers Comp Insurance Co",
        "Insurer_NAICCode_B": "54321",
        "GeneralLiability_InsurerLetterCode_A": "A",
        "Policy_GeneralLiability_PolicyNumberIdentifier_A": "KMC-GL-778812",
        "Policy_GeneralLiability_EffectiveDate_A": mdy(effective),
        "Policy_GeneralLiability_ExpirationDate_A": mdy(expires),
        "GeneralLiability_EachOccurrence_LimitAmount_A": occurrence,
        "GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A": "$100,000",
        "GeneralLiability_MedicalExpense_EachPersonLimitAmount_A": "$5,000",
        "GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A": "$1,000,000",
        "GeneralLiability_GeneralAggregate_LimitAmount_A": aggregate,
        "GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A": "$2,000,000",
        "CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A": additional_insured,
        "Policy_GeneralLiability_SubrogationWaivedCode_A": waiver,
        "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A": (
            f"{OWNER} is named as additional insured with respect to general "
            "liability per form CG 20 10. Waiver of subrogation applies per CG 24 04."
        ),
        "CertificateHolder_FullName_A": OWNER,
        "CertificateHolder_MailingAddress_LineOne_A": "200 Harbor Boulevard",
        "CertificateHolder_MailingAddress_CityName_A": "Weehawken",
        "CertificateHolder_MailingAddress_StateOrProvinceCode_A": "NJ",
        "CertificateHolder_MailingAddress_PostalCode_A": "07086",
    }
    if with_wc:
        values.update(
            {
                "WorkersCompensationEmployersLiability_InsurerLetterCode_A": "B",
                "Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A": "GSW-WC-4410",
                "Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A": mdy(
                    effective
                ),
                "Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A": mdy(
                    expires
                ),
                "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A": "$1,000,000",
                "WorkersCompensationEmployersLiability_EmployersLiability_DiseaseEachEmployeeLimitAmount_A": "$1,000,000",
                "WorkersCompensationEmployersLiability_EmployersLiability_DiseasePolicyLimitAmount_A": "$1,000,000",
                "Policy_WorkersCompensation_SubrogationWaivedCode_A": waiver,
            }
        )
    return values


def acord_form(values: dict[str, str]) -> bytes:
    """A fillable PDF whose fields carry ACORD 25's names under ``F[0].P1[0]``, as ACORD's
    own form nests them."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    form = DictionaryObject({NameObject("/T"): TextStringObject("F[0]")})
    form_ref = writer._add_object(form)
    page_field = DictionaryObject(
        {
            NameObject("/T"): TextStringObject("P1[0]"),
            NameObject("/Parent"): form_ref,
        }
    )
    page_ref = writer._add_object(page_field)
    kids = ArrayObject()
    annotations = ArrayObject()
    for n, (name, value) in enumerate(values.items()):
        y = 760 - (n % 60) * 12
        widget = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(f"{name}[0]"),
                NameObject("/V"): TextStringObject(value),
                NameObject("/Parent"): page_ref,
                NameObject("/F"): NumberObject(4),
                NameObject("/Rect"): ArrayObject(
                    [
                        FloatObject(20),
                        FloatObject(y),
                        FloatObject(590),
                        FloatObject(y + 10),
                    ]
                ),
            }
        )
        ref = writer._add_object(widget)
        kids.append(ref)
        annotations.append(ref)
    page_field[NameObject("/Kids")] = kids
    form[NameObject("/Kids")] = ArrayObject([page_ref])
    page[NameObject("/Annots")] = annotations
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Fields"): ArrayObject([form_ref]),
                NameObject("/DA"): TextStringObject("/Helv 8 Tf 0 g"),
            }
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# flattened certificates from another producer (text only, ACORD labels)


def flattened(
    today: date,
    *,
    insured: str = INSURED,
    marks: str = "Y Y",
    expired: bool = False,
    aggregate: str = "$2,000,000",
) -> bytes:
    effective, expires = term(today, started_days_ago=400 if expired else 100)
    lines = [
        "CERTIFICATE OF LIABILITY INSURANCE",
        "DATE (MM/DD/YYYY)",
        mdy(today),
        "PRODUCER",
        "Shoreline Insurance Brokers",
        "12 Ocean Ave, Asbury Park, NJ 07712",
        "INSURED",
        insured,
        "41 Ferry Street",
        "Newark, NJ 07105",
        "INSURER(S) AFFORDING COVERAGE NAIC #",
        "INSURER A : Keystone Mutual Casualty Company 12345",
        "INSURER B : Garden State Workers Comp Insurance Co 54321",
        "INSURER C :",
        "COVERAGES",
        "INSR LTR TYPE OF INSURANCE ADDL INSD SUBR WVD POLICY NUMBER POLICY EFF POLICY EXP LIMITS",
        "A COMMERCIAL GENERAL LIABILITY",
        "Occurrence",
        f"{marks} KMC-GL-778812 {mdy(effective)} {mdy(expires)} EACH OCCURRENCE $1,000,000",
        "DAMAGE TO RENTED PREMISES (Ea occurrence) $100,000",
        "MED EXP (Any one person) $5,000",
        "PERSONAL & ADV INJURY $1,000,000",
        f"GENERAL AGGREGATE {aggregate}",
        "PRODUCTS - COMP/OP AGG $2,000,000",
        "B WORKERS COMPENSATION AND EMPLOYERS' LIABILITY",
        f"N/A Y GSW-WC-4410 {mdy(effective)} {mdy(expires)} E.L. EACH ACCIDENT $1,000,000",
        "E.L. DISEASE - EA EMPLOYEE $1,000,000",
        "E.L. DISEASE - POLICY LIMIT $1,000,000",
        "DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES",
        f"{OWNER} is an additional insured with respect to general liability.",
        "Waiver of subrogation applies in favor of the certificate holder.",
        "CERTIFICATE HOLDER CANCELLATION",
        OWNER,
        "200 Harbor Boulevard",
        "Weehawken, NJ 07086",
        "SHOULD ANY OF THE ABOVE DESCRIBED POLICIES BE CANCELLED BEFORE THE EXPIRATION",
        "DATE THEREOF, NOTICE WILL BE DELIVERED IN ACCORDANCE WITH THE POLICY PROVISIONS.",
    ]
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    for line in lines:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned() -> bytes:
    """A page that looks like a certificate to the eye but has no text layer (a scan)."""
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_fill_color(30, 30, 30)
    for row in range(40):
        for col in range(6):
            if (row * 7 + col * 3) % 5:
                pdf.rect(15 + col * 30, 15 + row * 6, 24, 2.5, style="F")
    return bytes(pdf.output())


# ---------------------------------------------------------------------------
# broken files


def not_a_pdf() -> bytes:
    return b"PK\x03\x04 this is a zip archive renamed to certificate.pdf\n" * 20


def truncated(today: date) -> bytes:
    whole = ours(today)
    return whole[: len(whole) // 2]


def encrypted(today: date) -> bytes:
    from pypdf import PdfReader

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(ours(today))))
    writer.encrypt(user_password="tech-secret", owner_password="broker-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bomb(expanded_bytes: int = 200 * 1024 * 1024) -> bytes:
    """A small PDF whose one page's content stream inflates to ``expanded_bytes``."""
    squeeze = zlib.compressobj(9)
    block = b" " * (1024 * 1024)
    compressed = (
        b"".join(squeeze.compress(block) for _ in range(expanded_bytes // len(block)))
        + squeeze.flush()
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compressed)
        + compressed
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def sixteen_megabytes(today: date) -> bytes:
    """A real certificate padded past the cap (a comment after %%EOF)."""
    whole = ours(today)
    return whole + b"%" + b"0" * (16 * 1024 * 1024 - len(whole))
