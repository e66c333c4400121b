"""TrueType subsetting for certificates: the font's tables read once per process, and each
certificate's subset cut from them by copying the glyphs it prints.

fpdf2 subsets through fontTools, which parses and recompiles every table of the font
on every document: three quarters of a render. A certificate needs only what a PDF
reader draws a CIDFontType2 with (ISO 32000-1 §9.9: glyf, loca, head, hhea, hmtx, maxp
and the hinting tables cvt, fpgm and prep), so the subset here keeps those as they are,
copies the used glyphs' outlines byte for byte in the font's own order (composite
glyphs bring their components, renumbered), and adds a small cmap, OS/2, name and a
format 3 post. Layout tables (GSUB, GPOS, GDEF, MATH) are dropped, as fpdf2 drops
them. The result is a pure function of the set of glyphs, so identical certificates
embed identical bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from itertools import chain
from typing import Final

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # no type hints shipped

# Kept verbatim (when the font has them): what a PDF reader needs besides the tables
# rebuilt below, plus the naming and OS/2 metrics tables that font tools expect.
_VERBATIM: Final[tuple[str, ...]] = ("OS/2", "cvt ", "fpgm", "gasp", "name", "prep")

# Composite glyph component flags (OpenType 'glyf' table).
_ARG_1_AND_2_ARE_WORDS: Final = 0x0001
_WE_HAVE_A_SCALE: Final = 0x0008
_MORE_COMPONENTS: Final = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE: Final = 0x0040
_WE_HAVE_A_TWO_BY_TWO: Final = 0x0080


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF


@dataclass(frozen=True)
class _Glyph:
    data: bytes  # padded to a multiple of 4 bytes
    checksum: int
    box: tuple[int, int, int, int] | None  # None: no outline (e.g. a space)


@dataclass(frozen=True)
class _Component:
    offset: int  # of the component's glyph index, inside the glyph's bytes
    glyph: int


def _components(data: bytes) -> tuple[_Component, ...]:
    """A composite glyph's components (offsets of their glyph indices)."""
    found = []
    at = 10  # past the glyph header
    while True:
        flags, glyph = struct.unpack_from(">HH", data, at)
        found.append(_Component(at + 2, glyph))
        at += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            at += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            at += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            at += 8
        if not flags & _MORE_COMPONENTS:
            return tuple(found)


class FontProgram:
    """One TrueType file, read once: glyph outlines, metrics and the kept tables."""

    def __init__(self, data: bytes) -> None:
        # fontTools reads the glyph names (post) and, glyph by glyph as certificates
        # first use them, the outlines' true bounds.
        self._font = TTFont(BytesIO(data), lazy=True)
        glyph_order = self._font.getGlyphOrder()
        self._glyphs: dict[int, _Glyph] = {}
        (count,) = struct.unpack_from(">H", data, 4)
        tables: dict[str, bytes] = {}
        for index in range(count):
            tag, _, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * index)
            tables[tag.decode("latin-1")] = data[offset : offset + length]
        self._tables = tables
        self._sums = {tag: _checksum(data) for tag, data in tables.items()}
        self.gid_by_name: dict[str, int] = {
            name: gid for gid, name in enumerate(glyph_order)
        }
        glyphs = struct.unpack_from(">H", tables["maxp"], 4)[0]
        long_loca = struct.unpack_from(">h", tables["head"], 50)[0] == 1
        loca = tables["loca"]
        if long_loca:
            offsets = struct.unpack_from(f">{glyphs + 1}L", loca)
        else:
            offsets = tuple(2 * o for o in struct.unpack_from(f">{glyphs + 1}H", loca))
        glyf = tables["glyf"]
        self._outlines = tuple(
            glyf[offsets[gid] : offsets[gid + 1]] for gid in range(glyphs)
        )
        self._components = {
            gid: _components(outline)
            for gid, outline in enumerate(self._outlines)
            if len(outline) >= 10 and struct.unpack_from(">h", outline)[0] < 0
        }
        metrics = struct.unpack_from(">H", tables["hhea"], 34)[0]
        hmtx = tables["hmtx"]
        pairs = list(struct.iter_unpack(">Hh", hmtx[: 4 * metrics]))
        last_advance = pairs[-1][0]
        bearings = struct.unpack_from(f">{glyphs - metrics}h", hmtx, 4 * metrics)
        pairs.extend((last_advance, lsb) for lsb in bearings)
        self._metrics = tuple(pairs)

    def closure(self, gids: Iterable[int]) -> list[int]:
        """The glyphs, with .notdef and every composite's components, in font order."""
        wanted = {0, *gids}
        pending = list(wanted)
        while pending:
            for component in self._components.get(pending.pop(), ()):
                if component.glyph not in wanted:
                    wanted.add(component.glyph)
                    pending.append(component.glyph)
        return sorted(wanted)

    def _glyph(self, gid: int) -> _Glyph:
        """The glyph as the subset carries it, its header's bounding box computed from
        its points.

        Some of DejaVu's stored boxes are a unit off; fontTools (what fpdf2 subsets
        with) recomputes them, and a rasteriser's hinting reads them, so the subset
        carries the recomputed ones: the glyphs render exactly as before.
        """
        found = self._glyphs.get(gid)
        if found is not None:
            return found
        outline = self._outlines[gid]
        box = None
        if len(outline) >= 10:
            table = self._font["glyf"]
            glyph = table[self._font.getGlyphName(gid)]
            glyph.recalcBounds(table)
            box = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
            outline = outline[:2] + struct.pack(">4h", *box) + outline[10:]
        outline += b"\0" * (-len(outline) % 4)
        found = self._glyphs[gid] = _Glyph(outline, _checksum(outline), box)
        return found

    def subset(self, characters: Mapping[int, int]) -> tuple[bytes, dict[int, int]]:
        """The subset font file for these characters (code point: glyph index), and
        each kept glyph's new index by its old one."""
        kept = self.closure(characters.values())
        new_gid = {old: new for new, old in enumerate(kept)}
        glyphs = [self._glyph(old) for old in kept]
        parts = []
        glyf_sum = 0
        loca = [0]
        for old, glyph in zip(kept, glyphs, strict=True):
            data, checksum = glyph.data, glyph.checksum
            components = self._components.get(old)
            if components:
                patched = bytearray(data)
                for component in components:
                    struct.pack_into(
                        ">H", patched, component.offset, new_gid[component.glyph]
                    )
                data = bytes(patched)
                checksum = _checksum(data)
            parts.append(data)
            glyf_sum += checksum
            loca.append(loca[-1] + len(data))
        tables: dict[str, bytes] = {
            tag: self._tables[tag] for tag in _VERBATIM if tag in self._tables
        }
        sums: dict[str, int] = {tag: self._sums[tag] for tag in tables}
        tables["glyf"] = b"".join(parts)
        sums["glyf"] = glyf_sum & 0xFFFFFFFF
        tables["loca"] = struct.pack(f">{len(loca)}L", *loca)
        metrics = [self._metrics[old] for old in kept]
        tables["hmtx"] = struct.pack(">" + "Hh" * len(kept), *chain(*metrics))
        hhea = bytearray(self._tables["hhea"])
        struct.pack_into(">H", hhea, 34, len(kept))
        tables["hhea"] = bytes(hhea)
        maxp = bytearray(self._tables["maxp"])
        struct.pack_into(">H", maxp, 4, len(kept))
        tables["maxp"] = bytes(maxp)
        tables["head"] = self._head(glyphs, metrics)
        # Format 3: no glyph names (a PDF reader maps codes to glyphs by CIDToGIDMap).
        tables["post"] = struct.pack(">L", 0x00030000) + self._tables["post"][4:32]
        tables["cmap"] = _cmap(
            sorted(
                (code, new_gid[gid])
                for code, gid in characters.items()
                if 0 < code < 0xFFFF
            )
        )
        return _assemble(tables, sums), new_gid

    def _head(
        self, glyphs: Sequence[_Glyph], metrics: Sequence[tuple[int, int]]
    ) -> bytes:
        """The head table with long loca offsets, the subset's bounding box and bit 1
        of the flags (every glyph's left side bearing is its xMin), as fontTools
        recalculates them for a subset; its checkSumAdjustment is set by _assemble."""
        head = bytearray(self._tables["head"])
        struct.pack_into(">L", head, 8, 0)
        struct.pack_into(">h", head, 50, 1)
        boxes = [
            (glyph.box, lsb)
            for glyph, (_, lsb) in zip(glyphs, metrics, strict=True)
            if glyph.box is not None
        ]
        if boxes:
            struct.pack_into(
                ">4h",
                head,
                36,
                min(box[0] for box, _ in boxes),
                min(box[1] for box, _ in boxes),
                max(box[2] for box, _ in boxes),
                max(box[3] for box, _ in boxes),
            )
        (flags,) = struct.unpack_from(">H", head, 16)
        if all(box[0] == lsb for box, lsb in boxes):
            flags |= 0x2
        else:
            flags &= ~0x2
        struct.pack_into(">H", head, 16, flags)
        return bytes(head)


def _cmap(pairs: Sequence[tuple[int, int]]) -> bytes:
    """A format 4 (Windows Unicode BMP) cmap of one segment per character."""
    ends = [code for code, _ in pairs] + [0xFFFF]
    starts = [code for code, _ in pairs] + [0xFFFF]
    deltas = [(gid - code) & 0xFFFF for code, gid in pairs] + [1]
    segments = len(ends)
    power = 1 << (segments.bit_length() - 1)
    search_range = 2 * power
    subtable = struct.pack(
        ">7H",
        4,
        16 + 8 * segments,
        0,
        2 * segments,
        search_range,
        power.bit_length() - 1,
        2 * segments - search_range,
    )
    subtable += struct.pack(f">{segments}H", *ends) + b"\0\0"
    subtable += struct.pack(f">{segments}H", *starts)
    subtable += struct.pack(f">{segments}H", *deltas)
    subtable += b"\0\0" * segments  # idRangeOffsets
    return struct.pack(">HHHHL", 0, 1, 3, 1, 12) + subtable


def _assemble(tables: dict[str, bytes], sums: dict[str, int]) -> bytes:
    """An sfnt file of the tables, sorted by tag, each 4-byte aligned, checksummed
    (``sums`` holds the checksums already known)."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(
        ">LHHHH",
        0x00010000,
        count,
        16 * power,
        power.bit_length() - 1,
        16 * (count - power),
    )
    offset = 12 + 16 * count
    directory = []
    body = []
    head_at = total = 0
    for tag in tags:
        data = tables[tag]
        checksum = sums.get(tag)
        if checksum is None:
            checksum = _checksum(data)
        if tag == "head":
            head_at = offset
        directory.append(
            struct.pack(">4sLLL", tag.encode("latin-1"), checksum, offset, len(data))
        )
        padding = -len(data) % 4
        body.append(data + b"\0" * padding)
        offset += len(data) + padding
        total += checksum
    start = header + b"".join(directory)
    # The file's checksum is the header's plus every (padded) table's.
    adjustment = (0xB1B0AFBA - _checksum(start) - total) & 0xFFFFFFFF
    font = bytearray(start + b"".join(body))
    struct.pack_into(">L", font, head_at + 8, adjustment)
    return bytes(font)
