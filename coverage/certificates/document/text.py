"""Text the PDF's core fonts can print."""

from __future__ import annotations

import unicodedata
from typing import Final

# fpdf2's core fonts declare WinAnsiEncoding (Windows-1252), so we encode text that way:
# it is Latin-1 plus the typographic characters names and descriptions actually contain
# (curly quotes, en and em dashes, ellipsis, Š, ž, Œ). Anything else is transliterated
# here, deliberately, rather than left to raise or silently vanish.
PDF_TEXT_ENCODING: Final = "windows-1252"

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
    try:
        char.encode(PDF_TEXT_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def pdf_text(text: str) -> str:
    """Text the PDF's core fonts can print: Windows-1252, with everything else transliterated.

    "José Muñoz" is unchanged; "Łukasz Wróbel" becomes "Lukasz Wróbel"; a character with
    no Latin form becomes "?" so that the loss is visible rather than silent. Line breaks
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
