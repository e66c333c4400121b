"""The certificate document: its content rules, and the PDF a property manager reads."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
from pypdf import PdfReader

from coverage.certificates.document import (
    ADDITIONAL_INSURED_NOTICE,
    CANCELLATION_WORDING,
    COVERAGES_NOTICE,
    GENERAL_LIABILITY,
    INFORMATION_ONLY_NOTICE,
    INSURERS,
    PRODUCER,
    TITLE,
    WORKERS_COMP,
    CertificateDocument,
    CoverageRow,
    Insurer,
    Party,
    additional_insured_wording,
    canvas,
    format_date,
    format_money,
    format_window,
    gl_limits,
    pdf_text,
    render_certificate_pdf,
    subrogation_wording,
    wc_limits,
)
from policies.lines import CoverageType
from tests.coverage.certificate_samples import (
    GL_ROW,
    HOLDER,
    NUMBER,
    VERIFICATION_URL,
    WC_ROW,
    WINDOW,
    page_text,
    sample_document,
    wc_only_document,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WINDOW_TEXT = "11/22/2026 08:00 \u2013 11/22/2026 17:00 UTC"


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render_certificate_pdf(sample_document())


@pytest.fixture(scope="module")
def sample_text(sample_pdf: bytes) -> str:
    return page_text(sample_pdf)


# --- What the PDF says -------------------------------------------------------------


def test_it_prints_the_title_number_and_issue_date(sample_text: str) -> None:
    assert TITLE in sample_text
    assert f"CERTIFICATE NUMBER {NUMBER}" in sample_text
    assert "DATE (MM/DD/YYYY) 11/21/2026" in sample_text


def test_it_prints_the_insured_and_the_producer(sample_text: str) -> None:
    assert "INSURED José Muñoz 41 Ferry Street, Apt 3 Newark, NJ 07105" in sample_text
    assert (
        "PRODUCER Dispatch Coverage Insurance Services 1500 Market Street, Suite 1200"
        in sample_text
    )


def test_it_lists_the_insurers_with_naic_numbers(sample_text: str) -> None:
    assert "INSURER A : Sample Casualty Insurance Company 99901" in sample_text
    assert (
        "INSURER B : Sample Workers' Compensation Insurance Company 99902"
        in sample_text
    )


def test_it_prints_each_policy_row_with_its_marks_and_dates(sample_text: str) -> None:
    # ADDL INSD, SUBR WVD, policy number, effective, expiry, in the form's column order.
    assert "Y Y GL-2026-000481 03/01/2026 03/01/2027" in sample_text
    assert "N/A Y WC-2026-000482 04/15/2026 04/15/2027" in sample_text


def test_it_prints_the_limits(sample_text: str) -> None:
    for label, amount in (*gl_limits(), *wc_limits()):
        assert f"{label} {amount}" in sample_text
    assert "EACH OCCURRENCE $1,000,000" in sample_text
    assert "DAMAGE TO RENTED PREMISES (Ea occurrence) $100,000" in sample_text
    assert "GENERAL AGGREGATE $2,000,000" in sample_text


def test_it_prints_the_wc_state_and_class_code_routed_at_dispatch(
    sample_text: str,
) -> None:
    assert "Per statute State: NJ \u00b7 Class 9410 (routed at dispatch)" in sample_text


def test_it_names_the_holder_additional_insured_for_the_window_only(
    sample_text: str,
) -> None:
    assert (
        "Harbor Point Property Management LLC is an additional insured under general "
        "liability policy GL-2026-000481, with respect to liability arising out of the "
        "named insured's operations, for the dispatch window only: " + WINDOW_TEXT
    ) in sample_text


def test_it_describes_the_dispatch(sample_text: str) -> None:
    assert (
        "Work job: HVAC repair, rooftop unit 2 (jb_4fK29xQm) "
        "Site: 200 Harbor Boulevard, Weehawken, NJ 07086 "
        f"Dispatch window: {WINDOW_TEXT}"
    ) in sample_text


def test_it_prints_the_waiver_of_subrogation(sample_text: str) -> None:
    wording = subrogation_wording(
        holder_name=HOLDER.name, lines=[GENERAL_LIABILITY, WORKERS_COMP]
    )
    assert wording in sample_text
    assert "general liability and workers' compensation policies" in wording


def test_it_prints_the_certificate_holder(sample_text: str) -> None:
    assert (
        "CERTIFICATE HOLDER CANCELLATION Harbor Point Property Management LLC "
        "200 Harbor Boulevard Weehawken, NJ 07086"
    ) in sample_text


def test_it_prints_the_fixed_wording(sample_text: str) -> None:
    for wording in (
        INFORMATION_ONLY_NOTICE,
        ADDITIONAL_INSURED_NOTICE,
        COVERAGES_NOTICE,
        CANCELLATION_WORDING,
    ):
        assert wording in sample_text
    assert (
        "NOTICE WILL BE DELIVERED IN ACCORDANCE WITH THE POLICY PROVISIONS"
        in CANCELLATION_WORDING
    )
    assert "AUTHORIZED REPRESENTATIVE" in sample_text


def test_it_prints_the_verification_url_beside_the_qr_code(sample_text: str) -> None:
    assert f"VERIFY THIS CERTIFICATE {VERIFICATION_URL}" in sample_text
    assert f"/certificates/{NUMBER}/" in sample_text


# --- The file ----------------------------------------------------------------------


def test_it_is_one_us_letter_page(sample_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sample_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (612, 792)


def test_its_one_image_is_a_qr_code_of_the_verification_url(
    sample_pdf: bytes,
) -> None:
    page = PdfReader(io.BytesIO(sample_pdf)).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    images = [
        name for name in xobjects if xobjects[name].get_object()["/Subtype"] == "/Image"
    ]
    assert len(images) == 1

    # Read the modules back from the pixels and compare them with the URL's QR matrix.
    picture = page.images[0].image.convert("L")
    matrix = segno.make(VERIFICATION_URL, error="m", micro=False).matrix
    size = len(matrix)
    scale = picture.width // (size + 8)  # 4 modules of quiet zone on each side
    assert picture.width == picture.height == scale * (size + 8)
    for row in range(size):
        for column in range(size):
            centre = ((column + 4) * scale + scale // 2, (row + 4) * scale + scale // 2)
            assert (picture.getpixel(centre) < 128) == bool(matrix[row][column])


def test_the_qr_code_and_the_url_link_to_the_verification_page(
    sample_pdf: bytes,
) -> None:
    page = PdfReader(io.BytesIO(sample_pdf)).pages[0]
    uris = {annot.get_object()["/A"]["/URI"] for annot in page["/Annots"]}
    assert uris == {VERIFICATION_URL}


def test_identical_documents_give_identical_bytes(sample_pdf: bytes) -> None:
    render_certificate_pdf(sample_document(number="CRT-OTHER"))
    assert render_certificate_pdf(sample_document()) == sample_pdf


def test_the_bytes_do_not_depend_on_what_the_process_rendered_before() -> None:
    # A worker keeps parsed fonts and measured text between certificates; a document
    # must come out the same whether it is the worker's first or its thousandth.
    long = sample_document(
        description_of_operations="Ünïcode ß " + "a very long description " * 80
    )
    others = [sample_document(number="CRT-OTHER", status_note="VOID"), long]

    def first_in_a_fresh_worker(doc: CertificateDocument) -> bytes:
        canvas._WRAPPED.clear()
        canvas._MASTER_FONTS.clear()
        return render_certificate_pdf(doc)

    for doc in (sample_document(), long, wc_only_document()):
        cold = first_in_a_fresh_worker(doc)
        for other in others:
            render_certificate_pdf(other)
        assert render_certificate_pdf(doc) == cold


def test_the_creation_date_is_the_issue_date(sample_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sample_pdf))
    assert reader.metadata.creation_date == datetime(2026, 11, 21, tzinfo=UTC)
    later = render_certificate_pdf(sample_document(issued_on=date(2026, 11, 22)))
    assert later != sample_pdf


def test_it_renders_well_under_a_second() -> None:
    document = sample_document()
    for _ in range(3):
        started = time.perf_counter()
        render_certificate_pdf(document)
        assert time.perf_counter() - started < 1.0


def test_it_writes_a_sample_to_look_at() -> None:
    """test-artifacts/certificate-sample.pdf (git-ignored), and a PNG of it when
    poppler's pdftoppm is installed, for a person to check the layout by eye."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "certificate-sample.pdf"
    target.write_bytes(render_certificate_pdf(sample_document()))
    assert PdfReader(target).pages[0].extract_text()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        prefix = ARTIFACTS / "certificate-sample"
        subprocess.run(
            [pdftoppm, "-png", "-r", "110", "-singlefile", str(target), str(prefix)],
            check=True,
            timeout=60,
        )
        assert prefix.with_suffix(".png").stat().st_size > 0


# --- Variants ----------------------------------------------------------------------


def test_a_wc_only_certificate_marks_addl_insd_na_and_grants_no_ai() -> None:
    text = page_text(render_certificate_pdf(wc_only_document()))
    assert "N/A N WC-2026-000482 04/15/2026 04/15/2027" in text
    assert "is an additional insured" not in text
    assert "Waiver of subrogation" not in text
    assert "COMMERCIAL GENERAL LIABILITY" not in text
    assert "State: NJ \u00b7 Class 9410" in text
    # The form's standing notice about additional insureds stays, as on every ACORD 25.
    assert ADDITIONAL_INSURED_NOTICE in text


def test_a_status_note_is_printed_as_a_banner() -> None:
    text = page_text(
        render_certificate_pdf(
            sample_document(status_note="VOID \u2014 superseded by CRT-2026-000002")
        )
    )
    assert "VOID \u2014 superseded by CRT-2026-000002" in text


def test_long_texts_shrink_and_wrap_and_keep_the_owed_wording() -> None:
    long_name = (
        "Harbor Point Property Management LLC, its successors and assigns, directors, "
        "officers, employees and agents, and the owners of the Harbor Point Towers"
    )
    holder = Party(
        long_name,
        (
            "200 Harbor Boulevard, Building C, Floor 14, Suite 1400, Attention: Risk "
            "Management and Insurance Compliance Department",
            "Weehawken, NJ 07086-6789",
            "United States of America",
            "Phone (201) 555-0199",
            "Fax (201) 555-0198",
            "risk@harborpoint.example",
        ),
    )
    # Six long custom limit labels on both rows and a wall of details: the worst the
    # table can hold.
    long_limits = tuple(
        (f"SPECIAL LIMIT NUMBER {i} FOR THIS PARTICULAR CONTRACT", "$1,000,000")
        for i in range(6)
    )
    rows = (
        replace(
            GL_ROW,
            policy_number="GL-2026-000481-ENDORSEMENT-0000000017",
            limits=long_limits,
            details=("Per project aggregate, form CG 25 03. " * 12,),
        ),
        replace(WC_ROW, limits=long_limits, details=("Per statute. " * 40,)),
    )
    document = sample_document(
        number="CRT-2026-7KQ2M9XA-0000000000001",
        insured=Party(long_name.upper(), holder.address_lines),
        holder=holder,
        rows=rows,
        description_of_operations="Emergency compressor replacement. " * 200,
        status_note="VOID: superseded by a later certificate. " * 8,
        insurers=(
            *INSURERS,
            Insurer(
                "C",
                "Compagnie Générale des Assurances Internationales et Mutuelles du Nord",
                "12345",
            ),
        ),
    )
    pdf = render_certificate_pdf(document)

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = page_text(pdf)
    # The free-text description gives way (with an ellipsis), never the grant and the
    # waiver the holder is owed.
    assert "..." in text
    wording = additional_insured_wording(
        holder_name=long_name,
        policy_numbers=["GL-2026-000481-ENDORSEMENT-0000000017"],
        window=WINDOW,
    )
    assert squeeze(wording) in text
    waiver = subrogation_wording(
        holder_name=long_name, lines=[GENERAL_LIABILITY, WORKERS_COMP]
    )
    assert squeeze(waiver) in text
    assert CANCELLATION_WORDING in text
    assert VERIFICATION_URL in text


def test_names_in_any_script_the_font_has_print_as_written() -> None:
    document = sample_document(
        insured=Party("Łukasz Wróbel-Żółć", ("ul. Długa 5", "Gdańsk 80-001")),
        holder=Party("“Smart” Quotes — Νίκος Ирина Property Ltd 王"),
        description_of_operations="Tech’s note: replace the ‘old’ unit… ≥ 2 tons",
    )
    pdf = render_certificate_pdf(document)
    text = page_text(pdf)
    assert "Łukasz Wróbel-Żółć ul. Długa 5 Gdańsk 80-001" in text
    # No glyph for CJK in the embedded font: the loss shows as "?", never a blank.
    assert "“Smart” Quotes — Νίκος Ирина Property Ltd ?" in text
    assert "Tech’s note: replace the ‘old’ unit… ≥ 2 tons" in text
    # The Unicode TrueType font is embedded (a subset), not a core font.
    assert b"/FontFile2" in pdf and b"DejaVuSansCondensed" in pdf
    assert b"/Helvetica" not in pdf


@pytest.mark.parametrize(
    ("given", "printed"),
    [
        ("José Muñoz", "José Muñoz"),
        ("Łukasz Żółć", "Łukasz Żółć"),
        ("Dvořák Šimić", "Dvořák Šimić"),
        ("Nguyễn Đức", "Nguyễn Đức"),
        ("Νίκος Παπαδόπουλος", "Νίκος Παπαδόπουλος"),
        ("Ирина Петрова", "Ирина Петрова"),
        ("Ørsted Æbeløe Straße", "Ørsted Æbeløe Straße"),
        ("“quoted” ‘single’ – — … • €", "“quoted” ‘single’ – — … • €"),
        (
            "non\u2011breaking\u2010hyphen \u2212 minus",
            "non\u2011breaking\u2010hyphen \u2212 minus",
        ),
        ("zero\u200bwidth\u00adsoft", "zerowidthsoft"),
        ("tab\there\nline", "tab here\nline"),
        ("C1 control \x85 here", "C1 control   here"),
        ("\ufb01nance \uff21", "\ufb01nance A"),
        ("王伟", "??"),
    ],
)
def test_pdf_text_keeps_what_the_font_prints_and_transliterates_the_rest(
    given: str, printed: str
) -> None:
    assert pdf_text(given) == printed


# --- Formatting and defaults -------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0"),
        (5_000_00, "$5,000"),
        (100_000_00, "$100,000"),
        (2_000_000_00, "$2,000,000"),
    ],
)
def test_format_money_prints_whole_dollars(cents: int, text: str) -> None:
    assert format_money(cents) == text


@pytest.mark.parametrize(
    ("cents", "error"),
    [(150, ValueError), (-100, ValueError), (1.5, TypeError), (True, TypeError)],
)
def test_format_money_refuses_what_is_not_a_whole_dollar_limit(
    cents: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        format_money(cents)  # type: ignore[arg-type]


def test_format_date_is_us_form_style() -> None:
    assert format_date(date(2026, 3, 1)) == "03/01/2026"


def test_format_window_names_the_zone() -> None:
    assert format_window(*WINDOW) == WINDOW_TEXT


def test_format_window_across_a_dst_change_names_both_zones() -> None:
    new_york = ZoneInfo("America/New_York")
    window = (
        datetime(2026, 11, 1, 0, 30, tzinfo=new_york),
        datetime(2026, 11, 1, 3, 0, tzinfo=new_york),
    )
    assert format_window(*window) == "11/01/2026 00:30 EDT \u2013 11/01/2026 03:00 EST"


def test_format_window_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_window(datetime(2026, 11, 22, 8), datetime(2026, 11, 22, 17))


def test_gl_limits_default_to_the_common_contractor_limits() -> None:
    assert gl_limits() == (
        ("EACH OCCURRENCE", "$1,000,000"),
        ("DAMAGE TO RENTED PREMISES (Ea occurrence)", "$100,000"),
        ("MED EXP (Any one person)", "$5,000"),
        ("PERSONAL & ADV INJURY", "$1,000,000"),
        ("GENERAL AGGREGATE", "$2,000,000"),
        ("PRODUCTS - COMP/OP AGG", "$2,000,000"),
    )


def test_gl_limits_rise_to_what_the_entity_requires() -> None:
    limits = dict(
        gl_limits(occurrence_cents=2_000_000_00, aggregate_cents=4_000_000_00)
    )
    assert limits["EACH OCCURRENCE"] == "$2,000,000"
    assert limits["GENERAL AGGREGATE"] == "$4,000,000"
    assert limits["PRODUCTS - COMP/OP AGG"] == "$4,000,000"


def test_gl_limits_never_drop_below_the_defaults() -> None:
    assert gl_limits(occurrence_cents=500_000_00, aggregate_cents=1_000_000_00) == (
        gl_limits()
    )


def test_gl_aggregate_is_never_below_the_occurrence_limit() -> None:
    limits = dict(gl_limits(occurrence_cents=3_000_000_00))
    assert limits["GENERAL AGGREGATE"] == "$3,000,000"


def test_wc_limits_are_the_employers_liability_limits() -> None:
    assert wc_limits() == (
        ("E.L. EACH ACCIDENT", "$1,000,000"),
        ("E.L. DISEASE - EA EMPLOYEE", "$1,000,000"),
        ("E.L. DISEASE - POLICY LIMIT", "$1,000,000"),
    )


def test_lines_are_spelled_as_coverage_types() -> None:
    assert CoverageType.GENERAL.value == GENERAL_LIABILITY
    assert CoverageType.WORKERS_COMP.value == WORKERS_COMP


def test_the_demo_insurers_are_visibly_samples() -> None:
    assert all(insurer.name.startswith("Sample ") for insurer in INSURERS)
    assert PRODUCER.name == "Dispatch Coverage Insurance Services"


# --- What a document refuses -------------------------------------------------------


def test_wc_cannot_carry_an_additional_insured() -> None:
    with pytest.raises(ValueError, match="no additional insureds"):
        replace(WC_ROW, additional_insured=True)


def test_a_policy_expires_after_it_takes_effect() -> None:
    with pytest.raises(ValueError, match="expires after"):
        replace(GL_ROW, expires=GL_ROW.effective)


def test_a_row_holds_at_most_six_limits() -> None:
    with pytest.raises(ValueError, match="at most 6 limits"):
        replace(GL_ROW, limits=(*gl_limits(), ("EXTRA", "$1")))


def test_an_unknown_line_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown line"):
        replace(GL_ROW, line="cyber")


def test_additional_insured_needs_its_window() -> None:
    with pytest.raises(ValueError, match="needs the dispatch window"):
        sample_document(additional_insured_window=None)


def test_a_window_needs_an_additional_insured_row() -> None:
    with pytest.raises(ValueError, match="needs a GL row"):
        sample_document(rows=(replace(GL_ROW, additional_insured=False), WC_ROW))


def test_the_window_is_aware_and_ends_after_it_starts() -> None:
    start, end = WINDOW
    with pytest.raises(ValueError, match="timezone-aware"):
        sample_document(
            additional_insured_window=(
                start.replace(tzinfo=None),
                end.replace(tzinfo=None),
            )
        )
    with pytest.raises(ValueError, match="ends after it starts"):
        sample_document(additional_insured_window=(end, start))


def test_every_row_names_a_listed_insurer() -> None:
    with pytest.raises(ValueError, match="does not list"):
        sample_document(insurers=INSURERS[:1])


def test_insurer_letters_are_a_to_f_and_unique() -> None:
    with pytest.raises(ValueError, match="A to F"):
        Insurer("G", "Seventh Insurer", "00007")
    with pytest.raises(ValueError, match="used once"):
        sample_document(insurers=(*INSURERS, replace(INSURERS[0], name="Again")))


def test_a_certificate_fits_on_one_page_of_coverage_rows() -> None:
    with pytest.raises(ValueError, match="at most 2 coverages"):
        sample_document(rows=(GL_ROW, WC_ROW, WC_ROW))
    with pytest.raises(ValueError, match="at least one"):
        sample_document(rows=())


def test_a_party_needs_a_name() -> None:
    with pytest.raises(ValueError, match="needs a name"):
        Party("  ")


def test_lists_are_accepted_and_frozen_into_tuples() -> None:
    row = CoverageRow(
        line="general",
        insurer_letter="A",
        policy_number="GL-1",
        effective=date(2026, 1, 1),
        expires=date(2027, 1, 1),
        additional_insured=False,
        subrogation_waived=False,
        limits=[["EACH OCCURRENCE", "$1,000,000"]],  # type: ignore[arg-type]
        details=["Occurrence"],  # type: ignore[arg-type]
    )
    assert row.limits == (("EACH OCCURRENCE", "$1,000,000"),)
    assert row.details == ("Occurrence",)
    assert {row}  # hashable: frozen all the way down
