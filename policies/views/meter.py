"""The share meter: our share plus every party's share, against 100 percent.

It is computed on the server (an HTMX request as the underwriter types) with the
services' own rule — ``share_total`` and ``share_refusal`` — so the meter turns red
exactly when the write would be refused, with the refusal's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from policies import services
from policies.services.coinsurance import share_total

NOT_A_NUMBER = "Type a share as a number, such as 12.5."
PARTY_COLOURS = 4


@dataclass(frozen=True)
class Segment:
    label: str
    share: Decimal
    css: str
    x: Decimal = Decimal(0)


@dataclass
class ShareMeter:
    segments: list[Segment] = field(default_factory=list)
    total: Decimal | None = None
    refusal: str | None = None
    invalid: str = ""

    @property
    def width(self) -> Decimal:
        """The drawing's width in percent: 100, or the total when it goes beyond."""
        return max(Decimal(100), self.total or Decimal(0))

    @property
    def remaining(self) -> Decimal:
        return max(Decimal(0), Decimal(100) - (self.total or Decimal(0)))

    @property
    def over(self) -> bool:
        return self.refusal is not None


def parse_share(text: str | None) -> Decimal | None:
    """A typed share, or None when nothing is typed; ValueError when not a number."""
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    # Beyond these a number is no share; drawing or printing it in full could take
    # megabytes (1e999999 is a valid Decimal).
    if not value.is_finite() or (value and not -10 <= value.adjusted() <= 6):
        raise ValueError(text)
    return value


def build_meter(
    *,
    our_share: Decimal,
    parties: Sequence[tuple[str, Decimal]],
    new_share: Decimal | None = None,
) -> ShareMeter:
    """Segments left to right: ours, each party, the party being added."""
    pieces = [("Our share", our_share, "seg-ours")]
    pieces += [
        (label, share, f"seg-party-{i % PARTY_COLOURS}")
        for i, (label, share) in enumerate(parties)
    ]
    if new_share is not None:
        pieces.append(("New party", new_share, "seg-new"))
    segments = []
    x = Decimal(0)
    for label, share, css in pieces:
        visible = max(share, Decimal(0))
        segments.append(Segment(label, share, css, x))
        x += visible
    total = share_total(our_share, [share for _, share, _ in pieces[1:]])
    return ShareMeter(
        segments=segments, total=total, refusal=services.share_refusal(total)
    )


def invalid_meter() -> ShareMeter:
    return ShareMeter(invalid=NOT_A_NUMBER)
