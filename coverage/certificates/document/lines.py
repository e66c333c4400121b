"""Line breaking for certificate text: fpdf2's word wrap, without its per-character cost.

``multi_cell(dry_run=True, output="LINES")`` re-measures the whole line for every
character it adds, so breaking a paragraph costs the square of its length; fitting
a box tries several sizes, and a certificate's holder, insured and dispatch texts are
new on every certificate. ``break_lines`` follows the same rules (fpdf2's
``MultiLineBreak`` for one font without markdown, shaping or soft hyphens: break at
the last breaking space that fits, drop the space a line overflows on, cut a word
with no space before it, keep explicit line breaks) with one running sum of the
same integer glyph widths and the same float arithmetic, so it breaks exactly where
fpdf2 does (a test compares the two over many texts, widths and sizes). What it does
not follow it hands back to fpdf2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from fpdf.line_break import BREAKING_SPACE_SYMBOLS_STR, NBSP, SOFT_HYPHEN
from fpdf.util import FloatTolerance

_NEWLINE: Final = "\n"
# Characters fpdf2 treats specially in ways this does not follow.
_LEAVE_TO_FPDF2: Final = frozenset((SOFT_HYPHEN, "\f", "\r"))


def break_lines(
    text: str,
    *,
    width_of: Callable[[str], float],
    size_pt: float,
    k: float,
    max_width: float,
) -> tuple[str, ...] | None:
    """The lines fpdf2 would break ``text`` into, or None to ask fpdf2.

    ``width_of`` gives a character's advance in font units (fpdf2's ``cw``),
    ``max_width`` is the room left between the cell's margins.
    """
    if _LEAVE_TO_FPDF2.intersection(text):
        return None
    tolerance = FloatTolerance.TOLERANCE
    lines: list[str] = []
    chars: list[str] = []
    units: float = 0  # the line's width in font units, summed as fpdf2 sums them
    space_at = -1  # where in ``chars`` the last breaking space went
    space_index = -1  # and where in ``text``
    index = 0
    length = len(text)
    forced_at = -1
    while index < length:
        char = text[index]
        if char == _NEWLINE:
            lines.append("".join(chars))
            chars, units, space_at = [], 0, -1
            index += 1
            continue
        char_width = width_of(char) * size_pt * 0.001 / k
        line_width = units * size_pt * 0.001 / k
        if (line_width + char_width) - max_width > tolerance:
            if char in BREAKING_SPACE_SYMBOLS_STR:
                lines.append("".join(chars))
                index += 1
            elif space_at >= 0:
                lines.append("".join(chars[:space_at]))
                index = space_index + 1
            else:
                if forced_at == index or not chars:
                    return None  # a character wider than the box: fpdf2's call
                forced_at = index
                lines.append("".join(chars))
            chars, units, space_at = [], 0, -1
            continue
        if char in BREAKING_SPACE_SYMBOLS_STR:
            space_at, space_index = len(chars), index
        elif char == NBSP:
            char = " "  # printed as a space, measured as one from here on
        chars.append(char)
        units += width_of(char)
        index += 1
    if units:
        lines.append("".join(chars))
    return tuple(lines) if lines else ("",)
