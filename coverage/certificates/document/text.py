"""Text the certificate's embedded font can print, and where that font is."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Final

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # no type hints shipped

# A Unicode TrueType font, embedded (subset) in every certificate: a legal document must
# print a name as written, not as Windows-1252 can. DejaVu Sans Condensed from Debian's
# fonts-dejavu-core (free licence; fonts/README.md). A character the font has no glyph
# for (e.g. CJK) is transliterated here, deliberately, rather than left to print blank.
FONT_DIR: Final = Path(__file__).resolve().parent / "fonts"
FONT_FILES: Final[dict[str, Path]] = {
    "": FONT_DIR / "DejaVuSansCondensed.ttf",
    "B": FONT_DIR / "DejaVuSansCondensed-Bold.ttf",
    "I": FONT_DIR / "DejaVuSansCondensed-Oblique.ttf",
}


@cache
def _glyphs() -> frozenset[int]:
    """Code points every style of the font can print."""
    styles = [set(TTFont(path).getBestCmap()) for path in FONT_FILES.values()]
    return frozenset(set.intersection(*styles))


# Letters and signs that Unicode does not decompose into a base letter plus accents.
_TRANSLITERATIONS: Final[dict[str, str]] = {
    "\u0141": "L",  # Ł
    "\u0142": "l",  # ł
    "\u0110": "D",  # Đ
    "\u0111": "d",  # đ
    "\u0126": "H",  # Ħ
    "\u0127": "h",  # ħ
    "\u0131": "i",  # dotless ı
    "\u0166": "T",  # Ŧ
    "\u0167": "t",  # ŧ
    "\u014a": "N",  # Ŋ
    "\u014b": "n",  # ŋ
    "\u0138": "k",  # ĸ
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2015": "\u2014",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2032": "'",  # prime
    "\u2033": '"',  # double prime
    "\u2190": "<-",
    "\u2192": "->",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
}
_UNPRINTABLE: Final = "?"


def _printable(char: str) -> bool:
    return ord(char) in _glyphs()


def pdf_text(text: str) -> str:
    """Text the embedded font can print; anything else transliterated.

    "José Muñoz", "Łukasz Wróbel", "Νίκος" and "Ирина" are unchanged; a character the font
    lacks becomes its Latin form or "?", so that the loss is visible rather than silent. Line breaks
    survive; other control characters become spaces (C1 controls would otherwise print
    as whatever glyph Windows-1252 keeps in their slot).
    """
    out: list[str] = []
    for char in text:
        if char == "\n":
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            out.append(" ")
        elif category == "Cf":
            continue  # zero-width joiners, soft hyphens, byte-order marks
        elif _printable(char):
            out.append(char)
        elif char in _TRANSLITERATIONS:
            out.append(_TRANSLITERATIONS[char])
        else:
            base = "".join(
                c
                for c in unicodedata.normalize("NFKD", char)
                if not unicodedata.combining(c)
            )
            out.append(base if base and all(map(_printable, base)) else _UNPRINTABLE)
    return "".join(out)
