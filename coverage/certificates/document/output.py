"""Writing a certificate's PDF: fpdf2's output, with its fonts embedded by ``subset``.

fpdf2 lets a document choose the class that writes its file
(``FPDF.output(output_producer_class=...)``). This one writes the same font objects
fpdf2 writes for an embedded TrueType font (a Type0 font over a CIDFontType2, its
widths, ToUnicode map, descriptor, CIDToGIDMap and font file), with the font file cut
by ``subset.FontProgram`` from tables read once per process instead of a fresh
fontTools parse, subset and compile per document.
"""

from __future__ import annotations

from copy import copy
from typing import Any, Final

from fpdf.fonts import Glyph, TTFFont
from fpdf.output import (
    CIDSystemInfo,
    OutputProducer,
    PDFContentStream,
    PDFFont,
    PDFFontStream,
)
from fpdf.syntax import Name, PDFArray

from coverage.certificates.document.subset import FontProgram

# Per fpdf2 font key: the font's tables as ``subset`` reads them (filled by the canvas).
FONT_PROGRAMS: dict[str, FontProgram] = {}

_TO_UNICODE_HEAD: Final = (
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo\n"
    "<</Registry (Adobe)\n"
    "/Ordering (UCS)\n"
    "/Supplement 0\n"
    ">> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n"
    "<0000> <FFFF>\n"
    "endcodespacerange\n"
)
_TO_UNICODE_TAIL: Final = (
    "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
)


def _utf16(code: int) -> str:
    if code > 0xFFFF:
        high = 0xD800 | (code - 0x10000) >> 10
        low = 0xDC00 | (code & 0x3FF)
        return f"{high:04X}{low:04X}"
    return f"{code:04X}"


def _to_unicode(entries: list[str]) -> bytes:
    blocks = []
    for start in range(0, len(entries), 100):  # Adobe Technical Note #5014
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n{''.join(chunk)}endbfchar\n")
    return (_TO_UNICODE_HEAD + "".join(blocks) + _TO_UNICODE_TAIL).encode("latin-1")


def _widths(widths: dict[int, int]) -> str:
    """The CIDFont's W array: runs of consecutive codes, ``c [w1 w2 ...]``."""
    runs: list[tuple[int, list[int]]] = []
    for code, width in sorted(widths.items()):
        if runs and runs[-1][0] + len(runs[-1][1]) == code:
            runs[-1][1].append(width)
        else:
            runs.append((code, [width]))
    return (
        "["
        + " ".join(f"{start} [{' '.join(map(str, ws))}]" for start, ws in runs)
        + "]"
    )


def _cid_to_gid(code_to_glyph: dict[int, int]) -> bytes:
    """Two bytes per code up to the highest used one; codes past the end map to glyph
    0 (ISO 32000-1 §9.7.4.2), so the table need not span all 65,536 codes."""
    table = bytearray(2 * (max(code_to_glyph, default=0) + 1))
    for code, glyph in code_to_glyph.items():
        table[2 * code] = glyph >> 8
        table[2 * code + 1] = glyph & 0xFF
    return bytes(table)


def _codes(glyph: Glyph) -> tuple[int, ...]:
    return glyph.unicode if isinstance(glyph.unicode, tuple) else ()


class CertificateOutput(OutputProducer):
    """fpdf2's writer, with ``FONT_PROGRAMS`` fonts embedded by ``subset``."""

    def _add_fonts(self, *args: Any) -> Any:
        fonts = sorted(self.fpdf.fonts.values(), key=lambda font: font.i)
        if not all(
            isinstance(font, TTFFont)
            and not font.color_font
            and not font.is_cff
            and font.fontkey in FONT_PROGRAMS
            for font in fonts
        ):
            return super()._add_fonts(*args)
        font_objs_per_index: dict[int, PDFFont] = {}
        for font in fonts:
            assert isinstance(font, TTFFont)
            font_objs_per_index[font.i] = self._add_subset_font(font)
        return font_objs_per_index

    def _add_subset_font(self, font: TTFFont) -> PDFFont:
        program = FONT_PROGRAMS[font.fontkey]
        fontname = f"MPDFAA+{font.name}"
        used = [(glyph, code) for glyph, code in font.subset.items() if glyph]
        old_gid = {glyph: program.gid_by_name[glyph.glyph_name] for glyph, _ in used}
        file, new_gid = program.subset(
            {unicode: old_gid[glyph] for glyph, _ in used for unicode in _codes(glyph)}
        )
        composite = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2",
            base_font=fontname,
            d_w=font.desc.missing_width,
            w=_widths({code: glyph.glyph_width for glyph, code in used}),
        )
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])
        entries = [
            f"<{code:04X}> <{''.join(_utf16(c) for c in _codes(glyph))}>\n"
            for glyph, code in used
            if _codes(glyph)
        ]
        to_unicode = PDFContentStream(_to_unicode(entries))
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode
        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info
        descriptor = copy(font.desc)  # the parsed font's, shared by every document
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor
        cid_to_gid = PDFContentStream(
            _cid_to_gid({code: new_gid[old_gid[glyph]] for glyph, code in used}),
            compress=True,
        )
        self._add_pdf_obj(cid_to_gid, "fonts")
        cid_font.c_i_d_to_g_i_d_map = cid_to_gid
        font_file = PDFFontStream(contents=file)
        self._add_pdf_obj(font_file, "fonts")
        descriptor.font_file2 = font_file  # type: ignore[attr-defined]
        font.subset.pick.cache_clear()
        font.subset.get_glyph.cache_clear()
        font.close()
        return composite
