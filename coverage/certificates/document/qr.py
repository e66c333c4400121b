"""The verification QR code: segno's symbol, with its mask chosen in a fraction of the time.

``segno.make(url, error="m", micro=False)`` spends most of a certificate's QR time
trying the eight data masks module by module in Python. This builds the same
symbol with segno's own steps (segments, version, error correction, codeword
placement, format and version information) and scores the masks on whole rows and
columns at once: the same ISO/IEC 18004 penalty rules, counted exactly as segno
counts them, so the same mask wins and the matrix is segno's to the module (a test
compares the two over many addresses). The picture is drawn directly from the matrix.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from PIL import Image
from segno import consts, encoder  # type: ignore[import-untyped]

_ERROR: Final = consts.ERROR_LEVEL_M
# N1: a run of five or more modules of one colour (any byte value, as segno compares).
_RUN: Final = re.compile(rb"(.)\1{4,}", re.DOTALL)
_N3_PATTERN: Final = b"\x01\x00\x01\x01\x01\x00\x01"


def qr_matrix(content: str) -> tuple[bytes, ...]:
    """The rows of ``segno.make(content, error="m", micro=False).matrix``."""
    segments = encoder.prepare_data(content, None, None)
    version = encoder.find_version(segments, _ERROR, eci=False, micro=False)
    error = encoder.boost_error_level(version, _ERROR, segments, False)
    buff = encoder.Buffer()
    ver_range = encoder.version_range(version)
    for segment in segments:
        encoder.write_segment(buff, segment, None, ver_range, False)
    capacity = consts.SYMBOL_CAPACITY[version][error]
    encoder.write_terminator(buff, capacity, None, len(buff))
    encoder.write_padding_bits(buff, version, len(buff))
    encoder.write_pad_codewords(buff, version, capacity, len(buff))
    buff = encoder.make_final_message(version, error, buff)
    width = encoder.calc_matrix_size(version)
    matrix = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(matrix, width, width)
    encoder.add_alignment_patterns(matrix, width, width)
    encoder.add_codewords(matrix, buff, version)
    rows = [bytes(row) for row in matrix]
    best, best_score = 0, None
    for number, mask in enumerate(_masks(version)):
        score = _penalty(_xor(rows, mask), width)
        if best_score is None or score < best_score:
            best, best_score = number, score
    masked = tuple(bytearray(row) for row in _xor(rows, _masks(version)[best]))
    encoder.add_format_info(masked, version, error, best)
    encoder.add_version_info(masked, version)
    return tuple(bytes(row) for row in masked)


def qr_image(content: str, *, scale: int, border: int) -> Image.Image:
    """The symbol as a black-and-white picture, ``scale`` pixels a module, ``border``
    modules of light quiet zone around it: the pixels of segno's PNG
    (``save(kind="png", scale=scale, border=border)``), without writing and reading
    a PNG in between."""
    rows = qr_matrix(content)
    size = (len(rows) + 2 * border) * scale
    padding = -size % 8  # each pixel row of a 1-bit image is whole bytes
    light = "1" * (border * scale)
    blank = int("1" * size + "0" * padding, 2).to_bytes((size + padding) // 8, "big")
    data = [blank * (border * scale)]
    for row in rows:
        bits = "".join("0" * scale if module else "1" * scale for module in row)
        line = int(light + bits + light + "0" * padding, 2)
        data.append(line.to_bytes((size + padding) // 8, "big") * scale)
    data.append(blank * (border * scale))
    return Image.frombytes("1", (size, size), b"".join(data))


def _xor(rows: list[bytes], mask: tuple[int, ...]) -> list[bytes]:
    width = len(rows[0])
    return [
        (int.from_bytes(row, "big") ^ bits).to_bytes(width, "big")
        for row, bits in zip(rows, mask, strict=True)
    ]


@cache
def _masks(version: int) -> tuple[tuple[int, ...], ...]:
    """Per mask pattern, each row's XOR as an integer: 1 in the byte of every encoding
    module the pattern darkens (ISO/IEC 18004 §7.8.2), as segno applies it."""
    width = encoder.calc_matrix_size(version)
    function = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(function, width, width)
    encoder.add_alignment_patterns(function, width, width)
    function[-8][8] = 0x1
    patterns = encoder.get_data_mask_functions(False)
    return tuple(
        tuple(
            int.from_bytes(
                bytes(
                    1 if function[i][j] > 0x1 and pattern(i, j) else 0
                    for j in range(width)
                ),
                "big",
            )
            for i in range(width)
        )
        for pattern in patterns
    )


def _n3(line: bytes, size: int) -> int:
    """segno's count of finder-like 1:1:3:1:1 patterns in a row or column."""
    count = 0
    at = line.find(_N3_PATTERN)
    while at != -1:
        after = at + 7
        if (
            at in (0, size - 7)
            or not any(line[max(at - 4, 0) : min(at, size)])
            or not any(line[max(after, 0) : min(after + 4, size)])
        ):
            count += 40
        else:
            after = at + 4
        at = line.find(_N3_PATTERN, after)
    return count


def _penalty(rows: list[bytes], size: int) -> int:
    """segno's ``evaluate_mask`` (N1 + N2 + N3 + N4) for the masked rows."""
    columns = [bytes(column) for column in zip(*rows, strict=True)]
    lines = rows + columns
    n1 = sum(len(run.group()) - 2 for line in lines for run in _RUN.finditer(line))
    n2 = 0
    for above, row in zip(rows, rows[1:], strict=False):
        # Both rows' modules j-1 and j the same: a 2x2 block of one value.
        n2 += sum(
            1
            for j in range(1, size)
            if row[j] == row[j - 1] == above[j] == above[j - 1]
        )
    n3 = sum(_n3(line, size) for line in lines)
    dark = sum(b"".join(rows))
    n4 = 10 * int(abs(float(dark) / size**2 * 100 - 50) / 5)
    return n1 + 3 * n2 + n3 + n4
