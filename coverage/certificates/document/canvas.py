"""fpdf2 drawing for certificates: a page whose text is fitted into fixed boxes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from fpdf import FPDF

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
        for style, path in FONT_FILES.items():
            self.add_font(FONT, style, str(path))
        # Everything is placed at computed positions; a page break would silently split
        # a certificate, so overflow is handled by fitting text instead.
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = CELL_PADDING
        self.set_line_width(RULE_WIDTH)
        self.set_draw_color(0, 0, 0)

    def wrap(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        self.set_font(FONT, style, size)
        if not text:
            return []
        lines = self.multi_cell(
            width, size, pdf_text(text), dry_run=True, output="LINES"
        )
        # With output="LINES" alone fpdf2 returns just the list of lines (its signature
        # is the union of every output combination). With a Unicode font embedded, the
        # lines are already text.
        assert isinstance(lines, list)
        return [str(line) for line in lines]

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
        self.set_font(FONT, last.style, size)
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
            self.set_font(FONT, block.style, fitted.size)
            for line in block.lines:
                self.set_xy(x, y)
                self.cell(width, fitted.line_height, line, align=align)
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
        self.set_font(FONT, "B", LABEL_SIZE)
        self.set_xy(x, y + 1)
        self.cell(width, LABEL_SIZE * LINE_SPACING, pdf_text(text))

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
