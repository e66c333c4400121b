"""Reading a certificate of insurance PDF into a structured result (no Django here).

Two ways in, tried in order:

1. ACORD 25 fillable forms: the AcroForm fields ACORD names (``NamedInsured_FullName_A``,
   ``GeneralLiability_GeneralAggregate_LimitAmount_A``, ...), whatever the prefix the
   producer's software put before them (``F[0].P1[0].``) and the ``[0]`` after;
2. flattened or printed-to-PDF certificates (ours included): the text layer, read by the
   ACORD 25 box labels.

A PDF with neither (a scan without OCR) yields ``source: "none"``: the review flags it
for a person; nothing is guessed. Only the first two pages are read (the public API's
rule). The parsed JSON names limits in whole dollars, as the public API's example does
(``coverages.commercial_general_liability.limits.general_aggregate_dollars``); dates are
ISO ``YYYY-MM-DD``.

Untrusted input: this module is run in a child process with CPU, memory and time limits
(``coverage.uploads.sandbox``), and pypdf's own decompression limits stay on.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from pypdf import PdfReader

PAGES_READ = 2
GL_KEY = "commercial_general_liability"
WC_KEY = "workers_compensation"

# Why a file could not be read at all (the review's ``unreadable`` finding says it in words).
ENCRYPTED = "encrypted"
BROKEN = "broken"
TOO_LARGE = "too_large"


class Unreadable(Exception):
    """The PDF cannot be read; ``reason`` is one of ENCRYPTED, BROKEN, TOO_LARGE."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------
# Values

_MONEY = re.compile(r"\$?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{2})?")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def dollars(text: str | None) -> int | None:
    """``"$1,000,000"`` → 1000000; None when there is no amount."""
    if not text:
        return None
    found = _MONEY.search(text.replace(" ", ""))
    return int(found.group(1).replace(",", "")) if found else None


def iso_date(text: str | None) -> str | None:
    """``"03/01/2026"`` → ``"2026-03-01"``; None when it is not a real date."""
    if not text:
        return None
    found = _DATE.search(text)
    if not found:
        return None
    month, day, year = (int(g) for g in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def mark(text: str | None) -> bool | None:
    """An ADDL INSD / SUBR WVD box: Y or X (or a ticked box) is True, N is False."""
    if text is None:
        return None
    value = str(text).strip().strip("/").upper()
    if value in ("Y", "YES", "X", "ON", "1", "TRUE"):
        return True
    if value in ("N", "NO", "N/A", "NA", "OFF", "0", "FALSE", ""):
        return False if value else None
    return None


# ---------------------------------------------------------------------------
# ACORD 25 form fields

GL_LIMIT_FIELDS = {
    "each_occurrence_dollars": "GeneralLiability_EachOccurrence_LimitAmount_A",
    "damage_to_rented_premises_dollars": (
        "GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A"
    ),
    "medical_expense_dollars": "GeneralLiability_MedicalExpense_EachPersonLimitAmount_A",
    "personal_advertising_injury_dollars": (
        "GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A"
    ),
    "general_aggregate_dollars": "GeneralLiability_GeneralAggregate_LimitAmount_A",
    "products_completed_operations_aggregate_dollars": (
        "GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A"
    ),
}
WC_LIMIT_FIELDS = {
    "el_each_accident_dollars": (
        "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A"
    ),
    "el_disease_each_employee_dollars": (
        "WorkersCompensationEmployersLiability_EmployersLiability_"
        "DiseaseEachEmployeeLimitAmount_A"
    ),
    "el_disease_policy_limit_dollars": (
        "WorkersCompensationEmployersLiability_EmployersLiability_"
        "DiseasePolicyLimitAmount_A"
    ),
}
# Each row's fields: (letter, policy number, effective, expiration, addl insd, subr wvd).
# Editions differ in a few names; the first one present wins.
GL_ROW_FIELDS = (
    (
        "GeneralLiability_InsurerLetterCode_A",
        "CertificateOfInsurance_GeneralLiability_InsurerLetterCode_A",
    ),
    ("Policy_GeneralLiability_PolicyNumberIdentifier_A",),
    ("Policy_GeneralLiability_EffectiveDate_A",),
    ("Policy_GeneralLiability_ExpirationDate_A",),
    ("CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A",),
    ("Policy_GeneralLiability_SubrogationWaivedCode_A",),
)
WC_ROW_FIELDS = (
    ("WorkersCompensationEmployersLiability_InsurerLetterCode_A",),
    ("Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A",),
    ("Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A",),
    ("Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A",),
    ("CertificateOfInsurance_WorkersCompensation_AdditionalInsuredCode_A",),
    ("Policy_WorkersCompensation_SubrogationWaivedCode_A",),
)
INSURED_FIELDS = (
    "NamedInsured_FullName_A",
    "NamedInsured_MailingAddress_LineOne_A",
    "NamedInsured_MailingAddress_LineTwo_A",
    "NamedInsured_MailingAddress_CityName_A",
    "NamedInsured_MailingAddress_StateOrProvinceCode_A",
    "NamedInsured_MailingAddress_PostalCode_A",
)
HOLDER_FIELDS = (
    "CertificateHolder_FullName_A",
    "CertificateHolder_MailingAddress_LineOne_A",
    "CertificateHolder_MailingAddress_LineTwo_A",
    "CertificateHolder_MailingAddress_CityName_A",
    "CertificateHolder_MailingAddress_StateOrProvinceCode_A",
    "CertificateHolder_MailingAddress_PostalCode_A",
)
REMARKS_FIELD = "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A"
LETTERS = "ABCDEF"


def _short_name(qualified: str) -> str:
    """``F[0].P1[0].NamedInsured_FullName_A[0]`` → ``NamedInsured_FullName_A``."""
    return re.sub(r"\[\d+\]$", "", qualified.rsplit(".", 1)[-1])


def form_values(reader: PdfReader) -> dict[str, str]:
    """The filled-in AcroForm values by their short ACORD name (empty ones left out)."""
    fields = reader.get_fields() or {}
    values: dict[str, str] = {}
    for qualified, field in fields.items():
        value = field.get("/V")
        if value is None:
            continue
        text = str(value).strip()
        if text and text != "/Off":
            values.setdefault(_short_name(qualified), text.lstrip("/"))
    return values


def _first(values: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in values:
            return values[name]
    return None


def _address(values: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    name = values.get(names[0])
    street = [values[n] for n in names[1:3] if n in values]
    city = " ".join(values[n] for n in names[4:6] if n in values)
    town = values.get(names[3])
    last = ", ".join(p for p in (town, city) if p)
    return {"name": name, "address": [*street, *([last] if last else [])]}


def _row_from_fields(
    values: dict[str, str], row: tuple[tuple[str, ...], ...], limits: dict[str, str]
) -> dict[str, Any] | None:
    letter, number, effective, expires, addl, subr = (_first(values, n) for n in row)
    found_limits = {key: dollars(values.get(name)) for key, name in limits.items()}
    if not (number or effective or expires or any(found_limits.values())):
        return None
    return {
        "insurer_letter": (letter or "").strip().upper()[:1] or None,
        "policy_number": number,
        "effective_date": iso_date(effective),
        "expiration_date": iso_date(expires),
        "additional_insured": mark(addl),
        "subrogation_waived": mark(subr),
        "limits": found_limits,
    }


def parse_form(values: dict[str, str]) -> dict[str, Any]:
    insurers = [
        {
            "letter": letter,
            "name": values[f"Insurer_FullName_{letter}"],
            "naic": values.get(f"Insurer_NAICCode_{letter}"),
        }
        for letter in LETTERS
        if f"Insurer_FullName_{letter}" in values
    ]
    coverages: dict[str, Any] = {}
    gl = _row_from_fields(values, GL_ROW_FIELDS, GL_LIMIT_FIELDS)
    if gl is not None:
        coverages[GL_KEY] = gl
    wc = _row_from_fields(values, WC_ROW_FIELDS, WC_LIMIT_FIELDS)
    if wc is not None:
        coverages[WC_KEY] = wc
    remarks = values.get(REMARKS_FIELD, "")
    return {
        "source": "form_fields",
        "insured": _address(values, INSURED_FIELDS),
        "insurers": insurers,
        "coverages": coverages,
        "description_of_operations": _operations(remarks),
        "certificate_holder": _address(values, HOLDER_FIELDS),
    }


# ---------------------------------------------------------------------------
# The text layer, by ACORD 25 labels

_INSURER_LINE = re.compile(
    r"^INSURER\s+([A-F])\s*:\s*(.*?)(?:\s+(\d{5}))?\s*$", re.IGNORECASE
)
# "[Y|N|N/A] [Y|N|N/A] NUMBER MM/DD/YYYY MM/DD/YYYY": the row's boxes, in ACORD order.
_POLICY_LINE = re.compile(
    r"(?:\b(Y|N|N/A|X)\s+)?(?:\b(Y|N|N/A|X)\s+)?"
    r"([A-Z0-9][A-Z0-9/-]{3,})\s+(\d{1,2}/\d{1,2}/\d{4})\s+(\d{1,2}/\d{1,2}/\d{4})"
)
_LEADING_LETTER = re.compile(r"^([A-F])\s+\S")
GL_LIMIT_LABELS = {
    "each_occurrence_dollars": r"EACH\s+OCCURRENCE",
    "damage_to_rented_premises_dollars": r"PREMISES\s*\(Ea\s+occurrence\)",
    "medical_expense_dollars": r"MED\s+EXP(?:\s*\(Any\s+one\s+person\))?",
    "personal_advertising_injury_dollars": r"PERSONAL\s*&\s*ADV\s+INJURY",
    "general_aggregate_dollars": r"GENERAL\s+AGGREGATE",
    "products_completed_operations_aggregate_dollars": (
        r"PRODUCTS\s*-\s*COMP\s*/\s*OP\s+AGG"
    ),
}
WC_LIMIT_LABELS = {
    "el_each_accident_dollars": r"E\.L\.\s+EACH\s+ACCIDENT",
    "el_disease_each_employee_dollars": r"E\.L\.\s+DISEASE\s*-\s*EA\s+EMPLOYEE",
    "el_disease_policy_limit_dollars": r"E\.L\.\s+DISEASE\s*-\s*POLICY\s+LIMIT",
}
_AMOUNT_AFTER = r"\s*\$\s*([0-9][0-9,]*)"
_ROW_STARTS = {
    GL_KEY: re.compile(r"COMMERCIAL\s+GENERAL\s+LIABILITY", re.IGNORECASE),
    "automobile_liability": re.compile(r"AUTOMOBILE\s+LIABILITY", re.IGNORECASE),
    "umbrella_liability": re.compile(r"UMBRELLA\s+LIAB", re.IGNORECASE),
    WC_KEY: re.compile(r"WORKERS\s+COMPENSATION", re.IGNORECASE),
}
_OPERATIONS_START = re.compile(r"DESCRIPTION\s+OF\s+OPERATIONS", re.IGNORECASE)
_HOLDER_START = re.compile(r"^CERTIFICATE\s+HOLDER\b", re.IGNORECASE)
_CANCELLATION_START = re.compile(r"^SHOULD\s+ANY\s+OF\s+THE\s+ABOVE", re.IGNORECASE)
_INSURED_START = re.compile(r"^INSURED$", re.IGNORECASE)
_INSURERS_START = re.compile(r"^INSURER\(S\)\s+AFFORDING", re.IGNORECASE)


def _index(lines: list[str], pattern: re.Pattern[str], start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        if pattern.search(lines[i]):
            return i
    return None


def _row_from_text(block: str, limit_labels: dict[str, str]) -> dict[str, Any]:
    policy = _POLICY_LINE.search(block)
    letter = _LEADING_LETTER.match(block)
    limits = {}
    for key, label in limit_labels.items():
        found = re.search(label + _AMOUNT_AFTER, block, re.IGNORECASE)
        limits[key] = dollars(found.group(1)) if found else None
    row: dict[str, Any] = {
        "insurer_letter": letter.group(1) if letter else None,
        "policy_number": None,
        "effective_date": None,
        "expiration_date": None,
        "additional_insured": None,
        "subrogation_waived": None,
        "limits": limits,
    }
    if policy:
        addl, subr, number, effective, expires = policy.groups()
        if subr is None:
            # One box printed: it is the SUBR WVD column (ADDL INSD left blank).
            addl, subr = None, addl
        row.update(
            policy_number=number,
            effective_date=iso_date(effective),
            expiration_date=iso_date(expires),
            additional_insured=mark(addl),
            subrogation_waived=mark(subr),
        )
    return row


def _party(lines: list[str]) -> dict[str, Any]:
    cleaned = [line for line in lines if line.strip()]
    return {
        "name": cleaned[0].strip() if cleaned else None,
        "address": [line.strip() for line in cleaned[1:3]],
    }


_AI_NAMED = re.compile(
    r"([A-Z0-9][^.;\n]*?)\s+(?:is|are)\s+(?:named\s+as\s+)?(?:an\s+)?additional\s+insureds?",
    re.IGNORECASE,
)
_AI_LISTED = re.compile(r"additional\s+insureds?\s*:\s*([^.\n]+)", re.IGNORECASE)


def _operations(text: str) -> dict[str, Any]:
    flat = " ".join(text.split())
    names: list[str] = []
    # Line by line: a name is what starts the line that says it is additional insured.
    for line in text.splitlines():
        names.extend(m.group(1).strip() for m in _AI_NAMED.finditer(line))
        for listed in _AI_LISTED.finditer(line):
            names.extend(n.strip() for n in re.split(r";|\band\b", listed.group(1)))
    return {
        "text": flat,
        "additional_insured_names": [n for n in dict.fromkeys(names) if n],
        "waiver_of_subrogation_mentioned": bool(
            re.search(r"waiver\s+of\s+subrogation", flat, re.IGNORECASE)
        ),
        "primary_non_contributory_mentioned": bool(
            re.search(r"primary\s+and\s+non-?\s?contributory", flat, re.IGNORECASE)
        ),
    }


def parse_text(text: str) -> dict[str, Any]:
    lines = [line.strip() for line in text.splitlines()]
    insured_at = _index(lines, _INSURED_START)
    insurers_at = _index(lines, _INSURERS_START)
    insured = (
        _party(lines[insured_at + 1 : insurers_at])
        if insured_at is not None and insurers_at is not None
        else {"name": None, "address": []}
    )
    insurers = []
    for line in lines:
        found = _INSURER_LINE.match(line)
        if found and found.group(2).strip():
            insurers.append(
                {
                    "letter": found.group(1).upper(),
                    "name": found.group(2).strip(),
                    "naic": found.group(3),
                }
            )
    operations_at = _index(lines, _OPERATIONS_START)
    table_end = operations_at if operations_at is not None else len(lines)
    starts = sorted(
        (i, key)
        for key, pattern in _ROW_STARTS.items()
        if (i := _index(lines[:table_end], pattern)) is not None
    )
    coverages: dict[str, Any] = {}
    for n, (start, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else table_end
        block = "\n".join(lines[start:end])
        if key == GL_KEY:
            coverages[key] = _row_from_text(block, GL_LIMIT_LABELS)
        elif key == WC_KEY:
            coverages[key] = _row_from_text(block, WC_LIMIT_LABELS)
    holder_at = _index(lines, _HOLDER_START, table_end)
    operations = ""
    if operations_at is not None:
        operations = "\n".join(lines[operations_at + 1 : holder_at or len(lines)])
    holder: dict[str, Any] = {"name": None, "address": []}
    if holder_at is not None:
        end = _index(lines, _CANCELLATION_START, holder_at) or holder_at + 4
        holder = _party(lines[holder_at + 1 : end])
    return {
        "source": "text_layer",
        "insured": insured,
        "insurers": insurers,
        "coverages": coverages,
        "description_of_operations": _operations(operations),
        "certificate_holder": holder,
    }


# ---------------------------------------------------------------------------


def parse_pdf(data: bytes) -> dict[str, Any]:
    """The certificate's structured content; raises ``Unreadable`` when it cannot be read."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # An owner password only (printing restricted) still opens with "".
            try:
                if not reader.decrypt(""):
                    raise Unreadable(ENCRYPTED)
            except Unreadable:
                raise
            except Exception:
                raise Unreadable(ENCRYPTED) from None
        pages = list(reader.pages[:PAGES_READ])
        values = form_values(reader)
        text = "\n".join(page.extract_text() or "" for page in pages)
    except Unreadable:
        raise
    except MemoryError:
        raise Unreadable(TOO_LARGE) from None
    except Exception as exc:
        # pypdf's LimitReachedError: a stream that decompresses beyond its limits.
        if type(exc).__name__ == "LimitReachedError":
            raise Unreadable(TOO_LARGE) from None
        raise Unreadable(BROKEN) from None
    if values.get(_short_name(GL_LIMIT_FIELDS["general_aggregate_dollars"])) or any(
        name.startswith(("NamedInsured_", "Policy_")) for name in values
    ):
        parsed = parse_form(values)
    elif text.strip():
        parsed = parse_text(text)
    else:
        parsed = {"source": "none"}
    parsed["pages_read"] = len(pages)
    parsed["page_count"] = len(reader.pages)
    return parsed


def main() -> None:
    """The sandboxed child: limits itself, reads the PDF on stdin, answers JSON on stdout."""
    import json
    import resource
    import sys

    memory = int(sys.argv[1]) if len(sys.argv) > 1 else 1024 * 1024 * 1024
    cpu = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    data = sys.stdin.buffer.read()
    try:
        answer: dict[str, Any] = {"parsed": parse_pdf(data)}
    except Unreadable as exc:
        answer = {"unreadable": exc.reason}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
