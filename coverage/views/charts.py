"""Charts drawn on the server as SVG geometry: no chart library, no script, no CDN.

``bar_chart`` turns (label, cents) points into bar rectangles, a zero line and a few
round gridlines; the template writes them out as ``<rect>`` and ``<text>`` elements.
Negative values (a day whose reversals outweigh its charges) hang below the zero line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coverage.views.formatting import money

# Gridline steps in cents: $1, $2, $5, $10, … up to $5,000,000.
_STEPS = [m * 10**e for e in range(2, 9) for m in (1, 2, 5)]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    negative: bool


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int  # where the plot starts (room for the gridline labels)
    right: int
    zero_y: float
    bars: list[Bar]
    gridlines: list[Gridline]
    axis_labels: list[AxisLabel]
    empty: bool


def _step(span: int, lines: int) -> int:
    return next((s for s in _STEPS if s * lines >= span), _STEPS[-1])


def _axis_money(cents: int) -> str:
    # Gridlines sit on whole dollars; "$1,200" reads faster than "$1,200.00".
    return money(cents).removesuffix(".00")


def bar_chart(
    points: Sequence[tuple[str, int]],
    *,
    width: int = 760,
    height: int = 240,
    max_axis_labels: int = 10,
) -> BarChart:
    left, right, top, bottom = 72, width - 8, 12, height - 28
    values = [value for _, value in points]
    high, low = max([0, *values]), min([0, *values])
    step = _step(max(high - low, 1), 4)
    # Round the range out to whole steps so gridlines land on round amounts.
    top_value = -(-high // step) * step if high else (0 if low else step)
    bottom_value = (low // step) * step
    span = max(top_value - bottom_value, 1)

    def y_of(value: int) -> float:
        return top + (top_value - value) * (bottom - top) / span

    zero_y = y_of(0)
    slot = (right - left) / max(len(points), 1)
    bar_width = max(slot * 0.7, 1.0)
    bars = []
    for i, (label, value) in enumerate(points):
        y = y_of(value)
        bars.append(
            Bar(
                x=round(left + i * slot + (slot - bar_width) / 2, 2),
                y=round(min(y, zero_y), 2),
                width=round(bar_width, 2),
                height=round(abs(zero_y - y), 2),
                label=label,
                value=money(value),
                negative=value < 0,
            )
        )
    gridlines = [
        Gridline(y=round(y_of(v), 2), label=_axis_money(v))
        for v in range(bottom_value, top_value + 1, step)
    ]
    every = max(1, -(-len(points) // max_axis_labels))
    axis_labels = [
        AxisLabel(x=round(left + i * slot + slot / 2, 2), label=label)
        for i, (label, _) in enumerate(points)
        if i % every == 0
    ]
    return BarChart(
        width=width,
        height=height,
        left=left,
        right=right,
        zero_y=round(zero_y, 2),
        bars=bars,
        gridlines=gridlines,
        axis_labels=axis_labels,
        empty=not any(values),
    )
