"""The certificate PDF's fast paths draw what fpdf2's own paths draw.

A certificate is written with its fonts subset from tables read once per process
(``document/subset.py``), its text lines written directly (``Canvas.text_line``),
its paragraphs broken by ``document/lines.py`` and its QR mask scored on whole rows
(``document/qr.py``). Each is held here to what fpdf2, fontTools and segno give for
the same input.
"""

from __future__ import annotations

import io
import random
import struct
from dataclasses import replace

import pytest
import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader

from coverage.certificates.document import Party, render_certificate_pdf
from coverage.certificates.document.canvas import FONT, Canvas
from coverage.certificates.document.lines import break_lines
from coverage.certificates.document.qr import qr_matrix
from coverage.certificates.document.text import FONT_FILES, pdf_text
from tests.coverage.certificate_samples import sample_document, wc_only_document


def variants() -> list:
    long = (
        "Ünïcode ß Ирина Νίκος (paren) back\\slash " + "a very long description " * 80
    )
    return [
        sample_document(),
        wc_only_document(),
        sample_document(status_note="VOID \u2014 superseded by CRT-2026-000002"),
        sample_document(description_of_operations=long),
        sample_document(insured=Party("Łukasz Wróbel 日本", ("ul. Długa\u00a05",))),
        sample_document(
            number="CRT-2026-ZZZZ",
            verification_url="https://x.example/c/CRT-2026-ZZZZ/",
        ),
    ]


def with_fpdf2s_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render through fpdf2's own output (fontTools subsets each font)."""
    monkeypatch.setattr(Canvas, "render", lambda self: bytes(self.output()))


def page_fonts(pdf: bytes) -> dict[str, dict]:
    """Per font: each code's glyph (outline, instructions, advance), width and text."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = {}
    for ref in page["/Resources"]["/Font"].values():
        composite = ref.get_object()
        cid_font = composite["/DescendantFonts"][0].get_object()
        data = cid_font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
        program = TTFont(io.BytesIO(data), checkChecksums=2)  # a bad table raises
        padded = data + b"\0" * (-len(data) % 4)
        whole = sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF
        order = program.getGlyphOrder()
        table = program["glyf"]
        cid_to_gid = cid_font["/CIDToGIDMap"].get_object().get_data()
        glyphs = {}
        for code in range(len(cid_to_gid) // 2):
            gid = int.from_bytes(cid_to_gid[2 * code : 2 * code + 2], "big")
            if not gid:
                continue
            glyph = table[order[gid]]
            glyph.expand(table)
            points = (
                list(glyph.getCoordinates(table)[0]) if glyph.numberOfContours else []
            )
            program_bytes = (
                glyph.program.getBytecode() if hasattr(glyph, "program") else b""
            )
            box = (
                (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
                if glyph.numberOfContours
                else None
            )
            glyphs[code] = (points, program_bytes, box, program["hmtx"][order[gid]])
        head = program["head"]
        fonts[str(composite["/BaseFont"])] = {
            "glyphs": glyphs,
            "widths": list(cid_font["/W"]),
            "to_unicode": composite["/ToUnicode"].get_object().get_data(),
            "head": (head.unitsPerEm, head.flags & 0x2, head.xMin, head.yMax),
            "file checksum": whole,
            "hinting": [program[t].compile(program) for t in ("fpgm", "prep", "cvt ")],
        }
    return fonts


def expand_widths(widths: list) -> dict[int, int]:
    found, at = {}, 0
    while at < len(widths):
        first = widths[at]
        if isinstance(widths[at + 1], list):
            found |= {first + i: w for i, w in enumerate(widths[at + 1])}
            at += 2
        else:
            found |= dict.fromkeys(range(first, widths[at + 1] + 1), widths[at + 2])
            at += 3
    return found


def test_the_embedded_fonts_carry_the_glyphs_fontTools_would_embed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = [render_certificate_pdf(doc) for doc in variants()]
    with_fpdf2s_writer(monkeypatch)
    theirs = [render_certificate_pdf(doc) for doc in variants()]
    for fast, reference in zip(ours, theirs, strict=True):
        fast_page = PdfReader(io.BytesIO(fast)).pages[0]
        reference_page = PdfReader(io.BytesIO(reference)).pages[0]
        # The same drawing, text and picture; only the font files are cut differently.
        assert (
            fast_page.get_contents().get_data()
            == reference_page.get_contents().get_data()
        )
        assert fast_page.extract_text() == reference_page.extract_text()
        assert [i.data for i in fast_page.images] == [
            i.data for i in reference_page.images
        ]
        fast_fonts, reference_fonts = page_fonts(fast), page_fonts(reference)
        assert fast_fonts.keys() == reference_fonts.keys()
        for name, font in fast_fonts.items():
            reference_font = reference_fonts[name]
            assert font["glyphs"] == reference_font["glyphs"]
            assert expand_widths(font["widths"]) == expand_widths(
                reference_font["widths"]
            )
            assert font["to_unicode"] == reference_font["to_unicode"]
            assert font["head"] == reference_font["head"]
            assert font["hinting"] == reference_font["hinting"]
            assert font["file checksum"] == 0xB1B0AFBA


def test_text_lines_are_written_as_fpdf2s_cell_writes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = [render_certificate_pdf(doc) for doc in variants()]
    monkeypatch.setattr(
        Canvas,
        "text_line",
        lambda self, width, height, text, align="L": self.cell(
            width, height, text, align=align
        ),
    )
    assert [render_certificate_pdf(doc) for doc in variants()] == ours


def test_paragraphs_break_where_fpdf2_breaks_them() -> None:
    words = [
        "Harbor", "Point", "LLC,", "José", "Muñoz", "Ирина", "Νίκος", "a", "an",
        "(jb_4fK29xQm)", "07086", "\u2013", "Weehawken,", "NJ", "the", "insured's",
        "Supercalifragilisticexpialidociously-long-hyphenated-word",
        "W" * 40, "i" * 70,
    ]  # fmt: skip
    separators = [" ", " ", " ", "  ", "\n", " \n", "\u00a0", "\u2002"]
    chance = random.Random(2026)
    fonts = {}
    for style, path in FONT_FILES.items():
        reference = FPDF(unit="pt", format="letter")
        reference.add_font(FONT, style, str(path))
        reference.add_page()
        reference.c_margin = 2.5
        fonts[style] = reference
    compared = 0
    for _ in range(400):
        style = chance.choice(list(fonts))
        reference = fonts[style]
        size = chance.choice([5.5, 6.5, 7, 8, 8.5, 9, 11, 15])
        width = chance.choice([20.0, 46.0, 90.0, 138.0, 278.0, 556.0])
        text = pdf_text(
            "".join(
                chance.choice(words) + chance.choice(separators)
                for _ in range(chance.randint(1, 60))
            ).rstrip(chance.choice(["", " ", "\n"]))
        )
        reference.set_font(FONT, style, size)
        expected = reference.multi_cell(width, size, text, dry_run=True, output="LINES")
        font = reference.current_font
        found = break_lines(
            text,
            width_of=lambda char, cw=font.cw: cw[ord(char)],
            size_pt=size,
            k=reference.k,
            max_width=width - 2.5 - 2.5,
        )
        if found is None:  # a character wider than the box: left to fpdf2
            continue
        assert list(found) == expected, (text, width, size, style)
        compared += 1
    assert compared > 300


def test_the_qr_code_is_segnos_for_any_address() -> None:
    chance = random.Random(7)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    for n in range(150):
        number = "CRT-2026-" + "".join(
            chance.choice(alphabet) for _ in range(chance.choice([8, 8, 3, 24, 60]))
        )
        url = f"https://portal.dispatchcoverage.example/certificates/{number}/"
        if n % 3 == 0:
            url = url.lower()
        expected = segno.make(url, error="m", micro=False).matrix
        assert qr_matrix(url) == tuple(bytes(row) for row in expected), url


def test_a_document_renders_the_same_in_any_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Per-document state (picked characters, their codes) never leaks between
    # certificates: rendering others in between changes no byte.
    documents = variants()
    alone = [render_certificate_pdf(doc) for doc in documents]
    mixed = [
        render_certificate_pdf(replace(doc, number=doc.number + "-X"))
        and render_certificate_pdf(doc)
        for doc in reversed(documents)
    ]
    assert list(reversed(mixed)) == alone
