"""fpdf2 drawing for certificates: a page whose text is fitted into fixed boxes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Final

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import CharVPos, TextMode
from fpdf.fonts import SubsetMap, TTFFont

from coverage.certificates.document.lines import break_lines
from coverage.certificates.document.output import FONT_PROGRAMS, CertificateOutput
from coverage.certificates.document.subset import FontProgram
from coverage.certificates.document.text import FONT_FILES, pdf_text

# fpdf2 subsets the embedded font through fontTools, which logs every step at INFO:
# thousands of lines per certificate in the worker's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# US Letter, in points.
PAGE_WIDTH: Final = 612.0
PAGE_HEIGHT: Final = 792.0
MARGIN: Final = 28.0
CONTENT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN
HALF_WIDTH: Final = CONTENT_WIDTH / 2
BOTTOM: Final = PAGE_HEIGHT - MARGIN
FONT: Final = "CertificateSans"  # the embedded Unicode font (text.FONT_FILES)
LINE_SPACING: Final = 1.22
# Smallest size any box shrinks its text to before it truncates.
MIN_FONT_SIZE: Final = 5.5
LABEL_SIZE: Final = 5.5
LABEL_HEIGHT: Final = 8.0
CELL_PADDING: Final = 2.5
RULE_WIDTH: Final = 0.5
BAR_FILL: Final = (226, 226, 226)


# Wrapping is a pure function of the text, the box, the size and the style (the font
# files never change while the process runs), and it is most of a render's time: every
# fitted box tries sizes from large to small, each a dry run of fpdf2's line breaking.
# The fixed wording (the notices, the cancellation and verification texts, headings)
# is the same on every certificate, so a worker measures it once. A dry run draws
# nothing and adds nothing to the page, so a remembered result changes no byte.
_WRAPPED: dict[tuple[str, float, float, str, float], tuple[str, ...]] = {}
_WRAPPED_MAX: Final = 4096
# A text's advance in font units (what fpdf2's get_text_width sums), by font key.
_UNITS: dict[tuple[str, str], float] = {}
_FONT_KEYS: Final = {style: FONT.lower() + style for style in ("", "B", "I")}
# Per style: the font as fpdf2 parsed it (never used to draw), and its file's bytes.
_MASTER_FONTS: dict[str, TTFFont] = {}
_FONT_BYTES: dict[str, bytes] = {}


@dataclass(frozen=True)
class Block:
    """A run of wrapped lines in one style."""

    style: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Fitted:
    """Text wrapped and sized to fit a box: what ``Canvas.draw`` prints."""

    size: float
    line_height: float
    blocks: tuple[Block, ...]

    @property
    def height(self) -> float:
        return self.line_height * sum(len(b.lines) for b in self.blocks)


class Canvas(FPDF):
    """fpdf2 set up for certificates: points, Letter, no automatic page breaks."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="pt", format="letter")
        self._shown: dict[str, dict[str, str]] = {}
        for style, path in FONT_FILES.items():
            self._add_cached_font(style, path)
        # Everything is placed at computed positions; a page break would silently split
        # a certificate, so overflow is handled by fitting text instead.
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = CELL_PADDING
        self.set_line_width(RULE_WIDTH)
        self.set_draw_color(0, 0, 0)

    def _add_cached_font(self, style: str, path: Path) -> None:
        """``add_font``, with the font's metrics parsed once per process.

        fpdf2 parses the whole TTF on every ``add_font`` (its width and glyph tables):
        a third of a render. The parsed font is kept, and each document gets a copy
        with its own subset (the glyphs it uses) and its own lazily opened font file,
        since writing the PDF subsets that file in place. The copy is what
        ``add_font`` would have built, so the bytes are the same.
        """
        master = _MASTER_FONTS.get(style)
        if master is None:
            scratch = FPDF(unit="pt")
            scratch.add_font(FONT, style, str(path))
            (parsed,) = scratch.fonts.values()
            assert isinstance(parsed, TTFFont)
            if "glyf" in parsed.ttfont and ".notdef" not in parsed.ttfont["glyf"]:
                # fpdf2 draws a stand-in .notdef into its parsed file: not shareable.
                self.add_font(FONT, style, str(path))
                return
            master = _MASTER_FONTS[style] = parsed
            _FONT_BYTES[style] = path.read_bytes()
            FONT_PROGRAMS[master.fontkey] = FontProgram(_FONT_BYTES[style])
        # Shallow: the widths, glyph ids and cmap are only read (a width looked up for
        # a character the font lacks stores the same default every time).
        font = copy(master)
        font.i = len(self.fonts) + 1
        font.ttfont = TTFont(
            BytesIO(_FONT_BYTES[style]),
            recalcTimestamp=False,
            fontNumber=master.collection_font_number,
            lazy=True,
        )
        font.missing_glyphs = []
        font.subset = SubsetMap(font)
        self.fonts[master.fontkey] = font

    def text_line(
        self, width: float, height: float, text: str, align: str = "L"
    ) -> None:
        """``cell(width, height, text, align=align)``: one line of text, no border.

        What fpdf2's ``cell`` writes for one line in one TrueType font at rest (no
        shaping, stretching, spacing, rise, underline or fallback font), byte for
        byte, without building its fragments and graphics states per call: most
        certificate text goes through here. Anything else is left to ``cell``.
        """
        font = self.current_font
        if not (
            text
            and isinstance(font, TTFFont)
            and not font.color_font
            and not self.text_shaping
            and not self._fallback_font_ids
            and not self._record_text_quad_points
            and not self.underline
            and not self.strikethrough
            and self.font_stretching == 100
            and self.char_spacing == 0
            and self.text_mode == TextMode.FILL
            and self.char_vpos == CharVPos.LINE
            and align in ("L", "C", "R")
        ):
            self.cell(width, height, text, align=align)
            return
        if not self.current_font_is_set_on_page:
            # The text object that selects the font, which ``cell`` writes first.
            self._out(self._set_font_for_page(font, self.font_size_pt))
        k = self.k
        size_pt = self.font_size_pt
        if size_pt > font.biggest_size_pt:  # as get_text_width records it
            font.biggest_size_pt = size_pt
        units = _UNITS.get((font.fontkey, text))
        if units is None:
            if len(_UNITS) >= _WRAPPED_MAX:
                _UNITS.clear()
            units = _UNITS[font.fontkey, text] = sum([font.cw[ord(c)] for c in text])
        text_width = units * size_pt * 0.001 / k
        if align == "R":
            dx = width - self.c_margin - text_width
        elif align == "C":
            dx = (width - text_width) / 2
        else:
            dx = self.c_margin
        table = self._pick(font, text)
        start = (
            f"BT {(self.x + dx) * k:.2f} "
            f"{(self.h - self.y - 0.5 * height - 0.3 * self.font_size) * k:.2f} Td"
        )
        shown = f"({''.join([table[char] for char in text])}) Tj ET"
        color = self.text_color
        if color != self.fill_color:
            assert color is not None
            self._out(f"q {start} {color.serialize().lower()} {shown} Q")
        else:
            self._out(f"{start} {shown}")
        self._lasth = height
        self.x += width

    def render(self) -> bytes:
        """The finished file, its fonts subset by ``subset`` (see ``output``)."""
        return bytes(self.output(output_producer_class=CertificateOutput))

    def wrap(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        self.use_font(style, size)
        if not text:
            return []
        key = (text, width, size, style, self.c_margin)
        found = _WRAPPED.get(key)
        if found is None:
            found = self._wrap(text, width)
            if len(_WRAPPED) >= _WRAPPED_MAX:
                _WRAPPED.clear()
            _WRAPPED[key] = found
        # fpdf2's dry run picks the lines' characters into the font's subset, in this
        # order (the subset's order is in the PDF's bytes); picked again, nothing moves.
        font = self.current_font
        assert isinstance(font, TTFFont)
        for line in found:
            self._pick(font, line)
        return list(found)

    def _pick(self, font: TTFFont, text: str) -> dict[str, str]:
        """Pick the text's characters into the font's subset, in reading order, as
        ``cell`` and the line breaker do; each character's code as escaped PDF text."""
        table = self._shown.setdefault(font.fontkey, {})
        for char in text:
            if char not in table:
                code = font.subset.pick(ord(char))
                table[char] = font.escape_text(chr(code)) if code else ""
        return table

    def use_font(self, style: str, size: float) -> None:
        """``set_font(FONT, style, size)``, skipped when that font is already set (as
        ``set_font`` itself would return early, after normalising its arguments)."""
        font = self.current_font
        if (
            font is None
            or self.font_style != style
            or self.font_size_pt != size
            or font.fontkey != _FONT_KEYS[style]
            or self.underline
            or self.strikethrough
        ):
            self.set_font(FONT, style, size)

    def _wrap(self, text: str, width: float) -> tuple[str, ...]:
        """The lines ``multi_cell(width, text, dry_run=True, output="LINES")`` gives
        in the current font: by ``lines.break_lines``, or by fpdf2 where that defers."""
        text = pdf_text(text)
        font = self.current_font
        assert isinstance(font, TTFFont)
        widths = font.cw
        room = width  # as fpdf2 takes the cell's margins off, one at a time
        room -= float(self.c_margin)
        room -= float(self.c_margin)
        found = break_lines(
            text,
            width_of=lambda char: widths[ord(char)],
            size_pt=self.font_size_pt,
            k=self.k,
            max_width=room,
        )
        if found is not None:
            return found
        return self._fpdf2_wrap(text, width)

    def _fpdf2_wrap(self, text: str, width: float) -> tuple[str, ...]:
        lines = self.multi_cell(
            width, self.font_size_pt, text, dry_run=True, output="LINES"
        )
        # With output="LINES" alone fpdf2 returns just the list of lines (its signature
        # is the union of every output combination). With a Unicode font embedded, the
        # lines are already text.
        assert isinstance(lines, list)
        return tuple(str(line) for line in lines)

    def fit(
        self,
        parts: Sequence[tuple[str, str]],
        *,
        width: float,
        height: float,
        size: float,
        min_size: float = MIN_FONT_SIZE,
        keep_whole: int = 0,
    ) -> Fitted:
        """Wrap (style, text) parts into the box, shrinking the type until they fit.

        Long names, addresses and descriptions shrink first; only when even the smallest
        size overflows are lines dropped, the last kept one ending in "...". The last
        ``keep_whole`` parts are never cut (the additional-insured grant must print in
        full however long the free-text description is); the parts before them give way.
        """
        current = size
        while True:
            line_height = current * LINE_SPACING
            blocks = tuple(
                Block(style, tuple(self.wrap(text, width, current, style)))
                for style, text in parts
            )
            fitted = Fitted(current, line_height, blocks)
            if fitted.height <= height + 0.01 or current <= min_size:
                break
            current = max(min_size, current - 0.5)
        if fitted.height <= height + 0.01:
            return fitted
        room = max(1, int((height + 0.01) // fitted.line_height))
        split = len(fitted.blocks) - keep_whole
        whole = fitted.blocks[split:]
        whole_lines = sum(len(block.lines) for block in whole)
        if keep_whole and whole_lines < room:
            head = self._truncate(
                fitted.blocks[:split], fitted.size, width, room - whole_lines
            )
            return Fitted(fitted.size, fitted.line_height, (*head, *whole))
        return Fitted(
            fitted.size,
            fitted.line_height,
            self._truncate(fitted.blocks, fitted.size, width, room),
        )

    def _truncate(
        self, blocks: Sequence[Block], size: float, width: float, room: int
    ) -> tuple[Block, ...]:
        """The first ``room`` lines of the blocks, the last one ending in "..."."""
        kept: list[Block] = []
        for block in blocks:
            if room <= 0:
                break
            kept.append(Block(block.style, block.lines[:room]))
            room -= len(kept[-1].lines)
        while kept and not kept[-1].lines:
            kept.pop()
        if not kept:
            return ()
        last = kept[-1]
        self.use_font(last.style, size)
        tail = last.lines[-1]
        usable = width - 2 * self.c_margin
        while tail and self.get_string_width(tail + "...") > usable:
            tail = tail[:-1]
        kept[-1] = Block(last.style, (*last.lines[:-1], tail.rstrip() + "..."))
        return tuple(kept)

    def draw(
        self, fitted: Fitted, *, x: float, y: float, width: float, align: str = "L"
    ) -> float:
        """Print fitted lines from (x, y); returns the y below the last line."""
        for block in fitted.blocks:
            self.use_font(block.style, fitted.size)
            for line in block.lines:
                self.set_xy(x, y)
                self.text_line(width, fitted.line_height, line, align=align)
                y += fitted.line_height
        return y

    def text_in_box(
        self,
        parts: Sequence[tuple[str, str]],
        *,
        x: float,
        y: float,
        width: float,
        height: float,
        size: float,
        align: str = "L",
    ) -> None:
        fitted = self.fit(parts, width=width, height=height, size=size)
        self.draw(fitted, x=x, y=y, width=width, align=align)

    def label(self, text: str, x: float, y: float, width: float) -> None:
        """A box's small caps heading, top-left inside the box."""
        self.use_font("B", LABEL_SIZE)
        self.set_xy(x, y + 1)
        self.text_line(width, LABEL_SIZE * LINE_SPACING, pdf_text(text))

    def labelled_box(
        self,
        heading: str,
        parts: Sequence[tuple[str, str]],
        *,
        x: float,
        y: float,
        width: float,
        height: float,
        size: float = 8.0,
    ) -> None:
        self.rect(x, y, width, height)
        self.label(heading, x, y, width)
        self.text_in_box(
            parts,
            x=x,
            y=y + LABEL_HEIGHT + 1,
            width=width,
            height=height - LABEL_HEIGHT - 3,
            size=size,
        )

    def bar(self, x: float, y: float, width: float, height: float) -> None:
        self.set_fill_color(*BAR_FILL)
        self.rect(x, y, width, height, style="DF")
