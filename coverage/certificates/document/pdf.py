"""The certificate as a one-page US Letter PDF, drawn with fpdf2's core fonts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Final

from coverage.certificates.document.canvas import (
    BOTTOM,
    CELL_PADDING,
    CONTENT_WIDTH,
    HALF_WIDTH,
    LABEL_HEIGHT,
    LINE_SPACING,
    MARGIN,
    PAGE_HEIGHT,
    RULE_WIDTH,
    Canvas,
    Fitted,
)
from coverage.certificates.document.fields import (
    ADDITIONAL_INSURED_NOTICE,
    CANCELLATION_WORDING,
    COVERAGES_NOTICE,
    INFORMATION_ONLY_NOTICE,
    INSURER_LETTERS,
    LINE_TITLES,
    NOT_APPLICABLE,
    TITLE,
    VERIFY_EXPLANATION,
    WORKERS_COMP,
    CertificateDocument,
    CoverageRow,
    Party,
    format_date,
    operations_remarks,
)
from coverage.certificates.document.qr import qr_image
from coverage.certificates.document.text import pdf_text

# The grid mirrors the ACORD 25: parties in two columns, the coverage table across the
# page, the holder and cancellation boxes side by side. Units are points.

GAP: Final = 5.0
ALERT_RED: Final = (176, 0, 32)
LINK_BLUE: Final = (0, 51, 153)
QR_SIZE: Final = 66.0
HOLDER_BLOCK_HEIGHT: Final = 96.0
VERIFY_BLOCK_HEIGHT: Final = QR_SIZE + 8
# The description box gets the height left over, but never less than this.
MIN_DESCRIPTION_HEIGHT: Final = 60.0
# A limit line's height is its label's plus this, and never less than LIMIT_LINE_MIN.
LIMIT_LINE_PADDING: Final = 3.0
LIMIT_LINE_MIN: Final = 11.0
ROW_MIN_HEIGHT: Final = 30.0
# How far the type-of-insurance text may make a row taller than its limits need.
TYPE_OVERHANG: Final = 24.0

# Coverage table columns: (heading, width). The widths add up to CONTENT_WIDTH.
_COLUMNS: Final = (
    ("INSR\nLTR", 20.0),
    ("TYPE OF INSURANCE", 138.0),
    ("ADDL\nINSD", 25.0),
    ("SUBR\nWVD", 25.0),
    ("POLICY NUMBER", 92.0),
    ("POLICY EFF\n(MM/DD/YYYY)", 48.0),
    ("POLICY EXP\n(MM/DD/YYYY)", 48.0),
    ("LIMITS", 160.0),
)
_LIMIT_AMOUNT_WIDTH: Final = 56.0


def _party_parts(party: Party) -> list[tuple[str, str]]:
    parts = [("B", party.name)]
    if party.address_lines:
        parts.append(("", "\n".join(party.address_lines)))
    return parts


def _draw_header(pdf: Canvas, doc: CertificateDocument, y: float) -> float:
    date_width, number_width, height = 78.0, 138.0, 28.0
    number_x = MARGIN + CONTENT_WIDTH - number_width
    date_x = number_x - date_width
    pdf.text_in_box(
        [("B", TITLE)],
        x=MARGIN - CELL_PADDING,
        y=y + 5,
        width=date_x - MARGIN,
        height=20,
        size=15,
    )
    for heading, value, x, width in (
        ("DATE (MM/DD/YYYY)", format_date(doc.issued_on), date_x, date_width),
        ("CERTIFICATE NUMBER", doc.number, number_x, number_width),
    ):
        pdf.labelled_box(
            heading, [("B", value)], x=x, y=y, width=width, height=height, size=9
        )
    return y + height + GAP


def _draw_status_note(pdf: Canvas, note: str, y: float) -> float:
    height = 18.0
    pdf.set_draw_color(*ALERT_RED)
    pdf.set_text_color(*ALERT_RED)
    pdf.set_line_width(1.2)
    pdf.rect(MARGIN, y, CONTENT_WIDTH, height)
    pdf.text_in_box(
        [("B", note)],
        x=MARGIN,
        y=y + 3.5,
        width=CONTENT_WIDTH,
        height=height - 4,
        size=10,
        align="C",
    )
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)
    pdf.set_line_width(RULE_WIDTH)
    return y + height + GAP


def _draw_notice(pdf: Canvas, text: str, y: float, *, style: str) -> float:
    size = 6.5
    fitted = pdf.fit([(style, text)], width=CONTENT_WIDTH, height=200, size=size)
    height = fitted.height + 5
    pdf.rect(MARGIN, y, CONTENT_WIDTH, height)
    pdf.draw(fitted, x=MARGIN, y=y + 2.5, width=CONTENT_WIDTH)
    return y + height


def _draw_parties(pdf: Canvas, doc: CertificateDocument, y: float) -> float:
    row_height = 20.0
    box_height = (len(INSURER_LETTERS) + 1) * row_height / 2
    left = MARGIN
    pdf.labelled_box(
        "PRODUCER",
        _party_parts(doc.producer),
        x=left,
        y=y,
        width=HALF_WIDTH,
        height=box_height,
    )
    pdf.labelled_box(
        "INSURED",
        _party_parts(doc.insured),
        x=left,
        y=y + box_height,
        width=HALF_WIDTH,
        height=box_height,
        size=9,
    )

    right = MARGIN + HALF_WIDTH
    naic_width = 52.0
    name_width = HALF_WIDTH - naic_width
    pdf.bar(right, y, HALF_WIDTH, row_height)
    pdf.rect(right + name_width, y, naic_width, row_height)
    pdf.use_font("B", 6.5)
    pdf.set_xy(right, y + 6)
    pdf.text_line(name_width, 8, "INSURER(S) AFFORDING COVERAGE", align="C")
    pdf.text_line(naic_width, 8, "NAIC #", align="C")
    by_letter = {insurer.letter: insurer for insurer in doc.insurers}
    for index, letter in enumerate(INSURER_LETTERS):
        top = y + row_height * (index + 1)
        pdf.rect(right, top, name_width, row_height)
        pdf.rect(right + name_width, top, naic_width, row_height)
        pdf.use_font("B", 6.5)
        pdf.set_xy(right, top + 6)
        pdf.text_line(42, 8, f"INSURER {letter} :")
        insurer = by_letter.get(letter)
        if insurer is None:
            continue
        name = pdf.fit(
            [("", insurer.name)], width=name_width - 46, height=row_height - 3, size=8
        )
        pdf.draw(
            name,
            x=right + 46,
            y=top + (row_height - name.height) / 2,
            width=name_width - 46,
        )
        naic = pdf.fit([("", insurer.naic)], width=naic_width, height=10, size=8)
        pdf.draw(
            naic,
            x=right + name_width,
            y=top + (row_height - naic.height) / 2,
            width=naic_width,
            align="C",
        )
    return y + 2 * box_height + GAP


def _draw_coverages_heading(pdf: Canvas, doc: CertificateDocument, y: float) -> float:
    height = 14.0
    pdf.bar(MARGIN, y, CONTENT_WIDTH, height)
    pdf.use_font("B", 9)
    pdf.set_xy(MARGIN, y + 2.5)
    pdf.text_line(120, 9, "COVERAGES")
    pdf.use_font("B", 7)
    pdf.set_xy(MARGIN + 150, y + 3)
    pdf.text_line(CONTENT_WIDTH - 150, 8, pdf_text(f"CERTIFICATE NUMBER: {doc.number}"))
    y += height
    return _draw_notice(pdf, COVERAGES_NOTICE, y, style="")


def _column_lefts() -> list[float]:
    lefts, x = [], MARGIN
    for _, width in _COLUMNS:
        lefts.append(x)
        x += width
    return lefts


def _draw_table_header(pdf: Canvas, y: float) -> float:
    height = 18.0
    pdf.bar(MARGIN, y, CONTENT_WIDTH, height)
    for (heading, width), left in zip(_COLUMNS, _column_lefts(), strict=True):
        pdf.rect(left, y, width, height)
        lines = heading.split("\n")
        pdf.use_font("B", 5.5)
        top = y + (height - len(lines) * 6.5) / 2
        for number, line in enumerate(lines):
            pdf.set_xy(left, top + number * 6.5)
            pdf.text_line(width, 6.5, line, align="C")
    return y + height


@dataclass(frozen=True)
class _RowLayout:
    type_text: Fitted
    # Each limit label, wrapped, with the height of its line in the limits grid.
    limits: tuple[tuple[Fitted, float], ...]
    height: float


def _row_layout(pdf: Canvas, row: CoverageRow, *, compact: bool = False) -> _RowLayout:
    """Measure a coverage row. ``compact`` gives each limit one line and lets the type
    text grow no taller than the limits: the fallback when long custom texts would
    otherwise push the boxes below off the page."""
    size = 6.5
    label_lines = 1 if compact else 2
    label_width = _COLUMNS[7][1] - _LIMIT_AMOUNT_WIDTH
    limits = []
    for label, _ in row.limits:
        fitted = pdf.fit(
            [("", label)],
            width=label_width,
            height=label_lines * size * LINE_SPACING,
            size=size,
        )
        limits.append((fitted, max(fitted.height + LIMIT_LINE_PADDING, LIMIT_LINE_MIN)))
    base = max(sum(h for _, h in limits), ROW_MIN_HEIGHT)

    type_parts = [("B", LINE_TITLES[row.line])]
    if row.details:
        type_parts.append(("", "\n".join(row.details)))
    type_width = _COLUMNS[1][1]
    natural = pdf.fit(type_parts, width=type_width, height=PAGE_HEIGHT, size=size)
    room = base if compact else base + TYPE_OVERHANG
    height = max(base, min(natural.height + 6, room))
    type_text = pdf.fit(type_parts, width=type_width, height=height - 6, size=size)
    return _RowLayout(type_text, tuple(limits), height)


def _draw_row(pdf: Canvas, row: CoverageRow, layout: _RowLayout, y: float) -> float:
    height = layout.height
    lefts = _column_lefts()
    for (_, width), left in zip(_COLUMNS, lefts, strict=True):
        pdf.rect(left, y, width, height)
    text_top = y + 3

    def centred(column: int, value: str, size: float = 8, style: str = "B") -> None:
        pdf.text_in_box(
            [(style, value)],
            x=lefts[column],
            y=text_top,
            width=_COLUMNS[column][1],
            height=height - 4,
            size=size,
            align="C",
        )

    centred(0, row.insurer_letter, size=9)
    pdf.draw(layout.type_text, x=lefts[1], y=text_top, width=_COLUMNS[1][1])
    ai_mark = (
        NOT_APPLICABLE if row.line == WORKERS_COMP else _yes_no(row.additional_insured)
    )
    centred(2, ai_mark, size=7)
    centred(3, _yes_no(row.subrogation_waived), size=7)
    centred(4, row.policy_number, size=7.5, style="")
    centred(5, format_date(row.effective), size=7.5, style="")
    centred(6, format_date(row.expires), size=7.5, style="")

    limits_left = lefts[7]
    label_width = _COLUMNS[7][1] - _LIMIT_AMOUNT_WIDTH
    limits = layout.limits
    # Spread any spare height over the limit lines so their grid closes at the row's foot.
    spare = (height - sum(h for _, h in limits)) / len(limits) if limits else 0.0
    top = y
    for (fitted, natural_height), (_, amount) in zip(limits, row.limits, strict=True):
        line_height = natural_height + spare
        pdf.rect(limits_left, top, label_width, line_height)
        pdf.rect(limits_left + label_width, top, _LIMIT_AMOUNT_WIDTH, line_height)
        pdf.draw(
            fitted,
            x=limits_left,
            y=top + (line_height - fitted.height) / 2,
            width=label_width,
        )
        pdf.text_in_box(
            [("", amount)],
            x=limits_left + label_width,
            y=top + (line_height - 7.5 * LINE_SPACING) / 2,
            width=_LIMIT_AMOUNT_WIDTH,
            height=line_height,
            size=7.5,
            align="R",
        )
        top += line_height
    return y + height


def _yes_no(flag: bool) -> str:
    return "Y" if flag else "N"


def _draw_description(
    pdf: Canvas, doc: CertificateDocument, y: float, height: float
) -> float:
    remarks = operations_remarks(doc)
    pdf.rect(MARGIN, y, CONTENT_WIDTH, height)
    pdf.label(
        "DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES", MARGIN, y, CONTENT_WIDTH
    )
    fitted = pdf.fit(
        remarks,
        width=CONTENT_WIDTH,
        height=height - LABEL_HEIGHT - 3,
        size=8,
        # Everything after the free-text description is wording we owe the holder.
        keep_whole=len(remarks) - 1,
    )
    pdf.draw(fitted, x=MARGIN, y=y + LABEL_HEIGHT + 1, width=CONTENT_WIDTH)
    return y + height + GAP


def _draw_holder_and_cancellation(
    pdf: Canvas, doc: CertificateDocument, y: float
) -> float:
    height = HOLDER_BLOCK_HEIGHT
    pdf.bar(MARGIN, y, HALF_WIDTH, 13)
    pdf.bar(MARGIN + HALF_WIDTH, y, HALF_WIDTH, 13)
    pdf.use_font("B", 7.5)
    pdf.set_xy(MARGIN, y + 2.5)
    pdf.text_line(HALF_WIDTH, 8, "CERTIFICATE HOLDER")
    pdf.set_xy(MARGIN + HALF_WIDTH, y + 2.5)
    pdf.text_line(HALF_WIDTH, 8, "CANCELLATION")
    pdf.rect(MARGIN, y, HALF_WIDTH, height)
    pdf.rect(MARGIN + HALF_WIDTH, y, HALF_WIDTH, height)
    pdf.text_in_box(
        _party_parts(doc.holder),
        x=MARGIN + 6,
        y=y + 19,
        width=HALF_WIDTH - 12,
        height=height - 24,
        size=9,
    )

    right = MARGIN + HALF_WIDTH
    cancellation = pdf.fit(
        [("", CANCELLATION_WORDING)], width=HALF_WIDTH, height=50, size=7
    )
    pdf.draw(cancellation, x=right, y=y + 17, width=HALF_WIDTH)
    signature_top = y + height - 32
    pdf.line(right, signature_top, right + HALF_WIDTH, signature_top)
    pdf.label("AUTHORIZED REPRESENTATIVE", right, signature_top, HALF_WIDTH)
    pdf.text_in_box(
        [("I", f"Electronically issued by {doc.producer.name}")],
        x=right,
        y=signature_top + 11,
        width=HALF_WIDTH,
        height=18,
        size=8,
    )
    return y + height + GAP


def _draw_verification(pdf: Canvas, doc: CertificateDocument, y: float) -> float:
    height = VERIFY_BLOCK_HEIGHT
    pdf.rect(MARGIN, y, CONTENT_WIDTH, height)
    # Error correction M survives a smudged printout; the 4-module quiet zone is part
    # of the image so the code scans whatever is drawn next to it.
    pdf.image(
        qr_image(doc.verification_url, scale=6, border=4),
        x=MARGIN + 4,
        y=y + 4,
        w=QR_SIZE,
        h=QR_SIZE,
        link=doc.verification_url,
    )
    text_left = MARGIN + QR_SIZE + 12
    text_width = CONTENT_WIDTH - QR_SIZE - 16
    pdf.label("VERIFY THIS CERTIFICATE", text_left, y + 8, text_width)
    url = pdf.fit([("B", doc.verification_url)], width=text_width, height=24, size=11)
    pdf.set_text_color(*LINK_BLUE)
    url_top = y + 20
    for line in url.blocks[0].lines:
        pdf.use_font("B", url.size)
        pdf.set_xy(text_left, url_top)
        pdf.cell(text_width, url.line_height, line, link=doc.verification_url)
        url_top += url.line_height
    pdf.set_text_color(0, 0, 0)
    pdf.text_in_box(
        [("", VERIFY_EXPLANATION)],
        x=text_left,
        y=url_top + 3,
        width=text_width,
        height=y + height - url_top - 6,
        size=7.5,
    )
    return y + height


def render_certificate_pdf(doc: CertificateDocument) -> bytes:
    """The certificate as a one-page US Letter PDF.

    Identical documents give identical bytes: the PDF's creation date is the issue date
    (midnight UTC) rather than the clock, and nothing else in the file varies.
    """
    pdf = Canvas()
    pdf.set_creation_date(datetime.combine(doc.issued_on, time.min, tzinfo=UTC))
    pdf.set_title(pdf_text(f"Certificate of liability insurance {doc.number}"))
    pdf.set_author(pdf_text(doc.producer.name))
    pdf.set_subject(pdf_text(f"Certificate of insurance for {doc.insured.name}"))
    pdf.set_creator("Dispatch coverage portal")
    pdf.add_page()

    y = _draw_header(pdf, doc, MARGIN)
    if doc.status_note:
        y = _draw_status_note(pdf, doc.status_note, y)
    y = _draw_notice(pdf, INFORMATION_ONLY_NOTICE, y, style="B")
    y = _draw_notice(pdf, ADDITIONAL_INSURED_NOTICE, y + GAP, style="") + GAP
    y = _draw_parties(pdf, doc, y)
    y = _draw_coverages_heading(pdf, doc, y)
    y = _draw_table_header(pdf, y)

    # The description takes whatever height the table and the fixed boxes below leave.
    description_bottom = BOTTOM - HOLDER_BLOCK_HEIGHT - VERIFY_BLOCK_HEIGHT - 2 * GAP
    room = description_bottom - y - GAP - MIN_DESCRIPTION_HEIGHT
    layouts = [_row_layout(pdf, row) for row in doc.rows]
    if sum(layout.height for layout in layouts) > room:
        layouts = [_row_layout(pdf, row, compact=True) for row in doc.rows]
    if sum(layout.height for layout in layouts) > room:
        # Unreachable with MAX_COVERAGE_ROWS rows of MAX_LIMITS_PER_ROW limits; kept
        # so that a future change fails loudly instead of printing boxes over each other.
        raise ValueError("The coverage rows do not fit on one page.")
    for row, layout in zip(doc.rows, layouts, strict=True):
        y = _draw_row(pdf, row, layout, y)
    y = _draw_description(pdf, doc, y + GAP, description_bottom - y - GAP)
    y = _draw_holder_and_cancellation(pdf, doc, y)
    _draw_verification(pdf, doc, y)
    return pdf.render()
