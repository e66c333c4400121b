"""What a certificate says: the document's dataclasses, the product's constants and
fixed wording, and the formatting of money, dates and dispatch windows.

Free of Django imports, so documents can be built and rendered anywhere (a worker, a
test, a management command).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

from portal.zones import end_clock

# ---------------------------------------------------------------------------
# Lines of coverage: the values of policies.models.CoverageType, repeated here because
# this package imports nothing from Django (a test pins the two together).
# ---------------------------------------------------------------------------

GENERAL_LIABILITY: Final = "general"
WORKERS_COMP: Final = "workers-comp"
Line = Literal["general", "workers-comp"]

LINE_TITLES: Final[dict[str, str]] = {
    GENERAL_LIABILITY: "COMMERCIAL GENERAL LIABILITY",
    WORKERS_COMP: "WORKERS COMPENSATION AND EMPLOYERS' LIABILITY",
}
# How a line is named inside a sentence (waiver wording).
LINE_PHRASES: Final[dict[str, str]] = {
    GENERAL_LIABILITY: "general liability",
    WORKERS_COMP: "workers' compensation",
}

# (label, formatted amount) pairs, as printed in the LIMITS column.
Limits = tuple[tuple[str, str], ...]

# ---------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------

INSURER_LETTERS: Final = "ABCDEF"


@dataclass(frozen=True)
class Party:
    """A name and a postal address as printed in a box (producer, insured, holder)."""

    name: str
    address_lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("A party on a certificate needs a name.")
        object.__setattr__(self, "address_lines", tuple(self.address_lines))


@dataclass(frozen=True)
class Insurer:
    """An insurer affording coverage: its letter on this certificate, name and NAIC code."""

    letter: str
    name: str
    naic: str

    def __post_init__(self) -> None:
        if self.letter not in INSURER_LETTERS or len(self.letter) != 1:
            raise ValueError(f"Insurer letters are A to F, not {self.letter!r}.")


# ---------------------------------------------------------------------------
# Product constants: who issues, who insures. The insurers are fictitious sample
# carriers for the demo; their names say so, so that a demo certificate can never be
# mistaken for one backed by a real company. Replace them with the fronting carriers'
# legal names and NAIC codes before issuing real certificates.
# ---------------------------------------------------------------------------

PRODUCER: Final = Party(
    name="Dispatch Coverage Insurance Services",
    address_lines=(
        "1500 Market Street, Suite 1200",
        "Philadelphia, PA 19102",
        "certificates@dispatchcoverage.example  (215) 555-0142",
    ),
)

SAMPLE_GL_INSURER: Final = Insurer(
    letter="A", name="Sample Casualty Insurance Company", naic="99901"
)
SAMPLE_WC_INSURER: Final = Insurer(
    letter="B", name="Sample Workers' Compensation Insurance Company", naic="99902"
)
INSURERS: Final[tuple[Insurer, ...]] = (SAMPLE_GL_INSURER, SAMPLE_WC_INSURER)
# Which insurer writes which line, so a builder can pick the row's letter by line.
INSURER_FOR_LINE: Final[dict[str, Insurer]] = {
    GENERAL_LIABILITY: SAMPLE_GL_INSURER,
    WORKERS_COMP: SAMPLE_WC_INSURER,
}

# ---------------------------------------------------------------------------
# Default limits (integer cents, the domain's unit). GL: the real certificate example in
# domain research §3.4; WC: the statutory part needs no amount, and $1,000,000 for each
# employers' liability limit is the common figure.
# ---------------------------------------------------------------------------

GL_EACH_OCCURRENCE_CENTS: Final = 1_000_000_00
GL_DAMAGE_TO_RENTED_PREMISES_CENTS: Final = 100_000_00
GL_MEDICAL_EXPENSE_CENTS: Final = 5_000_00
GL_PERSONAL_ADV_INJURY_CENTS: Final = 1_000_000_00
GL_GENERAL_AGGREGATE_CENTS: Final = 2_000_000_00
GL_PRODUCTS_COMPLETED_OPS_AGGREGATE_CENTS: Final = 2_000_000_00

WC_EL_EACH_ACCIDENT_CENTS: Final = 1_000_000_00
WC_EL_DISEASE_EACH_EMPLOYEE_CENTS: Final = 1_000_000_00
WC_EL_DISEASE_POLICY_LIMIT_CENTS: Final = 1_000_000_00

# Printed under the line title in the TYPE OF INSURANCE column.
GL_DETAILS: Final[tuple[str, ...]] = (
    "Occurrence",
    "Gen'l aggregate limit applies per: Policy",
)
WC_PER_STATUTE: Final = "Per statute"

# ---------------------------------------------------------------------------
# Fixed wording. Module-level so tests assert the exact text.
# ---------------------------------------------------------------------------

TITLE: Final = "CERTIFICATE OF LIABILITY INSURANCE"
INFORMATION_ONLY_NOTICE: Final = (
    "THIS CERTIFICATE IS ISSUED AS A MATTER OF INFORMATION ONLY AND CONFERS NO RIGHTS "
    "UPON THE CERTIFICATE HOLDER. THIS CERTIFICATE DOES NOT AFFIRMATIVELY OR NEGATIVELY "
    "AMEND, EXTEND OR ALTER THE COVERAGE AFFORDED BY THE POLICIES BELOW. THIS "
    "CERTIFICATE OF INSURANCE DOES NOT CONSTITUTE A CONTRACT BETWEEN THE ISSUING "
    "INSURER(S), AUTHORIZED REPRESENTATIVE OR PRODUCER, AND THE CERTIFICATE HOLDER."
)
ADDITIONAL_INSURED_NOTICE: Final = (
    "IMPORTANT: If the certificate holder is an ADDITIONAL INSURED, the policy(ies) must "
    "have ADDITIONAL INSURED provisions or be endorsed. If SUBROGATION IS WAIVED, "
    "subject to the terms and conditions of the policy, certain policies may require an "
    "endorsement. A statement on this certificate does not confer rights to the "
    "certificate holder in lieu of such endorsement(s)."
)
COVERAGES_NOTICE: Final = (
    "THIS IS TO CERTIFY THAT THE POLICIES OF INSURANCE LISTED BELOW HAVE BEEN ISSUED TO "
    "THE INSURED NAMED ABOVE FOR THE POLICY PERIOD INDICATED. NOTWITHSTANDING ANY "
    "REQUIREMENT, TERM OR CONDITION OF ANY CONTRACT OR OTHER DOCUMENT WITH RESPECT TO "
    "WHICH THIS CERTIFICATE MAY BE ISSUED OR MAY PERTAIN, THE INSURANCE AFFORDED BY THE "
    "POLICIES DESCRIBED HEREIN IS SUBJECT TO ALL THE TERMS, EXCLUSIONS AND CONDITIONS OF "
    "SUCH POLICIES. LIMITS SHOWN MAY HAVE BEEN REDUCED BY PAID CLAIMS."
)
# The 2009/09 edition's wording; the older "endeavor to mail 30 days notice" promise is
# gone because only a filed endorsement can grant a holder notice (domain research §3.4).
CANCELLATION_WORDING: Final = (
    "SHOULD ANY OF THE ABOVE DESCRIBED POLICIES BE CANCELLED BEFORE THE EXPIRATION DATE "
    "THEREOF, NOTICE WILL BE DELIVERED IN ACCORDANCE WITH THE POLICY PROVISIONS."
)
VERIFY_EXPLANATION: Final = (
    "Scan the code or open the address to confirm that this certificate is genuine "
    "and to see whether its coverage is in force today."
)
NOT_APPLICABLE: Final = "N/A"

# A certificate is one page. Certificates are issued per assignment for GL and WC, so
# two rows is the real maximum; more, or longer limit lists, would push the holder and
# verification boxes off the page.
MAX_COVERAGE_ROWS: Final = 2
MAX_LIMITS_PER_ROW: Final = 6


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def format_money(cents: int) -> str:
    """Whole dollars with thousands separators: 100_000_00 -> "$100,000".

    Limits are whole-dollar amounts; a stray cent means the input is wrong, and a
    certificate must not quietly round a limit, so that raises.
    """
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"Amounts are integer cents, not {cents!r}.")
    if cents < 0:
        raise ValueError(f"A limit cannot be negative: {cents}.")
    dollars, rest = divmod(cents, 100)
    if rest:
        raise ValueError(f"Limits are whole dollars: {cents} cents is not.")
    return f"${dollars:,}"


def format_date(day: date) -> str:
    """MM/DD/YYYY, the form's US convention."""
    return day.strftime("%m/%d/%Y")


def format_window(start: datetime, end: datetime) -> str:
    """A dispatch window in the zone its datetimes carry, e.g.
    "11/22/2026 08:00 – 11/22/2026 17:00 EST", "11/22/2026 08:00 – 11/22/2026 24:00 EST".

    Pass the datetimes already converted to the zone the reader should see (UTC, or the
    site's zone); the zone's name is printed so the window is never ambiguous. When the
    window crosses a daylight-saving change both ends carry their own abbreviation.
    """
    _require_aware(start, end)
    start_zone, end_zone = start.tzname() or "", end.tzname() or ""
    start_text = start.strftime("%m/%d/%Y %H:%M")
    # The portal's one end-of-day rule: an end at midnight is 24:00 of the day it closes.
    end_day, end_clock_text = end_clock(end)
    end_text = f"{format_date(end_day)} {end_clock_text}"
    if start_zone == end_zone:
        return f"{start_text} \u2013 {end_text} {end_zone}".rstrip()
    return f"{start_text} {start_zone} \u2013 {end_text} {end_zone}"


def dispatch_description(
    *, work_job: str, site_address: str, window: tuple[datetime, datetime]
) -> str:
    """The "description of operations" text naming one dispatch."""
    return (
        f"Work job: {work_job}\n"
        f"Site: {site_address}\n"
        f"Dispatch window: {format_window(*window)}"
    )


def gl_limits(
    occurrence_cents: int | None = None, aggregate_cents: int | None = None
) -> Limits:
    """The GL limits column: our defaults, raised to what the entity requires when higher.

    An aggregate below the per-occurrence limit would be an impossible policy, so the
    aggregates never drop under the occurrence limit; the products-completed operations
    aggregate moves with the general aggregate, as it does on a standard CGL.
    """
    occurrence = max(GL_EACH_OCCURRENCE_CENTS, occurrence_cents or 0)
    aggregate = max(GL_GENERAL_AGGREGATE_CENTS, aggregate_cents or 0, occurrence)
    products = max(GL_PRODUCTS_COMPLETED_OPS_AGGREGATE_CENTS, aggregate)
    return (
        ("EACH OCCURRENCE", format_money(occurrence)),
        (
            "DAMAGE TO RENTED PREMISES (Ea occurrence)",
            format_money(GL_DAMAGE_TO_RENTED_PREMISES_CENTS),
        ),
        ("MED EXP (Any one person)", format_money(GL_MEDICAL_EXPENSE_CENTS)),
        ("PERSONAL & ADV INJURY", format_money(GL_PERSONAL_ADV_INJURY_CENTS)),
        ("GENERAL AGGREGATE", format_money(aggregate)),
        ("PRODUCTS - COMP/OP AGG", format_money(products)),
    )


def wc_limits() -> Limits:
    """The employers' liability limits; the statutory WC part has no amount."""
    return (
        ("E.L. EACH ACCIDENT", format_money(WC_EL_EACH_ACCIDENT_CENTS)),
        (
            "E.L. DISEASE - EA EMPLOYEE",
            format_money(WC_EL_DISEASE_EACH_EMPLOYEE_CENTS),
        ),
        (
            "E.L. DISEASE - POLICY LIMIT",
            format_money(WC_EL_DISEASE_POLICY_LIMIT_CENTS),
        ),
    )


def wc_details(*, state: str, class_code: str) -> tuple[str, ...]:
    """The WC row's TYPE OF INSURANCE lines: statutory cover, and the routing at dispatch."""
    return (
        WC_PER_STATUTE,
        f"State: {state} \u00b7 Class {class_code} (routed at dispatch)",
    )


def additional_insured_wording(
    *,
    holder_name: str,
    policy_numbers: Sequence[str],
    window: tuple[datetime, datetime],
    parties: Sequence[Party] = (),
) -> str:
    """The grant, to the holder or (a contract's list) to each party with its address."""
    numbers = ", ".join(policy_numbers)
    if parties:
        who = f"{party_list(parties, with_address=True)} are additional insureds"
        if len(parties) == 1:
            who = f"{party_list(parties, with_address=True)} is an additional insured"
    else:
        who = f"{holder_name} is an additional insured"
    return (
        f"{who} under general liability policy "
        f"{numbers}, with respect to liability arising out of the named insured's "
        f"operations, for the dispatch window only: {format_window(*window)}."
    )


def party_list(parties: Sequence[Party], *, with_address: bool = False) -> str:
    """ "A, B and C", each with its address in parentheses when asked."""
    names = [
        f"{p.name} ({', '.join(p.address_lines)})"
        if with_address and p.address_lines
        else p.name
        for p in parties
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def primary_wording(*, names: str, policy_numbers: Sequence[str]) -> str:
    numbers = ", ".join(policy_numbers)
    return (
        f"General liability policy {numbers} is primary and non-contributory with "
        f"any other insurance available to {names}, for the dispatch window only, "
        "where required by written contract."
    )


def subrogation_wording(*, holder_name: str, lines: Sequence[str]) -> str:
    phrases = " and ".join(LINE_PHRASES[line] for line in lines)
    noun = "policies" if len(lines) > 1 else "policy"
    return (
        f"Waiver of subrogation in favor of {holder_name} applies to the {phrases} "
        f"{noun}, where required by written contract and subject to the policy terms."
    )


# ---------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    """One line of one policy, as a row of the coverage table."""

    line: Line
    insurer_letter: str
    policy_number: str
    effective: date
    expires: date
    additional_insured: bool
    subrogation_waived: bool
    limits: Limits = ()
    # Printed under the line's title, e.g. GL_DETAILS or wc_details(...).
    details: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Lists are accepted for convenience; tuples keep the document immutable.
        object.__setattr__(self, "limits", tuple(tuple(pair) for pair in self.limits))
        object.__setattr__(self, "details", tuple(self.details))
        if self.line not in LINE_TITLES:
            raise ValueError(f"Unknown line of coverage {self.line!r}.")
        if self.expires <= self.effective:
            raise ValueError("A policy expires after it takes effect.")
        if len(self.limits) > MAX_LIMITS_PER_ROW:
            raise ValueError(
                f"A coverage row prints at most {MAX_LIMITS_PER_ROW} limits."
            )
        if self.line == WORKERS_COMP and self.additional_insured:
            # No one can be named additional insured on a WC policy (§3.5); the form
            # prints N/A in that box.
            raise ValueError("Workers' compensation has no additional insureds.")


@dataclass(frozen=True)
class CertificateDocument:
    """Everything one certificate prints."""

    number: str
    issued_on: date
    verification_url: str
    producer: Party
    insured: Party
    insurers: tuple[Insurer, ...]
    rows: tuple[CoverageRow, ...]
    description_of_operations: str
    holder: Party
    # Set when the holder is additional insured on the GL row: only for this window.
    additional_insured_window: tuple[datetime, datetime] | None = None
    # Who the GL grant names when a contract lists them (empty: the holder).
    additional_insureds: tuple[Party, ...] = ()
    # The contract asks for primary and non-contributory wording (GL, the window only).
    primary_non_contributory: bool = False
    # A banner such as "VOID: superseded by certificate …" or "SAMPLE"; None for none.
    status_note: str | None = None
    # The IANA zone the windows print in (the job site's), so a document read back
    # from JSON (where only the offset survives) prints "EST", not "UTC-05:00".
    time_zone: str = "UTC"

    def __post_init__(self) -> None:
        object.__setattr__(self, "insurers", tuple(self.insurers))
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "additional_insureds", tuple(self.additional_insureds))
        if self.primary_non_contributory and self.additional_insured_window is None:
            raise ValueError("Primary and non-contributory wording needs a GL grant.")
        if not self.number.strip():
            raise ValueError("A certificate needs a number.")
        if not self.verification_url.strip():
            raise ValueError("A certificate needs its verification URL.")
        if not self.rows:
            raise ValueError("A certificate lists at least one coverage.")
        if len(self.rows) > MAX_COVERAGE_ROWS:
            raise ValueError(
                f"A one-page certificate lists at most {MAX_COVERAGE_ROWS} coverages."
            )
        letters = [insurer.letter for insurer in self.insurers]
        if len(set(letters)) != len(letters):
            raise ValueError("Each insurer letter is used once.")
        for row in self.rows:
            if row.insurer_letter not in letters:
                raise ValueError(
                    f"Policy {row.policy_number} names insurer {row.insurer_letter!r}, "
                    "which the certificate does not list."
                )
        has_ai_row = any(row.additional_insured for row in self.rows)
        if self.additional_insured_window is not None:
            start, end = self.additional_insured_window
            _require_aware(start, end)
            if end <= start:
                raise ValueError("The dispatch window ends after it starts.")
            if not has_ai_row:
                raise ValueError(
                    "An additional-insured window needs a GL row marked additional insured."
                )
        elif has_ai_row:
            # Our product grants additional-insured status for a dispatch window only;
            # a Y without its window would overstate the cover.
            raise ValueError("An additional-insured row needs the dispatch window.")


def _require_aware(*moments: datetime) -> None:
    if any(m.tzinfo is None or m.utcoffset() is None for m in moments):
        raise ValueError("Window times must be timezone-aware.")


def operations_remarks(doc: CertificateDocument) -> list[tuple[str, str]]:
    """The DESCRIPTION OF OPERATIONS box as (font style, paragraph) pairs: the dispatch,
    then the additional-insured grant in bold (what a property manager looks for), then
    any waiver of subrogation."""
    parts = [("", doc.description_of_operations.strip())]
    granted = [r.policy_number for r in doc.rows if r.additional_insured]
    names = (
        party_list(doc.additional_insureds)
        if doc.additional_insureds
        else doc.holder.name
    )
    if doc.additional_insured_window is not None:
        parts.append(
            (
                "B",
                additional_insured_wording(
                    holder_name=doc.holder.name,
                    policy_numbers=granted,
                    window=doc.additional_insured_window,
                    parties=doc.additional_insureds,
                ),
            )
        )
        if doc.primary_non_contributory:
            parts.append(("B", primary_wording(names=names, policy_numbers=granted)))
    waived = [r.line for r in doc.rows if r.subrogation_waived]
    if waived:
        parts.append(
            (
                "",
                subrogation_wording(
                    holder_name=names, lines=list(dict.fromkeys(waived))
                ),
            )
        )
    # The description stays first even when empty: the renderer protects every part
    # after it from truncation.
    return parts
