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

from functools import cache
from typing import Any, Final

from PIL import Image
from segno import consts, encoder

_ERROR: Final = consts.ERROR_LEVEL_M
_SEPARATOR: Final = b"\x05"  # between lines: no module holds it
_ZERO_IS_ONE: Final = bytes([1, *([0] * 255)])
_N3_PATTERN: Final = b"\x01\x00\x01\x01\x01\x00\x01"
# A dark module (1) is a black pixel (0); a light one white.
_DARK_IS_BLACK: Final = bytes([0xFF, 0x00, *([0xFF] * 254)])


def qr_matrix(content: str) -> tuple[bytes, ...]:
    """The rows of ``segno.make(content, error="m", micro=False).matrix``."""
    segments = encoder.prepare_data(content, None, None)
    version = encoder.find_version(segments, _ERROR, eci=False, micro=False)
    error = encoder.boost_error_level(version, _ERROR, segments, False)
    buff = encoder.Buffer()
    ver_range = encoder.version_range(version)
    for segment in segments:
        encoder.write_segment(buff, segment, None, ver_range, False)
    capacities: Any = consts.SYMBOL_CAPACITY  # typed loosely by segno
    capacity = capacities[version][error]
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
    modules = len(rows) + 2 * border
    light = b"\xff" * border
    grey = b"".join(light + row.translate(_DARK_IS_BLACK) + light for row in rows)
    blank = b"\xff" * (modules * border)
    picture = Image.frombytes("L", (modules, modules), blank + grey + blank)
    return picture.resize(
        (modules * scale, modules * scale), Image.Resampling.NEAREST
    ).convert("1", dither=Image.Dither.NONE)


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
    # N1, over every line at once as one integer of a byte a module, each line apart
    # by a byte no module holds: a run of L >= 5 scores L - 2, which is its windows
    # of five equal modules (L - 4) plus 2.
    text = int.from_bytes(_SEPARATOR + _SEPARATOR.join(lines), "big")
    length = len(lines) * (size + 1) + 1
    equal = int.from_bytes(
        (text ^ (text >> 8)).to_bytes(length, "big").translate(_ZERO_IS_ONE), "big"
    )
    windows = equal & (equal >> 8) & (equal >> 16) & (equal >> 24)
    n1 = windows.bit_count() + 2 * (windows & ~(windows >> 8)).bit_count()
    # N2: modules j-1 and j of two adjacent rows all one value, a 2x2 block. On the
    # rows as integers of one byte a module: a zero byte where all four are equal.
    n2 = 0
    numbers = [int.from_bytes(row, "big") for row in rows]
    for above, row in zip(numbers, numbers[1:], strict=False):
        same = (above ^ (above >> 8)) | (row ^ (row >> 8)) | (above ^ row)
        n2 += same.to_bytes(size, "big")[1:].count(0)
    n3 = sum(_n3(line, size) for line in lines if _N3_PATTERN in line)
    modules = b"".join(rows)
    dark = sum(value * modules.count(value) for value in (1, 2, 3))
    n4 = 10 * int(abs(float(dark) / size**2 * 100 - 50) / 5)
    return n1 + 3 * n2 + n3 + n4
